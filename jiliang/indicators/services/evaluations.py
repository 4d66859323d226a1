"""Evaluation reports: making one (the .xlsx, the PDF and the figures, for every plan a city follows, as of a day)
and publishing it. Who may read which is in ``selectors.evaluations``.

Who makes and publishes: the regulator of a city-level bureau for its own city, and the admin for any city. The
management command runs as the system (``actor=None``).

A report is never edited or deleted: a later report supersedes by being later. Publishing is the one change it
takes, once (a second publish is refused). This module is the only writer of :class:`Evaluation`; the files are
built before the transaction opens (a PDF takes a moment), and the row and its audit event are written together.
"""

from __future__ import annotations

import hashlib
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from jiliang.core import audit, clock
from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import Region, User

from ..formats import report_pdf, report_text, report_xlsx
from ..models import Evaluation
from ..selectors.evaluations import _FILES, Actor, _scope, may_manage_evaluations, reporting_city
from ..selectors.plans import may_read_region_figures, plan_dashboard, plans_followed_by

ACTION_CREATE = "indicators.evaluation.create"
ACTION_PUBLISH = "indicators.evaluation.publish"


# ---- who ----------------------------------------------------------------------------------------------------------


def _may_report_for(actor: Actor, city: Region) -> bool:
    if actor is None:  # the system (manage.py evaluation_report)
        return True
    if _scope(actor).is_admin:
        return True
    own = reporting_city(actor)
    # A report holds the city's figures and each county's: the reader must read them all (selectors' one rule).
    return own is not None and own.pk == city.pk and may_read_region_figures(_user_or_none(actor), city)


def _city_for(actor: Actor, city: Region | None) -> Region:
    """The city the report is about: the one asked for, else the actor's own (or the only city there is)."""
    if actor is not None and not may_manage_evaluations(actor):
        raise NotFoundOrForbidden(_("只有市级监管部门和平台管理员可以生成评估报告"))
    if city is None:
        city = reporting_city(actor)
    if city is None:
        cities = list(Region.objects.filter(level=Region.Level.CITY)[:2])
        if len(cities) != 1:
            raise DomainError(_("请选择城市"), field="city")
        city = cities[0]
    if city.level != Region.Level.CITY:
        raise DomainError(_("评估报告按城市生成：请选择市级行政区域"), field="city")
    if not _may_report_for(actor, city):
        raise NotFoundOrForbidden(_("城市不存在或无权查看"))
    return city


def _user_or_none(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


# ---- services -----------------------------------------------------------------------------------------------------


def evaluation_create(*, actor: Actor, kind: str, day: date, city: Region | None = None) -> Evaluation:
    """Make the report of ``city``'s plans as of ``day``: one dashboard per plan the city follows (the snapshot of
    ``day`` or the latest before it), the workbook, the PDF and the figures; save them with an audit event."""
    city = _city_for(actor, city)
    if kind not in Evaluation.Kind.values:
        raise DomainError(_("评估类型无效"), field="kind")
    if not isinstance(day, date):
        raise DomainError(_("评估基准日无效"), field="day")
    if day > clock.today():
        raise DomainError(_("评估基准日不得晚于今天"), field="day")
    plans = plans_followed_by(city)
    if not plans:
        raise DomainError(_("该城市没有执行中的规划"), field="city")
    boards = [plan_dashboard(plan, region=city, day=day, live=False) for plan in plans]
    if all(board.day is None for board in boards):
        raise DomainError(
            _("%(day)s 及之前尚无指标快照，无法评估；请先计算指标快照（manage.py snapshot_indicators）")
            % {"day": day.isoformat()},
            field="day",
        )
    generated_at = clock.now()
    xlsx = report_xlsx.build_xlsx(boards, city=city, day=day, kind=kind, generated_at=generated_at)
    pdf = report_pdf.build_pdf(boards, city=city, day=day, kind=kind, generated_at=generated_at)
    figures = report_text.figures_json(boards, city=city, day=day, kind=kind, generated_at=generated_at)
    with transaction.atomic():
        evaluation = Evaluation.objects.create(
            city=city,
            kind=kind,
            day=day,
            title=report_text.report_title(city=city, kind=kind),
            figures=figures,
            xlsx=xlsx,
            pdf=pdf,
            created_at=generated_at,
            created_by=_user_or_none(actor),
        )
        audit.record(
            actor=_user_or_none(actor),
            action=ACTION_CREATE,
            obj=evaluation,
            changes={
                "city": city.code,
                "kind": kind,
                "day": day.isoformat(),
                "plans": [board.plan.code for board in boards],
                "counts": figures["counts"],
                # The files' digests: what was produced can be checked against the audit log later.
                "xlsx_sha256": hashlib.sha256(xlsx).hexdigest(),
                "pdf_sha256": hashlib.sha256(pdf).hexdigest(),
            },
        )
    return evaluation


def evaluation_publish(*, actor: Actor, evaluation_id: int) -> Evaluation:
    """Publish the report on the public disclosure pages. Once: a published report cannot be published again (nor
    withdrawn — a correction is a later report)."""
    if actor is not None and not may_manage_evaluations(actor):
        raise NotFoundOrForbidden(_("评估报告不存在或无权查看"))
    with transaction.atomic():
        # Locked so that two regulators pressing "publish" together publish once (PostgreSQL; SQLite takes the
        # write lock at BEGIN IMMEDIATE, which serialises them the same way).
        evaluation = Evaluation.objects.select_for_update().defer(*_FILES).filter(pk=evaluation_id).first()
        if evaluation is None or not _may_report_for(actor, evaluation.city):
            raise NotFoundOrForbidden(_("评估报告不存在或无权查看"))
        if evaluation.published_at is not None:
            raise DomainError(
                _("该评估报告已于 %(at)s 公开，不能重复公开")
                % {"at": report_text.local_time(evaluation.published_at).strftime("%Y-%m-%d %H:%M")},
                code="conflict",
            )
        evaluation.published_at = clock.now()
        evaluation.published_by = _user_or_none(actor)
        # The only update an Evaluation ever takes: these two fields, from empty.
        evaluation.save(update_fields=["published_at", "published_by"])
        audit.record(
            actor=_user_or_none(actor),
            action=ACTION_PUBLISH,
            obj=evaluation,
            changes={"published_at": evaluation.published_at.isoformat()},
        )
    return evaluation
