"""Pydantic schemas of the supervision API: plans, tasks and their draws."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from jiliang.core.web.schemas import PageOut, PageQuery, RefOut, text

from ..models import AnnualPlan, Draw, Task


class PlanOut(Schema):
    id: int
    year: int
    title: str
    status: str
    status_label: str
    bureau: RefOut
    filed_on: date | None

    @staticmethod
    def from_plan(plan: AnnualPlan) -> dict[str, Any]:
        return {
            "id": plan.pk,
            "year": plan.year,
            "title": plan.title,
            "status": plan.status,
            "status_label": str(plan.get_status_display()),
            "bureau": {"id": plan.bureau_id, "name": plan.bureau.name},
            "filed_on": plan.filed_on,
        }


class PlanPageOut(PageOut):
    items: list[PlanOut]


class DrawOut(Schema):
    id: int
    round: int
    status: str
    redraw_reason: str
    commitment_digest: str
    committed_at: datetime
    seed_source: str
    seed: str = Field(description="录入种子前为空 / empty until the seed is entered")
    seeded_at: datetime | None
    drawn: dict[str, list[str]] = Field(
        description="各分类抽中的统一社会信用代码，按序 / drawn credit codes per stratum"
    )
    teams: dict[str, list[str]] = Field(description="每户的执法证号 / each target's inspectors by certificate number")

    @staticmethod
    def from_draw(draw: Draw) -> dict[str, Any]:
        document = draw.document or {}
        return {
            "id": draw.pk,
            "round": draw.round,
            "status": draw.status,
            "redraw_reason": draw.redraw_reason,
            "commitment_digest": draw.commitment_digest,
            "committed_at": draw.committed_at,
            "seed_source": draw.commitment.get("seed_source", ""),
            "seed": draw.seed,
            "seeded_at": draw.seeded_at,
            "drawn": document.get("drawn", {}),
            "teams": document.get("teams", {}),
        }


class TaskOut(Schema):
    id: int
    number: str
    name: str
    kind: str
    status: str
    status_label: str
    plan: RefOut
    items: list[str] = Field(description="抽查事项编号 / item codes")
    quotas: dict[str, int | str]
    per_target: int
    starts_on: date
    ends_on: date
    draws: list[DrawOut]

    @staticmethod
    def from_task(task: Task) -> dict[str, Any]:
        """Expects ``items`` and ``draws`` prefetched."""
        return {
            "id": task.pk,
            "number": task.number,
            "name": task.name,
            "kind": task.kind,
            "status": task.status,
            "status_label": str(task.get_status_display()),
            "plan": {"id": task.plan_id, "name": task.plan.title},
            "items": sorted(item.code for item in task.items.all()),
            "quotas": task.quotas,
            "per_target": task.per_target,
            "starts_on": task.starts_on,
            "ends_on": task.ends_on,
            "draws": [DrawOut.from_draw(draw) for draw in sorted(task.draws.all(), key=lambda d: d.round)],
        }


class TaskPageOut(PageOut):
    items: list[TaskOut]


class PlanListQuery(PageQuery):
    year: int | None = Field(None, ge=2000, le=2100)


class TaskListQuery(PageQuery):
    plan: int | None = Field(None, ge=1, le=2**63 - 1)
    status: str | None = Field(None, max_length=16)


class CommitIn(Schema):
    seed_source: text(300, min_length=1)  # type: ignore[valid-type]
    seed_hash: text(64) = ""  # type: ignore[valid-type]
    redraw_reason: text(1000) = ""  # type: ignore[valid-type]


class SeedIn(Schema):
    seed: text(300, min_length=1)  # type: ignore[valid-type]
