"""The traceability chain of a standard up to the SI: a graph and a table of its links, on a chosen day.

Thin views: parse the request, call one selector in ``selectors.traceability`` (scoped; an out-of-scope standard is
a 404 like a missing one), render. Reverse traceability and the recall list, which list the instrument certificates
issued down the chain, are verification's pages (``jiliang.verification.views.recall``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jiliang.core import clock

from ..forms.traceability import DayForm
from ..selectors import traceability as trace_selectors
from ..selectors.traceability import Graph, LinkState, link_state_labels

# Link colours (they match the badge colours in app.css).
STATE_COLORS = {
    LinkState.VALID: "#2e9d5b",
    LinkState.EXPIRING: "#f0a020",
    LinkState.EXPIRED: "#d64541",
    LinkState.NOT_YET_VALID: "#d64541",
    LinkState.MISSING: "#d64541",
    LinkState.STRUCTURAL: "#9aa5b1",
}
STATE_BADGES = {
    LinkState.VALID: "due-valid",
    LinkState.EXPIRING: "due-due_soon",
    LinkState.EXPIRED: "due-overdue",
    LinkState.NOT_YET_VALID: "due-overdue",
    LinkState.MISSING: "due-overdue",
    LinkState.STRUCTURAL: "due-na",
}


# ---- The chain -------------------------------------------------------------------------------------------------


def _layout(graph: Graph) -> dict[str, tuple[float, int]]:
    """x (0..1) and level of every node: levels bottom (the standard) to top (SI); within a level, nodes sit
    under the average position of the nodes they connect to below, so lines cross as little as possible."""
    by_level: dict[int, list[str]] = {}
    for key, node in graph.nodes.items():
        by_level.setdefault(node.level, []).append(key)
    below: dict[str, list[str]] = {}
    for e in graph.edges:
        if not e.target:
            continue
        lower, upper = (e.target, e.source) if e.kind == "part" else (e.source, e.target)
        below.setdefault(upper, []).append(lower)
    x: dict[str, float] = {}
    for level in sorted(by_level):
        keys = by_level[level]

        def anchor(key: str) -> float:
            xs = [x[k] for k in below.get(key, []) if k in x]
            return sum(xs) / len(xs) if xs else 0.5

        keys.sort(key=lambda k: (anchor(k), k))
        for index, key in enumerate(keys):
            x[key] = (index + 1) / (len(keys) + 1)
    return {key: (x[key], graph.nodes[key].level) for key in graph.nodes}


def _chart(graph: Graph, visible: set[int]) -> dict[str, Any]:
    labels = link_state_labels()
    kind_labels = {
        "standard": _("计量标准"),
        "equipment": _("标准设备"),
        "authority": _("外部溯源机构"),
        "si": _("国际单位制（SI）"),
    }
    positions = _layout(graph)
    nodes = []
    for key, node in graph.nodes.items():
        x, level = positions[key]
        url = ""
        if node.kind == "standard" and node.obj_id in visible and key != graph.root:
            url = reverse("trace:chain", args=[node.obj_id])
        nodes.append(
            {
                "id": key,
                "kind": node.kind,
                "kind_label": kind_labels[node.kind],
                "name": node.label,
                "detail": node.detail if node.kind != "authority" else "",
                "x": x,
                "level": level,
                "root": key == graph.root,
                "valid": node.valid,
                "reasons": node.reasons,
                "url": url,
            }
        )
    links = []
    for e in graph.edges:
        if not e.target:
            continue
        links.append(
            {
                "source": e.source,
                "target": e.target,
                "kind": e.kind,
                "state": e.state,
                "state_label": labels[e.state],
                "color": STATE_COLORS[e.state],
                "broken": e.broken,
                "number": e.number,
                "issued_on": e.issued_on.isoformat() if e.issued_on else "",
                "valid_until": e.valid_until.isoformat() if e.valid_until else "",
            }
        )
    legend = [
        {"state": s, "label": labels[s], "color": STATE_COLORS[s]}
        for s in (LinkState.VALID, LinkState.EXPIRING, LinkState.EXPIRED, LinkState.STRUCTURAL)
    ]
    return {
        "nodes": nodes,
        "links": links,
        "levels": graph.top_level + 1,
        "legend": legend,
        "text": {
            "certificate": _("证书编号"),
            "issued_on": _("发证日期"),
            "valid_until": _("有效期至"),
            "valid": _("有效"),
            "invalid": _("无效"),
            "broken": _("断链"),
        },
    }


def _rows(graph: Graph) -> list[dict[str, Any]]:
    """The certificate links as table rows, from the standard asked about upward."""
    labels = link_state_labels()
    owner = {e.source: e.target for e in graph.edges if e.kind == "part"}
    rows = []
    for e in sorted(graph.certificate_edges, key=lambda e: (graph.nodes[e.source].level, e.source)):
        equipment = graph.nodes[e.source]
        standard = graph.nodes[owner[e.source]]
        issuer = graph.nodes.get(e.target)
        rows.append(
            {
                "level": equipment.level // 2 + 1,
                "standard": standard,
                "equipment": equipment,
                "issuer": issuer,
                "edge": e,
                "state_label": labels[e.state],
                "badge": STATE_BADGES[e.state],
                "loop": (e.source, e.target) in graph.cycles,
            }
        )
    return rows


@require_GET
def chain(request: HttpRequest, pk: int) -> HttpResponse:
    form = DayForm(request.GET or None)
    day = clock.today()
    if form.is_valid() and form.cleaned_data["day"]:
        day = form.cleaned_data["day"]
    standard, graph = trace_selectors.standard_chain(request.user, pk, day)
    ids = {n.obj_id for n in graph.nodes.values() if n.kind == "standard" and n.obj_id is not None}
    visible = trace_selectors.visible_standard_ids(request.user, ids)
    root = graph.nodes[graph.root]
    context = {
        "standard": standard,
        "graph": graph,
        "root": root,
        "day": day,
        "form": form,
        "chart": _chart(graph, visible),
        "rows": _rows(graph),
        "standards": sorted(
            (n for n in graph.nodes.values() if n.kind == "standard"), key=lambda n: (n.level, n.label)
        ),
        "broken_count": len(graph.broken_edges),
        "legend": _chart_legend(),
    }
    return render(request, "standards/trace_chain.html", context)


def _chart_legend() -> list[dict[str, str]]:
    labels = link_state_labels()
    return [
        {"label": labels[s], "color": STATE_COLORS[s], "state": s}
        for s in (LinkState.VALID, LinkState.EXPIRING, LinkState.EXPIRED, LinkState.STRUCTURAL)
    ]
