"""What the city holds, as the planner sees it: the in-use instruments, and the institutes' staff,
qualifications, standards and authorizations read once and checked in memory with the services' rules."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from jiliang.catalog.models import CatalogItem, Procedure
from jiliang.core.models import Organization, Region
from jiliang.people.models import Person, Qualification
from jiliang.people.selectors import qualification_is_valid_on
from jiliang.standards.models import Authorization, Standard
from jiliang.standards.selectors.standards import authorization_in_force, standard_validity, with_validity_data
from jiliang.verification.forms.records import procedure_choices


@dataclass(frozen=True)
class _Row:
    """An in-use instrument with a catalog item, as the planner sees it."""

    id: int
    owner_id: int
    region_id: int
    item_id: int
    code: str
    mandatory: bool
    last_on: date | None
    due_on: date | None
    measuring_range: str
    accuracy_class: str
    registered_on: date


@dataclass
class _Team:
    verifier: Person
    checker: Person
    approver: Person
    standard: Standard


class _World:
    """The institutes' staff, qualifications, standards and authorizations, read once and checked in memory with
    the same rules the services apply (they check again)."""

    def __init__(self) -> None:
        self.items = {i.pk: i for i in CatalogItem.objects.all()}
        self.institutes = {
            o.pk: o
            for o in Organization.objects.filter(kind=Organization.Kind.INSTITUTE)
            .select_related("region")
            .order_by("pk")
        }
        self.staff: dict[int, list[Person]] = {}
        for person in Person.objects.filter(organization_id__in=self.institutes).order_by("pk"):
            self.staff.setdefault(person.organization_id, []).append(person)
        self.quals: dict[int, list[tuple[Qualification, set[int], set[str]]]] = {}
        verifier_quals = Qualification.objects.filter(
            kind=Qualification.Kind.VERIFIER, person__organization_id__in=self.institutes
        ).prefetch_related("catalog_items", "procedures")
        for q in verifier_quals.order_by("pk"):
            self.quals.setdefault(q.person_id, []).append(
                (q, {i.pk for i in q.catalog_items.all()}, {p.code for p in q.procedures.all()})
            )
        self.standards: dict[int, list[tuple[Standard, set[int]]]] = {}
        standards = with_validity_data(Standard.objects.filter(holder_id__in=self.institutes)).prefetch_related(
            "catalog_items"
        )
        for standard in standards.order_by("pk"):
            self.standards.setdefault(standard.holder_id, []).append(
                (standard, {i.pk for i in standard.catalog_items.all()})
            )
        self.authorizations: dict[int, list[tuple[Authorization, set[int]]]] = {}
        for a in Authorization.objects.filter(institute_id__in=self.institutes).prefetch_related("catalog_items"):
            self.authorizations.setdefault(a.institute_id, []).append((a, {i.pk for i in a.catalog_items.all()}))
        self.regions = {r.pk: r for r in Region.objects.all()}
        self._routes: dict[tuple[int, int, date], list[int]] = {}
        self._teams: dict[tuple[int, int, date], tuple[list[Person], list[Person], list[Standard]] | None] = {}
        self._procedures: dict[int, Procedure | None] = {}

    def procedure(self, item_id: int) -> Procedure | None:
        """The procedure a record of the item follows: the one the record form preselects (the catalog item's
        regulation, ``verification.forms.records.procedure_choices``)."""
        if item_id not in self._procedures:
            self._procedures[item_id] = procedure_choices(self.items[item_id])[1]
        return self._procedures[item_id]

    def route(self, item_id: int, region_id: int, day: date) -> list[int]:
        """The institutes the one window proposes for the item in the region that day: the rule of
        ``jiliang.standards.selectors.standards.authorized_institutes`` (seated in the region, else in its city; by
        name), in memory. The submission checks it again (the request must go where it was planned to)."""
        key = (item_id, region_id, day)
        if key not in self._routes:
            authorized = [
                o for pk, o in self.institutes.items() if o.region_id is not None and self._authorized(pk, item_id, day)
            ]
            found = [o for o in authorized if o.region_id == region_id]
            if not found:
                city = self.regions.get(region_id)
                city = (
                    self.regions.get(city.parent_id) if city is not None and city.level != Region.Level.CITY else None
                )
                while city is not None and city.level != Region.Level.CITY:
                    city = self.regions.get(city.parent_id)
                found = [o for o in authorized if city is not None and o.region_id == city.pk]
            self._routes[key] = [o.pk for o in sorted(found, key=lambda o: (o.name, o.pk))]
        return self._routes[key]

    def _authorized(self, institute_id: int, item_id: int, day: date) -> bool:
        return any(
            item_id in items and authorization_in_force(a, day)
            for a, items in self.authorizations.get(institute_id, [])
        )

    def _qualified(self, person: Person, item: CatalogItem, day: date) -> bool:
        if person.left_on is not None and day > person.left_on:
            return False
        procedure = (item.procedure or "").strip()
        # The scope part of ``verifier_qualified`` (catalog item, or the regulation the catalog names), in memory.
        return any(
            qualification_is_valid_on(q, day) and (item.pk in items or (procedure and procedure in procedures))
            for q, items, procedures in self.quals.get(person.pk, [])
        )

    def candidates(self, institute_id: int, item_id: int, day: date):
        key = (institute_id, item_id, day)
        if key not in self._teams:
            found = None
            item = self.items[item_id]
            if self._authorized(institute_id, item_id, day):
                # On staff that day: hired by then (a history years back has none of those hired since) and not left.
                on_staff = [
                    p
                    for p in self.staff.get(institute_id, [])
                    if (p.hired_on is None or p.hired_on <= day) and (p.left_on is None or day <= p.left_on)
                ]
                verifiers = [p for p in on_staff if self._qualified(p, item, day)]
                standards = [
                    s
                    for s, items in self.standards.get(institute_id, [])
                    if item_id in items and standard_validity(s, day).valid
                ]
                # Three people sign, each qualified for the item that day (services.drafts).
                if len(verifiers) >= 3 and standards:
                    found = (verifiers, on_staff, standards)
            self._teams[key] = found
        return self._teams[key]

    def team(self, rng: random.Random, institute_id: int, item_id: int, day: date) -> _Team | None:
        found = self.candidates(institute_id, item_id, day)
        if found is None:
            return None
        verifiers, _on_staff, standards = found
        verifier = rng.choice(verifiers)
        others = [p for p in verifiers if p.pk != verifier.pk]
        checker = rng.choice(others)
        seniors = [
            p for p in others if p.pk != checker.pk and p.title in (Person.Title.SENIOR, Person.Title.INTERMEDIATE)
        ]
        approver = rng.choice(seniors or [p for p in others if p.pk != checker.pk])
        return _Team(verifier, checker, approver, rng.choice(standards))
