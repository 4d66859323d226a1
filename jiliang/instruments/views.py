"""Pages of the instrument registry: the list, one instrument, its forms.

Views stay thin: they parse the request, call one selector or service, and render. Every read goes through
``selectors`` (scoped by role and region); an out-of-scope id answers 404 exactly like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiliang.catalog.models import CatalogItem, Usage
from jiliang.core import clock
from jiliang.core.models import Organization
from jiliang.core.selectors import counties_visible_to, organizations_visible_to, scope_of
from jiliang.core.web.forms import form_save
from jiliang.core.web.http import PAGE_SIZE, int_param, is_htmx

from . import history, selectors, services
from .filters import FILTER_KEYS, parse_filters
from .forms import InstrumentForm, PreviewForm, StatusForm, initial_from
from .models import FAILED, Instrument, failed_due_label, status_label

DueState = Instrument.DueState

# Above this many matches the list says "more than 1,000" instead of counting up to a million rows on every
# page (exact totals by county and state are on the home page).
COUNT_CAP = 1_000
OWNER_OPTIONS_LIMIT = 20


def _get(request: HttpRequest, pk: int) -> Instrument:
    return selectors.instrument_get(request.user, pk)


def _may_register(request: HttpRequest) -> bool:
    scope = scope_of(request.user)
    return scope.is_owner or scope.is_regulator or scope.is_admin


# ---- List --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListRow:
    """One row of the list with its labels resolved once per page: ``get_FOO_display`` and template includes
    per row were most of the list's rendering time at 50 rows."""

    instrument: Instrument
    due_state: str
    due_label: str
    usage_label: str
    status_key: str
    status_label: str
    confidence: str
    confidence_label: str


def _list_rows(instruments: list[Instrument]) -> list[ListRow]:
    today = clock.today()
    due_labels = {value: str(label) for value, label in DueState.choices}
    usage_labels = {value: str(label) for value, label in Usage.choices}
    status_labels = {value: str(label) for value, label in Instrument.Status.choices}
    failed_label, failed_due = (
        status_label(Instrument.Status.STOPPED, Instrument.StopReason.FAILED_VERIFICATION),
        failed_due_label(),
    )
    confidence_labels = {value: str(label) for value, label in CatalogItem.Confidence.choices}
    rows = []
    for instrument in instruments:
        state = instrument.due_state(today)
        failed = instrument.stopped_as_failed
        confidence = instrument.catalog_item.confidence if instrument.catalog_item else ""
        rows.append(
            ListRow(
                instrument=instrument,
                due_state=FAILED if failed else state,
                due_label=failed_due if failed else due_labels[state],
                usage_label=usage_labels.get(instrument.usage, instrument.usage),
                status_key=FAILED if failed else instrument.status,
                status_label=failed_label if failed else status_labels.get(instrument.status, instrument.status),
                confidence=confidence,
                confidence_label=confidence_labels.get(confidence, ""),
            )
        )
    return rows


@dataclass
class Page:
    rows: list[ListRow]
    has_prev: bool
    has_next: bool
    prev_query: str
    next_query: str
    first_query: str
    count: int
    count_capped: bool


def _keyset_page(qs: QuerySet[Instrument], params: Any, base_query: str) -> Page:
    """One page of the list, newest first, by keyset (``after``/``before`` an id) rather than OFFSET, so the
    thousandth page of a million rows costs what the first one does."""
    after = int_param(params.get("after"))
    before = int_param(params.get("before"))
    if before is not None:
        fetched = list(qs.filter(pk__gt=before).order_by("pk")[: PAGE_SIZE + 1])
        has_prev = len(fetched) > PAGE_SIZE
        rows = fetched[:PAGE_SIZE][::-1]
        has_next = True
    else:
        window = qs.filter(pk__lt=after) if after is not None else qs
        fetched = list(window[: PAGE_SIZE + 1])
        has_next = len(fetched) > PAGE_SIZE
        rows = fetched[:PAGE_SIZE]
        has_prev = after is not None
    # Counting stops at COUNT_CAP + 1 rows: exact for a county's or an owner's list, bounded for the whole city.
    count = qs.order_by()[: COUNT_CAP + 1].count()

    def query(**extra: int) -> str:
        parts = [p for p in (base_query, urlencode(extra)) if p]
        return "?" + "&".join(parts) if parts else "?"

    return Page(
        rows=_list_rows(rows),
        has_prev=has_prev and bool(rows),
        has_next=has_next and bool(rows),
        prev_query=query(before=rows[0].pk) if rows else "",  # rows are still instruments here
        next_query=query(after=rows[-1].pk) if rows else "",
        first_query=query(),
        count=min(count, COUNT_CAP),
        count_capped=count > COUNT_CAP,
    )


@require_GET
def instrument_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    scope = scope_of(user)
    filters = parse_filters(request.GET)
    base_query = urlencode([(k, request.GET[k]) for k in FILTER_KEYS if request.GET.get(k)])
    is_regulator = scope.is_regulator or scope.is_admin
    counties = list(counties_visible_to(user).order_by("code")) if is_regulator else []
    errors = list(filters.errors)
    if filters.county and filters.county not in {c.pk for c in counties}:
        errors.append(_("所选县（区）不在您的管辖范围内"))
    owner = None
    if filters.owner:
        owner = organizations_visible_to(user, kind=Organization.Kind.OWNER).filter(pk=filters.owner).first()
        if owner is None:
            errors.append(_("所选使用单位不在您的管辖范围内"))
    qs = selectors.instrument_list(user, filters).select_related("owner", "region", "catalog_item")
    qs = qs.with_last_verified_on()
    page = _keyset_page(qs, request.GET, base_query)

    def without(key: str) -> str:
        return urlencode([(k, request.GET[k]) for k in FILTER_KEYS if request.GET.get(k) and k != key])

    # Conditions that have no control in the filter bar (they arrive by links) show as removable chips.
    chips = []
    if filters.owner:
        name = owner.name if owner is not None else _("不在管辖范围内的单位")
        chips.append((_("使用单位：%(name)s") % {"name": name}, without("owner")))
    if filters.mandatory is not None:
        chips.append((_("强制检定：是") if filters.mandatory else _("强制检定：否"), without("mandatory")))
    context = {
        "filters": filters,
        "errors": errors,
        "page": page,
        "counties": counties,
        "chips": chips,
        "catalog_items": CatalogItem.objects.filter(active=True).order_by("code"),
        "usages": Usage.choices,
        "statuses": [
            *Instrument.Status.choices,
            (FAILED, status_label(Instrument.Status.STOPPED, Instrument.StopReason.FAILED_VERIFICATION)),
        ],
        "due_states": DueState.choices,
        "base_query": base_query,
        "export_url": reverse("instruments:export") + ("?" + base_query if base_query else ""),
        "show_filters": is_regulator or scope.is_owner,
        "show_owner": is_regulator,
        "may_register": _may_register(request),
    }
    template = "instruments/_results.html" if is_htmx(request) else "instruments/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# ---- One instrument --------------------------------------------------------------------------------------


def _status_form(instrument: Instrument, data: Any = None) -> StatusForm | None:
    allowed = services.STATUS_TRANSITIONS[Instrument.Status(instrument.status)]
    if instrument.stopped_as_failed:
        # Back into use only through a passing verification (services.instrument_set_status refuses it too).
        allowed = allowed - {Instrument.Status.IN_USE}
    if not allowed:
        return None
    form = StatusForm(data)
    form.fields["status"].choices = [(s.value, s.label) for s in Instrument.Status if s in allowed]
    return form


def _render_detail(request: HttpRequest, instrument: Instrument, status_form: StatusForm | None) -> HttpResponse:
    item = instrument.catalog_item
    context = {
        "instrument": instrument,
        "item": item,
        "usage_labels": [Usage(u).label for u in item.usage_list if u in Usage.values] if item else [],
        "events": history.instrument_events(instrument),
        "records": selectors.instrument_records(request.user, instrument),
        "status_form": status_form if _may_register(request) else None,
        "may_edit": _may_register(request),
    }
    return render(request, "instruments/detail.html", context)


@require_GET
def instrument_detail(request: HttpRequest, pk: int) -> HttpResponse:
    instrument = _get(request, pk)
    return _render_detail(request, instrument, _status_form(instrument))


@require_POST
def instrument_status(request: HttpRequest, pk: int) -> HttpResponse:
    instrument = _get(request, pk)
    if not _may_register(request):
        raise Http404
    form = _status_form(instrument, request.POST)
    if form is None:
        messages.error(request, _("已报废的器具不能再变更状态"))
        return redirect("instruments:detail", pk=instrument.pk)
    saved = form_save(
        request,
        form,
        lambda data: services.instrument_set_status(
            actor=request.user,
            instrument_id=instrument.pk,
            status=data["status"],
            reason=data["reason"].strip(),
        ),
        missing_is_404=True,
    )
    if saved is not None:
        messages.success(request, _("状态已变更"))
        return redirect("instruments:detail", pk=instrument.pk)
    return _render_detail(request, instrument, form)


# ---- Create and edit ---------------------------------------------------------------------------------------


def _owner_options(request: HttpRequest) -> HttpResponse:
    term = request.GET.get("owner", "").strip()
    owners = organizations_visible_to(request.user, kind=Organization.Kind.OWNER)
    if term:
        owners = owners.filter(Q(name__icontains=term) | Q(credit_code__startswith=term.upper()))
    context = {"owners": owners.order_by("name")[:OWNER_OPTIONS_LIMIT]}
    return render(request, "instruments/_owner_options.html", context)


def _preview(request: HttpRequest, instrument: Instrument | None) -> HttpResponse:
    """The derived fields (mandatory, due date) for the values typed so far; nothing is saved.

    Registering: the date typed in the form; editing: the date of the instrument's last valid verification."""
    form = PreviewForm(request.GET)
    form.is_valid()
    item = form.cleaned_data.get("catalog_item")
    verified_on = instrument.last_verified_on if instrument is not None else form.cleaned_data.get("last_verified_on")
    draft = Instrument(usage=form.cleaned_data.get("usage") or "")
    services.derive(draft, item, verified_on)
    return render(request, "instruments/_derived.html", {"draft": draft, "item": item, "verified_on": verified_on})


def _helper_response(request: HttpRequest, instrument: Instrument | None = None) -> HttpResponse | None:
    """Answers the form's HTMX helpers (owner suggestions, derived-field preview), or None."""
    if not is_htmx(request) or request.method != "GET":
        return None
    if request.GET.get("helper") == "owners":
        return _owner_options(request)
    if request.GET.get("helper") == "preview":
        return _preview(request, instrument)
    return None


@require_http_methods(["GET", "POST"])
def instrument_create(request: HttpRequest) -> HttpResponse:
    if not _may_register(request):
        raise PermissionDenied
    with_owner = not scope_of(request.user).is_owner
    helper = _helper_response(request)
    if helper is not None:
        return helper
    form = InstrumentForm(request.POST or None, user=request.user, with_owner=with_owner)
    saved = form_save(
        request,
        form,
        lambda data: services.instrument_create(actor=request.user, owner=data.get("owner"), **form.service_data()),
    )
    if saved is not None:
        instrument = saved.value
        messages.success(request, _("已登记计量器具“%(name)s”") % {"name": instrument})
        return redirect("instruments:detail", pk=instrument.pk)
    return render(request, "instruments/form.html", {"form": form, "instrument": None, "draft": None})


@require_http_methods(["GET", "POST"])
def instrument_edit(request: HttpRequest, pk: int) -> HttpResponse:
    instrument = _get(request, pk)
    if not _may_register(request):
        raise Http404
    helper = _helper_response(request, instrument)
    if helper is not None:
        return helper
    form = InstrumentForm(
        request.POST or None, initial=initial_from(instrument), user=request.user, with_owner=False, creating=False
    )
    saved = form_save(
        request,
        form,
        lambda data: services.instrument_update(actor=request.user, instrument_id=instrument.pk, **form.service_data()),
        missing_is_404=True,
    )
    if saved is not None:
        messages.success(request, _("修改已保存"))
        return redirect("instruments:detail", pk=instrument.pk)
    context = {"form": form, "instrument": instrument, "draft": instrument, "verified_on": instrument.last_verified_on}
    return render(request, "instruments/form.html", context)
