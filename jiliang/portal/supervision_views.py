"""Public pages of 双随机、一公开 (no login): /open/draws/ lists the tasks whose rosters are frozen; a task's page
shows each round of its draw (the commitment published before the seed, then the seed and the result, a redraw
marked with its reason); each round's JSON document is what ``docs/supervision/recompute_draw.py`` and
``manage.py verify_draw`` recompute. A task still in draft answers 404 exactly like a missing one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_safe

from jiliang.core.web.http import page_of
from jiliang.supervision.models import Draw
from jiliang.supervision.selectors import plans as supervision
from jiliang.supervision.selectors import publication

from . import pages


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return pages.respond(request, render_to_string(template, {**context, **pages.SLOTS}))


@login_not_required
@require_safe
def draws_index(request: HttpRequest) -> HttpResponse:
    page = page_of(request, supervision.public_tasks().order_by("-starts_on", "number"))
    return _page(request, "portal/draws.html", {"page": page, "tasks": page.object_list})


@login_not_required
@require_safe
def draws_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = supervision.public_task_get(pk)
    rounds = []
    for draw in task.draws.order_by("-round"):
        names = draw.roster.get("names", {})
        drawn = []
        if draw.status != Draw.Status.COMMITTED and draw.document:
            teams = draw.document.get("teams", {})
            for stratum, ids in draw.document.get("drawn", {}).items():
                for rank, code in enumerate(ids, start=1):
                    drawn.append(
                        {
                            "stratum": stratum,
                            "rank": rank,
                            "code": code,
                            "name": names.get(code, ""),
                            "team": [names.get(cert, cert) for cert in teams.get(code, [])],
                        }
                    )
        rounds.append({"draw": draw, "commitment": draw.commitment, "drawn": drawn})
    results = [row.body for row in publication.public_results_of_task(task.pk)]
    context = {"task": task, "rounds": rounds, "results": results, "script_url": reverse("draws:script")}
    return _page(request, "portal/draw_detail.html", context)


@login_not_required
@require_safe
def draws_results(request: HttpRequest) -> HttpResponse:
    """Every published spot-check result, newest first (those of a task and those of a campaign alike)."""
    page = page_of(request, publication.public_results().order_by("-published_at", "-id"))
    return _page(request, "portal/results.html", {"page": page, "results": [row.body for row in page.object_list]})


def public_document(draw: Draw) -> dict[str, Any]:
    """What a round publishes: before the seed, the commitment; after it, the whole draw document. ``labels``
    (display names of the ids) and ``task_name`` ride along; the recomputation ignores them."""
    task = draw.task
    body: dict[str, Any] = dict(draw.document) if draw.document else {"commitment": draw.commitment}
    body["status"] = draw.status
    body["round"] = draw.round
    body["redraw_reason"] = draw.redraw_reason
    body["task_name"] = task.name
    body["bureau"] = task.plan.bureau.name
    if draw.document:
        body["labels"] = draw.roster.get("names", {})
    return body


SCRIPT = "recompute_draw.py"


@login_not_required
@require_safe
def draws_script(request: HttpRequest) -> HttpResponse:
    """The standalone recomputation script (docs/supervision/recompute_draw.py, Python standard library only), so
    that a citizen can check a draw without the platform's code. 404 where the docs are not installed."""
    path = Path(settings.BASE_DIR) / "docs" / "supervision" / SCRIPT
    if not path.is_file():
        raise Http404
    response = HttpResponse(path.read_bytes(), content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{SCRIPT}"'
    return response


@login_not_required
@require_safe
def draws_json(request: HttpRequest, pk: int) -> HttpResponse:
    draw = supervision.public_draw_get(pk)
    text = json.dumps(public_document(draw), ensure_ascii=False, sort_keys=True, indent=1)
    response = HttpResponse(text, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="draw-{draw.task.number}-{draw.round}.json"'
    return response
