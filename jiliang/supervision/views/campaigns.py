"""Pages of special campaigns: the list, a new one, and a campaign's dashboard by county. Regulators only."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jiliang.core.web.forms import form_save
from jiliang.core.web.http import page_of

from ..forms.campaigns import CampaignForm
from ..selectors import campaigns as selectors
from ..selectors.rosters import is_supervisor
from ..services import campaigns as services


def _reader(request: HttpRequest) -> None:
    if not is_supervisor(request.user):
        raise Http404


@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    _reader(request)
    rows = selectors.campaigns_visible_to(request.user).select_related("bureau").order_by("-starts_on", "id")
    page = page_of(request, rows)
    context = {
        "rows": page.object_list,
        "page": page,
        "query": "",
        "may_create": selectors.may_create_campaign(request.user),
    }
    return render(request, "supervision/campaigns/list.html", context)


@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    _reader(request)
    if not selectors.may_create_campaign(request.user):
        raise Http404
    form = CampaignForm(request.POST or None)
    saved = form_save(request, form, lambda data: services.campaign_create(actor=request.user, **data))
    if saved:
        messages.success(request, _("已创建专项检查"))
        return redirect("supervision:campaign_detail", saved.value.pk)
    return render(request, "supervision/campaigns/form.html", {"form": form})


@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    campaign = selectors.campaign_get(request.user, pk)
    board = selectors.campaign_dashboard(campaign)
    context = {"campaign": campaign, "board": board, "totals": board.totals, "chart": board.chart()}
    return render(request, "supervision/campaigns/detail.html", context)
