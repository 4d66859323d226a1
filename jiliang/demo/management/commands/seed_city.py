"""``manage.py seed_city --seed 1 --instruments 50000 [--city yanan|fuxin|both] [--size yanan=30000 …] [--if-empty]
[--today YYYY-MM-DD] [--no-history]``: build the demo's cities (延安市 and 阜新市, each with its own plan), then a
year of one-window history in them (:mod:`jiliang.demo.history`) unless ``--no-history`` (and, for a city whose
plan has ended, Fuxin 2015–2020, a thin history over its plan period: :mod:`jiliang.demo.history.past`), then each
city's indicator snapshots: the month ends of the past 12 months and the day itself, and for a city whose plan has ended (Fuxin,
2015–2020) the year ends of its plan period too, so that the plan dashboards show trends from the first login
(:mod:`jiliang.indicators.services.plans`)."""

from __future__ import annotations

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from jiliang.core import clock
from jiliang.core.commands import iso_date
from jiliang.core.models import Region
from jiliang.demo import city, history, supervision
from jiliang.demo.names import CITIES
from jiliang.indicators.models import Evaluation, Plan
from jiliang.indicators.selectors.plans import month_ends
from jiliang.indicators.services.evaluations import evaluation_create, evaluation_publish
from jiliang.indicators.services.plans import snapshot_take
from jiliang.metrology.draw import CalendarYearMissing
from jiliang.supervision.models import Case
from jiliang.verification.models import ServiceRequest

# Below this many instruments the build takes a second or two: no progress lines.
PROGRESS_FROM = 20_000
# Indicator snapshots: the last day of each of this many months before the seed's day, and the day itself.
SNAPSHOT_MONTHS = 12


class Command(BaseCommand):
    help = "Build the deterministic demo cities (regions, authorities, synthetic owners, instruments, demo users)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="random seed; the same seed gives the same city")
        parser.add_argument(
            "--instruments",
            type=int,
            default=city.DEFAULT_INSTRUMENTS,
            help="number of instruments, shared by the cities built (by their shares in cities.toml)",
        )
        parser.add_argument(
            "--city",
            dest="which",
            choices=[*CITIES, "both"],
            default="both",
            help="which city to build (default: both)",
        )
        parser.add_argument(
            "--size",
            action="append",
            default=[],
            metavar="CITY=N",
            help="instruments of one city (repeatable); overrides its share of --instruments",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the database already has organizations"
        )
        parser.add_argument("--today", type=str, default="", help="the day the city is built for (default: today)")
        parser.add_argument(
            "--no-history",
            action="store_true",
            help="build the city only, without the year of requests and certificates",
        )

    def handle(
        self,
        *args,
        seed: int,
        instruments: int,
        if_empty: bool,
        today: str,
        no_history: bool = False,
        which: str = "both",
        size: list[str] | None = None,
        **options,
    ) -> None:
        day = iso_date(today) if today else clock.today()
        if instruments < 0:
            raise CommandError(_("计量器具数量不能为负数"))
        sizes = self._sizes(instruments, which, size or [])
        if not city.database_is_empty():
            if if_empty:
                self.stdout.write(_("数据库中已有数据，跳过演示城市的生成。"))
                return
            raise CommandError(_("数据库中已有单位或计量器具，演示城市只能生成在空数据库中（或使用 --if-empty）"))
        self.stdout.write(
            _("正在生成演示城市：种子 %(seed)s，计量器具 %(n)s 件（%(cities)s），基准日 %(day)s")
            % {
                "seed": seed,
                "n": sum(sizes.values()),
                "cities": "、".join(f"{CITIES[k].name} {n}" for k, n in sizes.items()),
                "day": day.isoformat(),
            }
        )
        start = time.perf_counter()
        progress = self.stdout.write if sum(sizes.values()) >= PROGRESS_FROM else None
        try:
            result = city.build_city(seed=seed, today=day, cities=sizes, progress=progress)
        except city.CityExistsError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.perf_counter() - start
        if result.skipped_users:
            self.stdout.write(
                self.style.WARNING(
                    _("以下用户名已被占用，未创建对应的演示用户：%(names)s")
                    % {"names": "、".join(result.skipped_users)}
                )
            )
        states = result.due_states
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "已生成：单位 %(orgs)s 家（其中使用单位 %(owners)s 家），计量器具 %(n)s 件，用时 %(s).1f 秒。"
                    "在用强检器具：有效 %(valid)s，即将到期 %(soon)s，已超期 %(overdue)s，未检定 %(never)s。"
                )
                % {
                    "orgs": result.organizations,
                    "owners": result.owners,
                    "n": result.instruments,
                    "s": seconds,
                    "valid": states["valid"],
                    "soon": states["due_soon"],
                    "overdue": states["overdue"],
                    "never": states["never"],
                }
            )
        )
        if not no_history:
            self._history(seed=seed, day=day, progress=progress)
            try:
                # All or nothing: a year the working-day calendar lacks stops it with the calendar's own message.
                with transaction.atomic():
                    self._supervision(seed=seed, day=day)
                    self._cases(seed=seed, day=day)
            except CalendarYearMissing as exc:
                self.stdout.write(self.style.WARNING(_("未生成双随机监管演示数据：%(reason)s") % {"reason": exc}))
        self._snapshots(day=day, progress=progress)
        self._evaluations(day=day)

    def _sizes(self, instruments: int, which: str, sizes: list[str]) -> dict[str, int]:
        keys = list(CITIES) if which == "both" else [which]
        result = city.city_sizes(instruments, keys)
        for one in sizes:
            key, _sep, n = one.partition("=")
            if key not in result or not n.isdigit():
                raise CommandError(
                    _("--size 应写作 城市=件数，城市为 %(keys)s 之一：%(value)s")
                    % {"keys": "、".join(keys), "value": one}
                )
            result[key] = int(n)
        return result

    def _history(self, *, seed: int, day: date, progress) -> None:
        self.stdout.write(_("正在生成近一年的检定业务（申请、检定记录、证书）……"))
        start = time.perf_counter()
        try:
            result = history.build_history(seed=seed, today=day, progress=progress)
        except history.HistoryUnavailable as exc:
            self.stdout.write(self.style.WARNING(str(exc)))
            return
        seconds = time.perf_counter() - start
        labels = dict(ServiceRequest.Status.choices)
        states = "、".join(f"{labels[s]} {n}" for s, n in result.requests.items() if s in labels)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "已生成检定业务：服务申请 %(total)s 件（%(states)s；超时 %(late)s 件），"
                    "检定证书 %(verification)s 份、检定结果通知书 %(failure)s 份、校准证书 %(calibration)s 份，"
                    "更正替代 %(superseded)s 份，撤销 %(revoked)s 份，减免检定费 %(waived)s 元，用时 %(s).1f 秒。"
                )
                % {
                    "total": sum(result.requests.values()),
                    "states": states,
                    "late": result.late,
                    "verification": result.certificates.get("verification", 0),
                    "failure": result.certificates.get("failure_notice", 0),
                    "calibration": result.certificates.get("calibration", 0),
                    "superseded": result.superseded,
                    "revoked": result.revoked,
                    "waived": f"{result.waived:.2f}",
                    "s": seconds,
                }
            )
        )
        for name, past in result.past.items():
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "其中%(city)s规划期（%(first)s—%(last)s年）：服务申请 %(requests)s 件，证书 %(certificates)s 份；"
                        "为此补充了当时的计量标准考核证书 %(standards)s 项、计量授权 %(authorizations)s 项、"
                        "检定员资格 %(qualifications)s 项。"
                    )
                    % {
                        "city": name,
                        "first": past.first_year,
                        "last": past.last_year,
                        "requests": past.requests,
                        "certificates": past.certificates,
                        "standards": past.standards,
                        "authorizations": past.authorizations,
                        "qualifications": past.qualifications,
                    }
                )
            )

    def _supervision(self, *, seed: int, day: date) -> None:
        start = time.perf_counter()
        result = supervision.build_supervision(seed=seed, today=day)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "已生成双随机监管：执法人员 %(inspectors)s 名，专项检查 %(campaigns)s 项，抽查任务 %(tasks)s 项（公开抽取 %(drawn)s 户），用时 %(s).1f 秒。"
                )
                % {
                    "inspectors": result.inspectors,
                    "campaigns": result.campaigns,
                    "tasks": result.tasks,
                    "drawn": result.drawn,
                    "s": time.perf_counter() - start,
                }
            )
        )
        start = time.perf_counter()
        done = supervision.build_inspections(seed=seed, today=day)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "已生成现场检查 %(n)s 户（责令改正 %(orders)s 件，已回复 %(replies)s 件，公示结果 %(published)s 户），用时 %(s).1f 秒。"
                )
                % {
                    "n": done.inspections,
                    "orders": done.orders,
                    "replies": done.replies,
                    "published": done.published,
                    "s": time.perf_counter() - start,
                }
            )
        )

    def _cases(self, *, seed: int, day: date) -> None:
        start = time.perf_counter()
        done = supervision.build_cases(seed=seed, today=day)
        labels = {**dict(Case.Status.choices), "revoked": _("已撤销处罚决定")}
        states = "、".join(f"{labels[state]} {n}" for state, n in sorted(done.by_state.items()))
        self.stdout.write(
            self.style.SUCCESS(
                _("已生成行政处罚案件 %(n)s 件（%(states)s），用时 %(s).1f 秒。")
                % {"n": done.cases, "states": states, "s": time.perf_counter() - start}
            )
        )

    def _snapshots(self, *, day: date, progress) -> None:
        start = time.perf_counter()
        rows = 0
        days_taken = 0
        for one in Region.objects.filter(level=Region.Level.CITY).order_by("code"):
            days = snapshot_days(one, day)
            self.stdout.write(_("正在生成%(city)s的指标快照：共 %(days)s 天……") % {"city": one.name, "days": len(days)})
            for when in days:
                run = snapshot_take(day=when, city=one)
                rows += run.rows
                days_taken += 1
                if progress:
                    progress(
                        _("已生成 %(day)s 的指标快照：%(rows)s 行，用时 %(s).1f 秒")
                        % {"day": when.isoformat(), "rows": run.rows, "s": run.seconds}
                    )
        self.stdout.write(
            self.style.SUCCESS(
                _("已生成指标快照：%(days)s 个城市日，共 %(rows)s 行，用时 %(s).1f 秒。")
                % {"days": days_taken, "rows": rows, "s": time.perf_counter() - start}
            )
        )

    def _evaluations(self, *, day: date) -> None:
        """For each city plan that has ended (Fuxin 2015–2020), the evaluations it required: the mid-term as of the
        end of its second year and the final as of its last day; the final is published (``/open/``)."""
        for plan in Plan.objects.filter(region__isnull=False, period_end__lt=day.year).select_related("region"):
            if plan.period_end - plan.period_start >= 2:
                evaluation_create(
                    actor=None, kind=Evaluation.Kind.MID_TERM, day=date(plan.period_start + 1, 12, 31), city=plan.region
                )
            final = evaluation_create(
                actor=None, kind=Evaluation.Kind.FINAL, day=date(plan.period_end, 12, 31), city=plan.region
            )
            evaluation_publish(actor=None, evaluation_id=final.pk)
            self.stdout.write(
                self.style.SUCCESS(
                    _("已生成%(city)s的中期评估与总结评估报告，并公开总结评估报告（%(day)s）。")
                    % {"city": plan.region.name, "day": final.day.isoformat()}
                )
            )


def snapshot_days(region: Region, day: date) -> list[date]:
    """The days a city's snapshots are taken on: the month ends of the past :data:`SNAPSHOT_MONTHS` months and
    ``day``; and, for each of its own plans that ended before ``day``'s year (Fuxin 2015–2020), the last day of every year of
    the plan's period, so that its dashboard shows the path and its evaluations have figures to quote."""
    days = set(month_ends(day, SNAPSHOT_MONTHS))
    for plan in Plan.objects.filter(region=region, period_end__lt=day.year).order_by("code"):
        for year in range(plan.period_start, min(plan.period_end, day.year - 1) + 1):
            days.add(date(year, 12, 31))
    return sorted(days)
