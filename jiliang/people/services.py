"""Every change to staff, qualifications and the expert pool: validated, saved and audited in one transaction.

An institute manages its own staff and their qualifications (admin anyone's); regulators only read. The expert
pool is kept by regulators (for organizations in their region) and admin. The full ID number is never stored nor
audited: only its masked form (:mod:`jiliang.people.idnumber`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jiliang.catalog.models import CatalogItem, Procedure
from jiliang.core import audit
from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import Organization, User
from jiliang.core.selectors import scope_of

from . import selectors
from .idnumber import id_number_error, mask_id_number
from .models import Expert, Person, Qualification

PERSON_FIELDS = ("name", "id_number_masked", "title", "hired_on", "left_on", "phone")
QUALIFICATION_FIELDS = ("kind", "grade", "number", "issued_on", "valid_until", "scope_note")


def _staff_organization(actor: User, organization: Organization | int | None) -> Organization:
    """The organization whose staff the actor may manage: an institute its own; admin the one named."""
    scope = scope_of(actor)
    if scope.is_institute and scope.organization_id is not None:
        organization_id = organization.pk if isinstance(organization, Organization) else organization
        if organization_id not in (None, scope.organization_id):
            raise NotFoundOrForbidden(_("单位不存在"))
        return Organization.objects.get(pk=scope.organization_id)
    if scope.is_admin:
        if organization is None:
            raise DomainError(_("请选择所属单位"), field="organization")
        if isinstance(organization, Organization):
            return organization
        found = Organization.objects.filter(pk=organization).first()
        if found is None:
            raise NotFoundOrForbidden(_("单位不存在"), field="organization")
        return found
    raise DomainError(_("只有检定机构可以管理本单位人员"))


def _check_manage(actor: User, person: Person) -> None:
    if not selectors.may_manage_staff(actor, person.organization):
        # A regulator sees the person but may not change it; anyone else does not even see it.
        if selectors.persons_visible_to(actor).filter(pk=person.pk).exists():
            raise DomainError(_("只有本单位（检定机构）可以修改人员信息"))
        raise NotFoundOrForbidden(_("人员不存在"))


def _masked(id_number: str) -> str:
    if not id_number:
        return ""
    error = id_number_error(id_number)
    if error:
        raise DomainError(error, field="id_number")
    return mask_id_number(id_number)


def _check_person_dates(hired_on: date | None, left_on: date | None) -> None:
    if hired_on and left_on and left_on < hired_on:
        raise DomainError(_("离职日期不能早于入职日期"), field="left_on")


def person_create(
    *,
    actor: User,
    name: str,
    organization: Organization | int | None = None,
    id_number: str = "",
    title: str = Person.Title.NONE,
    hired_on: date | None = None,
    left_on: date | None = None,
    phone: str = "",
) -> Person:
    """Add a member of staff. ``id_number`` is the full number as entered; only its masked form is kept."""
    org = _staff_organization(actor, organization)
    if not name.strip():
        raise DomainError(_("请填写姓名"), field="name")
    if title not in Person.Title.values:
        raise DomainError(_("无效的职称"), field="title")
    _check_person_dates(hired_on, left_on)
    person = Person(
        organization=org,
        name=name.strip(),
        id_number_masked=_masked(id_number),
        title=title,
        hired_on=hired_on,
        left_on=left_on,
        phone=phone.strip(),
    )
    with transaction.atomic():
        person.save()
        audit.record(actor=actor, action="person.create", obj=person, changes=audit.values(person, *PERSON_FIELDS))
    return person


def person_update(
    *,
    actor: User,
    person: Person,
    name: str | None = None,
    id_number: str | None = None,
    title: str | None = None,
    hired_on: date | None = None,
    left_on: date | None = None,
    phone: str | None = None,
) -> Person:
    """Change a member of staff. ``id_number`` empty or ``None`` keeps the stored (masked) number; dates are
    always set from the arguments (``None`` clears them)."""
    _check_manage(actor, person)
    before = audit.values(person, *PERSON_FIELDS)
    if name is not None:
        if not name.strip():
            raise DomainError(_("请填写姓名"), field="name")
        person.name = name.strip()
    if id_number:
        person.id_number_masked = _masked(id_number)
    if title is not None:
        if title not in Person.Title.values:
            raise DomainError(_("无效的职称"), field="title")
        person.title = title
    _check_person_dates(hired_on, left_on)
    person.hired_on = hired_on
    person.left_on = left_on
    if phone is not None:
        person.phone = phone.strip()
    changes = audit.diff(before, audit.values(person, *PERSON_FIELDS))
    with transaction.atomic():
        person.save()
        audit.record(actor=actor, action="person.update", obj=person, changes=changes)
    return person


def _check_qualification(*, kind: str, grade: str, number: str, issued_on: date, valid_until: date) -> None:
    if kind not in Qualification.Kind.values:
        raise DomainError(_("无效的资质类别"), field="kind")
    if not number.strip():
        raise DomainError(_("请填写证书编号"), field="number")
    if kind == Qualification.Kind.REGISTERED_METROLOGIST and grade not in Qualification.Grade.values:
        raise DomainError(_("注册计量师须选择等级"), field="grade")
    if kind != Qualification.Kind.REGISTERED_METROLOGIST and grade:
        raise DomainError(_("只有注册计量师有等级"), field="grade")
    if valid_until < issued_on:
        raise DomainError(_("有效期至不能早于发证日期"), field="valid_until")


@contextmanager
def _number_unique() -> Iterator[None]:
    """One transaction for saving a qualification, in which a clash of its certificate number with another of
    the same kind (the unique constraint) is the user's to fix."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise DomainError(_("同类别的证书编号已存在"), field="number", code="conflict") from exc


def qualification_add(
    *,
    actor: User,
    person: Person,
    kind: str,
    number: str,
    issued_on: date,
    valid_until: date,
    grade: str = "",
    catalog_items: Iterable[CatalogItem] = (),
    procedures: Iterable[Procedure] = (),
    scope_note: str = "",
) -> Qualification:
    """Record a qualification of a member of staff. A verifier's scope names catalog items and/or procedures."""
    _check_manage(actor, person)
    _check_qualification(kind=kind, grade=grade, number=number, issued_on=issued_on, valid_until=valid_until)
    items = list(catalog_items)
    procs = list(procedures)
    if kind == Qualification.Kind.VERIFIER and not items and not procs:
        raise DomainError(_("检定员资质须至少包含一个项目或规程"), field="catalog_items")
    qualification = Qualification(
        person=person,
        kind=kind,
        grade=grade,
        number=number.strip(),
        issued_on=issued_on,
        valid_until=valid_until,
        scope_note=scope_note.strip(),
    )
    with _number_unique():
        qualification.save()
        qualification.catalog_items.set(items)
        qualification.procedures.set(procs)
        changes = audit.values(qualification, *QUALIFICATION_FIELDS)
        changes["person"] = person.pk
        changes["catalog_items"] = sorted(i.code for i in items)
        changes["procedures"] = sorted(p.code for p in procs)
        audit.record(actor=actor, action="qualification.add", obj=qualification, changes=changes)
    return qualification


def qualification_renew(
    *,
    actor: User,
    qualification: Qualification,
    valid_until: date,
    issued_on: date | None = None,
    number: str = "",
) -> Qualification:
    """Extend a qualification after its renewal (复审/换证): a later end date, and the new certificate's number
    and issue date when a new certificate was issued. The old values stay in the audit log."""
    _check_manage(actor, qualification.person)
    if valid_until <= qualification.valid_until:
        raise DomainError(_("新的有效期须晚于原有效期"), field="valid_until")
    before = audit.values(qualification, *QUALIFICATION_FIELDS)
    if issued_on is not None:
        qualification.issued_on = issued_on
    if number.strip():
        qualification.number = number.strip()
    qualification.valid_until = valid_until
    _check_qualification(
        kind=qualification.kind,
        grade=qualification.grade,
        number=qualification.number,
        issued_on=qualification.issued_on,
        valid_until=qualification.valid_until,
    )
    with _number_unique():
        qualification.save()
        audit.record(
            actor=actor,
            action="qualification.renew",
            obj=qualification,
            changes=audit.diff(before, audit.values(qualification, *QUALIFICATION_FIELDS)),
        )
    return qualification


def expert_add(
    *,
    actor: User,
    organization: Organization,
    name: str,
    specialties: str,
    joined_on: date,
    person: Person | None = None,
) -> Expert:
    """Add a member to the expert pool (regulators for organizations in their region, admin anyone)."""
    scope = scope_of(actor)
    if not (scope.is_admin or scope.is_regulator):
        raise DomainError(_("只有监管部门可以管理专家库"))
    if not scope.is_admin and organization.region_id not in (scope.region_ids or ()):
        raise NotFoundOrForbidden(_("单位不存在"), field="organization")
    if person is not None:
        if person.organization_id != organization.pk:
            raise DomainError(_("人员不属于所选单位"), field="person")
        name = name or person.name
    if not name.strip():
        raise DomainError(_("请填写姓名"), field="name")
    if not specialties.strip():
        raise DomainError(_("请填写专业领域"), field="specialties")
    expert = Expert(
        person=person,
        name=name.strip(),
        organization=organization,
        specialties=specialties.strip(),
        joined_on=joined_on,
    )
    with transaction.atomic():
        expert.save()
        audit.record(
            actor=actor,
            action="expert.add",
            obj=expert,
            changes=audit.values(expert, "name", "organization", "person", "specialties", "joined_on"),
        )
    return expert
