"""``manage.py evaluation_report --date YYYY-MM-DD [--kind mid_term|final|annual] [--city CODE] [--out DIR]
[--publish]``: make the evaluation report of a city's plans as of a date (every city when ``--city`` is left out),
as the system. ``--out`` also writes the .xlsx and the PDF into DIR; ``--publish`` publishes each report on the
public disclosure pages at once. Reads the stored snapshots: run ``snapshot_indicators`` for the day first."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jiliang.core.commands import iso_date
from jiliang.core.errors import DomainError
from jiliang.core.models import Region
from jiliang.indicators.formats import report_text
from jiliang.indicators.models import Evaluation
from jiliang.indicators.services import evaluations


class Command(BaseCommand):
    help = (
        "Make the evaluation report (xlsx + PDF + figures) of the plans a city follows, as of a date, for one city "
        "or every city; optionally write the files to a directory and publish the reports."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", dest="day", required=True, help="the evaluation day, YYYY-MM-DD")
        parser.add_argument("--kind", default=Evaluation.Kind.MID_TERM, choices=Evaluation.Kind.values)
        parser.add_argument("--city", default="", help="only this city (its region code, e.g. 210900)")
        parser.add_argument("--out", default="", help="write the .xlsx and the .pdf into this directory")
        parser.add_argument("--publish", action="store_true", help="publish each report on the disclosure pages")

    def handle(self, *args, day: str, kind: str, city: str = "", out: str = "", publish: bool = False, **options):
        the_day = iso_date(day)
        if city:
            region = Region.objects.filter(code=city, level=Region.Level.CITY).first()
            if region is None:
                raise CommandError(_("没有代码为 %(code)s 的市级行政区域") % {"code": city})
            cities = [region]
        else:
            cities = list(Region.objects.filter(level=Region.Level.CITY).order_by("code"))
            if not cities:
                raise CommandError(_("数据库中还没有市级行政区域，无从生成评估报告"))
        directory = Path(out) if out else None
        if directory is not None:
            try:
                directory.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise CommandError(_("无法创建输出目录 %(dir)s：%(reason)s") % {"dir": out, "reason": exc}) from exc
        for region in cities:
            try:
                evaluation = evaluations.evaluation_create(actor=None, kind=kind, day=the_day, city=region)
                if publish:
                    published = evaluations.evaluation_publish(actor=None, evaluation_id=evaluation.pk)
                    evaluation.published_at = published.published_at
            except DomainError as exc:
                raise CommandError(_("%(city)s：%(reason)s") % {"city": region.name, "reason": exc.message}) from exc
            self._summary(evaluation)
            if directory is not None:
                stem = f"evaluation-{region.code}-{the_day.isoformat()}-{kind}"
                for suffix, content in ((".xlsx", evaluation.xlsx), (".pdf", evaluation.pdf)):
                    path = directory / (stem + suffix)
                    path.write_bytes(bytes(content))
                    self.stdout.write(_("已写入 %(path)s") % {"path": path})

    def _summary(self, evaluation: Evaluation) -> None:
        figures = evaluation.figures
        counts = figures["counts"]
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "已生成《%(title)s》（第 %(pk)d 号，基准日 %(day)s）：%(plans)d 项规划、%(n)d 项指标，"
                    "已达标 %(met)d 项，预计可达标 %(on_track)d 项，预计难以达标 %(off_track)d 项，暂无数据 %(no_data)d 项。"
                )
                % {
                    "title": evaluation.title,
                    "pk": evaluation.pk,
                    "day": evaluation.day.isoformat(),
                    "plans": len(figures["plans"]),
                    "n": sum(counts.values()),
                    **counts,
                }
            )
        )
        if evaluation.published_at is not None:
            self.stdout.write(
                _("已公开（%(at)s）")
                % {"at": report_text.local_time(evaluation.published_at).strftime("%Y-%m-%d %H:%M")}
            )
