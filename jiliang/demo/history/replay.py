"""The replay: every planned step, in time order, through the real services as the owner or the institute that
takes it (the demo's own accounts where there are, else accounts nobody can log in to)."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db.models import Max
from django.utils.translation import gettext as _

from jiliang.core import clock
from jiliang.core.models import Organization, Role, User
from jiliang.notices.models import Notification, OwnerNotice
from jiliang.people.models import Person
from jiliang.verification.models import Certificate, RecordDraft, RequestItem, Service
from jiliang.verification.services import requests as one_window
from jiliang.verification.services.certificates import certificate_correct, certificate_revoke
from jiliang.verification.services.drafts import draft_approve, draft_check, draft_save, draft_submit

from .. import readings as demo_readings
from .params import ON_SITE_ITEMS
from .planner import _Item, _Plan, _Planner, _Step


class _Users:
    """The account each owner and institute acts through: the demo's own where there is one, else an account with
    no usable password (nobody logs in as it)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.by_org: dict[int, User] = {}
        for user in User.objects.filter(role__in=(Role.OWNER, Role.INSTITUTE), organization__isnull=False).order_by(
            "pk"
        ):
            self.by_org.setdefault(user.organization_id, user)
        self.password = make_password(None)

    def of_person(self, person: Person) -> User:
        """The person's own login (made once, with the demo users' unusable password): the three acts of a record
        are made by the three people's logins."""
        if person.user_id is None:
            # Named by the institute and the person's place on its staff, so the same seed gives the same names.
            rank = Person.objects.filter(organization_id=person.organization_id, pk__lte=person.pk).count()
            person.user = User.objects.create(
                username=f"staff-{person.organization.credit_code}-{rank:03d}".lower(),
                role=Role.INSTITUTE,
                organization_id=person.organization_id,
                last_name=person.name[:1],
                first_name=person.name[1:],
                password=self.password,
            )
            person.save(update_fields=["user"])
        return person.user

    def of(self, organization: Organization) -> User:
        user = self.by_org.get(organization.pk)
        if user is None:
            role = Role.INSTITUTE if organization.kind == Organization.Kind.INSTITUTE else Role.OWNER
            contact = organization.contact or "经办人"
            user = User.objects.create(
                username=f"{role}-{organization.credit_code}".lower(),
                role=role,
                organization=organization,
                last_name=contact[0],
                first_name=contact[1:],
                password=self.password,
            )
            self.by_org[organization.pk] = user
        return user


# ---- replay --------------------------------------------------------------------------------------------------------


class _Replay:
    def __init__(self, rng: random.Random, planner: _Planner, users: _Users) -> None:
        self.rng, self.planner, self.users = rng, planner, users
        self.world = planner.world
        self.notices: dict[type[Notification] | type[OwnerNotice], int] = {
            model: model.objects.aggregate(m=Max("pk"))["m"] or 0 for model in (Notification, OwnerNotice)
        }

    def run(self, plan: _Plan, step: _Step) -> None:
        self._act(plan, step)
        self._date_notices(step)

    def _date_notices(self, step: _Step) -> None:
        """The owner's notices of the step (made by the notices' receivers) are dated when the step happened: their
        creation time is the wall clock's (``auto_now_add``), not the replay's. They are sent when the history
        commits."""
        for model, seen in self.notices.items():
            new = model.objects.filter(pk__gt=seen)
            last = new.aggregate(m=Max("pk"))["m"]
            if last is not None:
                new.update(created_at=step.at)
                self.notices[model] = last

    def _act(self, plan: _Plan, step: _Step) -> None:
        owner = self.planner.owners[plan.owner_id]
        institute = self.world.institutes[plan.institute_id]
        owner_user, institute_user = self.users.of(owner), self.users.of(institute)
        action = step.action
        if action == "submit":
            request = one_window.request_submit(
                actor=owner_user,
                service=plan.service,
                place=step.args["place"],
                instrument_ids=[i.row.id for i in plan.items],
                institute_id=plan.institute_id,
                preferred_from=clock.today() + timedelta(days=3),
                preferred_to=clock.today() + timedelta(days=20),
                note=_("请尽快安排") if len(plan.items) > 3 else "",
            )
            plan.request_id = request.pk
            if request.institute_id != plan.institute_id:
                raise AssertionError(f"{request.number} went to {request.institute_id}, planned {plan.institute_id}")
        elif action in ("return", "reject"):
            one_window.ACTIONS[action](actor=institute_user, request_id=plan.request_id, reason=step.args["reason"])
        elif action == "resubmit":
            one_window.request_resubmit(actor=owner_user, request_id=plan.request_id, note=_("已按要求补正"))
        elif action == "withdraw":
            one_window.request_withdraw(actor=owner_user, request_id=plan.request_id, reason=step.args["reason"])
        elif action == "accept":
            one_window.request_accept(actor=institute_user, request_id=plan.request_id)
        elif action == "schedule":
            one_window.request_schedule(
                actor=institute_user, request_id=plan.request_id, scheduled_on=step.args["scheduled_on"]
            )
        elif action == "start":
            one_window.request_start(actor=institute_user, request_id=plan.request_id)
        elif action == "record":
            self._records(plan, institute_user, owner)
        elif action == "complete":
            one_window.request_complete(actor=institute_user, request_id=plan.request_id)
        elif action == "correct":
            self._correct(step, institute_user)
        elif action == "revoke":
            certificate_revoke(
                actor=institute_user, certificate_id=step.args["item"].certificate_id, reason=step.args["reason"]
            )
        else:  # pragma: no cover
            raise ValueError(action)

    def _records(self, plan: _Plan, actor: User, owner: Organization) -> None:
        item_ids = dict(RequestItem.objects.filter(request_id=plan.request_id).values_list("instrument_id", "pk"))
        day = clock.today()
        for item in plan.items:
            if item.team is None or item.readings is None:
                continue
            team = item.team
            values: dict[str, Any] = {}
            if plan.service == Service.CALIBRATION:
                values = {
                    "expanded_uncertainty": demo_readings.uncertainty(item.readings),
                    "coverage_factor": Decimal("2"),
                    "points": [{k: v for k, v in p.items() if k != "mpe"} for p in item.points],
                }
            draft = draft_save(
                actor=self.users.of_person(team.verifier),
                request_item_id=item_ids[item.row.id],
                kind=plan.service,
                performed_on=day,
                procedure_id=self.world.procedure(item.row.item_id).pk,
                standard_ids=[team.standard.pk],
                checker_id=team.checker.pk,
                approver_id=team.approver.pk,
                points=values.pop("points", item.points),
                unit=item.readings.unit,
                resolution=item.readings.step,
                place=owner.address if item.row.code in ON_SITE_ITEMS else _("本所实验室"),
                temperature=f"{self.rng.randint(180, 240) / 10:.1f} ℃",
                humidity=f"{self.rng.randint(35, 70)} %RH",
                **values,
            )
            certificate = self._sign(draft, team.checker, team.approver)
            item.certificate_id = certificate.pk

    def _sign(self, draft: RecordDraft, checker: Person, approver: Person) -> Certificate:
        """Submit, check and approve, each by its own person's login."""
        draft_submit(actor=self.users.of_person(draft.verifier), draft_id=draft.pk)
        draft_check(actor=self.users.of_person(checker), draft_id=draft.pk)
        return draft_approve(actor=self.users.of_person(approver), draft_id=draft.pk)

    def _correct(self, step: _Step, actor: User) -> None:
        item: _Item = step.args["item"]
        record = Certificate.objects.select_related("record").get(pk=item.certificate_id).record
        field_name = step.args["field"]
        changes = {
            "temperature": f"{self.rng.randint(180, 240) / 10:.1f} ℃",
            "humidity": f"{self.rng.randint(35, 70)} %RH",
            "place": (record.place + _("（现场）"))[:200],
        }
        draft = certificate_correct(
            actor=self.users.of_person(record.verifier),
            certificate_id=item.certificate_id,
            reason=step.args["reason"],
            **{field_name: changes[field_name]},
        )
        certificate = self._sign(draft, record.checker, record.approver)
        item.certificate_id = certificate.pk
