"""Pages of the one window: the owner's "申请检定" form and its requests, the institute's inbox and actions, the
regulator's read-only list. Thin: parse, call one selector or service, render. Out of scope answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiliang.core import clock
from jiliang.core.errors import DomainError
from jiliang.core.models import Organization
from jiliang.core.selectors import counties_visible_to, scope_of
from jiliang.core.web.forms import add_domain_errors
from jiliang.core.web.http import PAGE_SIZE, is_htmx, not_found_as_404
from jiliang.instruments.models import Instrument
from jiliang.instruments.selectors import MAY_BE_VERIFIED, due_state_q, instruments_visible_to

from ..forms.requests import ReasonForm, RequestForm, ResubmitForm, ScheduleForm
from ..models import RequestItem, ServiceRequest
from ..selectors import requests as selectors
from ..selectors.request_clock import Clock, clock_of
from ..services import records as record_services
from ..services import requests as services

Status = ServiceRequest.Status
INSTRUMENT_ROWS = 200

# Badge classes from app.css for each status.
STATUS_BADGE = {
    Status.SUBMITTED: "due-due_soon",
    Status.RETURNED: "due-never",
    Status.REJECTED: "due-overdue",
    Status.ACCEPTED: "plain",
    Status.SCHEDULED: "plain",
    Status.IN_WORK: "plain",
    Status.COMPLETED: "due-valid",
    Status.WITHDRAWN: "due-na",
}


@dataclass
class Row:
    request: ServiceRequest
    clock: Clock

    @property
    def badge(self) -> str:
        return STATUS_BADGE.get(self.request.status, "plain")


# ---- list ------------------------------------------------------------------------------------------------------


@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    filters = selectors.parse_request_filters(request.GET)
    qs = selectors.request_list(request.user, filters)
    try:
        page = max(1, min(int(request.GET.get("page", "1")), 100_000))
    except ValueError:
        page = 1
    total = qs.count()
    start = (page - 1) * PAGE_SIZE
    today = clock.today()
    rows = [Row(r, clock_of(r, today)) for r in qs[start : start + PAGE_SIZE]]
    params = {k: v for k, v in request.GET.items() if k != "page" and v}

    def page_query(n: int) -> str:
        return "?" + urlencode({**params, "page": n})

    context = {
        "rows": rows,
        "filters": filters,
        "total": total,
        "page": page,
        "prev_query": page_query(page - 1) if page > 1 else "",
        "next_query": page_query(page + 1) if start + PAGE_SIZE < total else "",
        "statuses": Status.choices,
        "counties": list(counties_visible_to(request.user).order_by("code"))
        if (scope.is_regulator or scope.is_admin or scope.is_institute)
        else [],
        "late_counts": selectors.late_counts(request.user, today=today),
        "is_owner": scope.is_owner,
        "is_institute": scope.is_institute,
        "is_regulator": scope.is_regulator or scope.is_admin,
    }
    template = "verification/requests/_list_results.html" if is_htmx(request) else "verification/requests/list.html"
    return render(request, template, context)


# ---- new request -----------------------------------------------------------------------------------------------


def _selected_ids(params) -> set[int]:
    ids = set()
    for value in params.getlist("instrument_ids")[: selectors.MAX_ITEMS]:
        try:
            ids.add(int(value))
        except ValueError:
            continue
    return {i for i in ids if 0 < i < 2**63}


def _instrument_rows(request: HttpRequest, params, selected: set[int]) -> dict:
    """The owner's in-use instruments (and those stopped as failed) for the checkboxes, filtered by serial/name and due state; the instruments
    already ticked stay listed (first) whatever the filter, so filtering never loses a choice."""
    visible = instruments_visible_to(request.user).filter(MAY_BE_VERIFIED)
    qs = visible
    q = (params.get("q") or "").strip()[:64]
    if q:
        qs = qs.filter(Q(serial_number__icontains=q) | Q(name__icontains=q))
    due = params.get("due_state") or ""
    if due in Instrument.DueState.values:
        qs = qs.filter(due_state_q(due, owner_scoped=True))
    else:
        due = ""
    related = ("catalog_item", "last_verification")
    ticked = list(visible.filter(pk__in=selected).select_related(*related).order_by("due_on", "id"))
    others = list(qs.exclude(pk__in=selected).select_related(*related).order_by("due_on", "id")[: INSTRUMENT_ROWS + 1])
    instruments = ticked + others
    busy = set(
        RequestItem.objects.filter(
            instrument_id__in=[i.pk for i in instruments], request__status__in=selectors.OPEN_STATUSES
        ).values_list("instrument_id", flat=True)
    )
    return {
        "instruments": [(i, i.pk in busy) for i in instruments[: len(ticked) + INSTRUMENT_ROWS]],
        "more_instruments": len(others) > INSTRUMENT_ROWS,
        "selected": {i.pk for i in ticked},
        "instrument_q": q,
        "instrument_due": due,
        "due_states": Instrument.DueState.choices,
    }


@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    """申请检定: pick instruments (or all mandatory ones due within N days), see the proposed institute and the fee
    with the waiver (preview), then submit."""
    scope = scope_of(request.user)
    if not scope.is_owner:
        raise PermissionDenied
    if request.method == "GET" and is_htmx(request):
        rows = _instrument_rows(request, request.GET, _selected_ids(request.GET))
        return render(request, "verification/requests/_instruments.html", rows)
    institutes = Organization.objects.filter(kind=Organization.Kind.INSTITUTE).order_by("name")
    owner = Organization.objects.get(pk=scope.organization_id)
    initial = {"contact": owner.contact, "phone": owner.phone}
    form = RequestForm(request.POST or None, institutes=institutes, initial=initial)
    quote = None
    if request.method == "POST":
        previewing = "preview" in request.POST
        if form.is_valid():
            arguments = form.service_arguments()
            data = form.cleaned_data
            try:
                if previewing:
                    quote = selectors.request_quote(
                        actor=request.user, service=data["service"], institute_id=data["institute_id"], **arguments
                    )
                else:
                    created = services.request_submit(
                        actor=request.user,
                        service=data["service"],
                        place=data["place"],
                        institute_id=data["institute_id"],
                        preferred_from=data["preferred_from"],
                        preferred_to=data["preferred_to"],
                        contact=data["contact"],
                        phone=data["phone"],
                        note=data["note"],
                        **arguments,
                    )
                    messages.success(request, _("申请 %(number)s 已提交") % {"number": created.number})
                    return redirect("requests:detail", created.pk)
            except DomainError as exc:
                add_domain_errors(form, exc, aliases={"institute": "institute_id"})
        if previewing and is_htmx(request):
            return render(request, "verification/requests/_quote.html", {"form": form, "quote": quote})
    # "申请检定" from an instrument's page or the home's overdue list arrives with ?instrument_ids=…: those ids are
    # ticked only when they are the owner's own instruments that may be verified (_instrument_rows scopes them).
    selected = _selected_ids(request.POST if request.method == "POST" else request.GET)
    context = {"form": form, "quote": quote, **_instrument_rows(request, request.GET, selected)}
    return render(request, "verification/requests/new.html", context)


# ---- detail and actions ----------------------------------------------------------------------------------------


def _get(request: HttpRequest, pk: int) -> ServiceRequest:
    return selectors.request_get(request.user, pk)


@dataclass
class ItemRow:
    item: RequestItem
    fee_note: str = ""

    @property
    def record(self):
        records = list(self.item.records.all())
        return records[0] if records else None

    @property
    def draft(self):
        """The item's record in the making (at most one is open), for the institute."""
        drafts = getattr(self.item, "open_drafts", [])
        return drafts[0] if drafts else None

    @property
    def certificates(self):
        record = self.record
        return list(record.certificates.all()) if record else []


@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    service_request = _get(request, pk)
    actions = selectors.allowed_actions(request.user, service_request)
    notes = selectors.request_fee_notes(service_request)
    context = {
        "req": service_request,
        "row": Row(service_request, clock_of(service_request)),
        "items": [ItemRow(i, notes.get(i.pk, "")) for i in service_request.items.all()],
        "events": list(service_request.events.all()),
        "actions": actions,
        # The verification service's own rule for when a request takes records.
        "may_record": scope_of(request.user).is_institute
        and service_request.status in record_services.OPEN_FOR_RECORDS,
        "status_labels": dict(Status.choices),
        "reason_form": ReasonForm(),
        "schedule_form": ScheduleForm(initial={"scheduled_on": service_request.scheduled_on}),
        "resubmit_form": ResubmitForm(
            initial={
                "contact": service_request.contact,
                "phone": service_request.phone,
                "preferred_from": service_request.preferred_from,
                "preferred_to": service_request.preferred_to,
                "note": service_request.note,
            }
        ),
    }
    return render(request, "verification/requests/detail.html", context)


@require_POST
def request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in services.ACTIONS:
        raise Http404
    arguments: dict = {}
    form = None
    if action in {"reject", "return"}:
        form = ReasonForm(request.POST)
    elif action == "schedule":
        form = ScheduleForm(request.POST)
    elif action == "resubmit":
        form = ResubmitForm(request.POST)
    if form is not None:
        if not form.is_valid():
            # Still 404 for an outsider, before saying anything about the form.
            _get(request, pk)
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("requests:detail", pk)
        arguments = dict(form.cleaned_data)
    elif action == "withdraw":
        arguments = {"reason": (request.POST.get("reason") or "")[:500]}
    try:
        with not_found_as_404():
            services.ACTIONS[action](actor=request.user, request_id=pk, **arguments)
    except selectors.NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("requests:detail", pk)
    messages.success(request, _("已%(action)s") % {"action": selectors.action_label(action)})
    return redirect("requests:detail", pk)
