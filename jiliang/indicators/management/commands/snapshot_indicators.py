"""``manage.py snapshot_indicators [--date YYYY-MM-DD] [--city CODE] [--backfill-months N]``: store every
indicator of the plans each city follows, for the city and each county (:func:`~jiliang.indicators.services.plans.
snapshot_take`). Run it nightly from cron (say at 01:00); a second run for the same day replaces that day's rows.
``--backfill-months N`` also takes the last day of each of the N months before the date (a new city's history)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jiliang.core import clock
from jiliang.core.commands import iso_date
from jiliang.core.models import Region
from jiliang.indicators.selectors.plans import month_ends
from jiliang.indicators.services.plans import snapshot_days


class Command(BaseCommand):
    help = (
        "Take the indicator snapshots of a day (default: today) for every city, or one: each indicator of the "
        "plans the city follows, for the city and each county. Idempotent per day (a rerun replaces the day)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", dest="day", default="", help="the snapshot day, YYYY-MM-DD (default: today)")
        parser.add_argument("--city", default="", help="only this city (its region code, e.g. 210900)")
        parser.add_argument(
            "--backfill-months",
            type=int,
            default=0,
            help="also the last day of each of the N months before the date",
        )

    def handle(self, *args, day: str = "", city: str = "", backfill_months: int = 0, **options) -> None:
        the_day = iso_date(day) if day else clock.today()
        if backfill_months < 0:
            raise CommandError(_("补算月数不能为负数：%(n)s") % {"n": backfill_months})
        region = None
        if city:
            region = Region.objects.filter(code=city, level=Region.Level.CITY).first()
            if region is None:
                raise CommandError(_("没有代码为 %(code)s 的市级行政区域") % {"code": city})
        elif not Region.objects.filter(level=Region.Level.CITY).exists():
            raise CommandError(_("数据库中还没有市级行政区域，无从生成指标快照"))
        days = month_ends(the_day, backfill_months)
        progress = self.stdout.write if options.get("verbosity", 1) >= 2 else None
        runs = snapshot_days(days, city=region, actor=None, progress=progress)
        for run in runs:
            if options.get("verbosity", 1) >= 1 and len(runs) > 1:
                self.stdout.write(
                    _("%(day)s：%(rows)s 行，用时 %(s).1f 秒")
                    % {"day": run.day.isoformat(), "rows": run.rows, "s": run.seconds}
                )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "已生成指标快照：%(cities)s 个城市，%(days)s 天（%(first)s 至 %(last)s），共 %(rows)s 行，用时 %(s).1f 秒。"
                )
                % {
                    "cities": max((r.cities for r in runs), default=0),
                    "days": len(runs),
                    "first": runs[0].day.isoformat(),
                    "last": runs[-1].day.isoformat(),
                    "rows": sum(r.rows for r in runs),
                    "s": sum(r.seconds for r in runs),
                }
            )
        )
