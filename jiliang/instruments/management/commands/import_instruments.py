"""``python manage.py import_instruments FILE --owner CREDIT_CODE [--partial]``: import an .xlsx registry.

Prints every bad row as ``row N, column C: reason`` (a fixed format that scripts may parse; the column and the
reason are in Chinese), then one summary line. Exits 0 only when every row was imported. The actor is the
system (the audit event says "system").
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiliang.core.models import Organization
from jiliang.instruments.importing import instruments_import


class Command(BaseCommand):
    help = "Import instruments from an .xlsx file (the import template's format) for one owner."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx file")
        parser.add_argument("--owner", required=True, help="the owner's unified social credit code")
        parser.add_argument("--partial", action="store_true", help="save the good rows even when some rows are bad")

    def handle(self, *args, file: str, owner: str, partial: bool, verbosity: int = 1, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("文件“%(file)s”不存在") % {"file": file})
        owning = Organization.objects.filter(credit_code=owner.strip(), kind=Organization.Kind.OWNER).first()
        if owning is None:
            raise CommandError(_("统一社会信用代码为 %(code)s 的使用单位不存在") % {"code": owner})

        def progress(done: int, total: int) -> None:
            if verbosity >= 2:
                self.stderr.write(_("已处理 %(done)s / %(total)s 行") % {"done": done, "total": total})

        report = instruments_import(actor=None, owner=owning, file=path, partial=partial, progress=progress)
        if report.file_error:
            raise CommandError(_("文件无法导入：%(reason)s") % {"reason": report.file_error})
        for error in report.errors:
            self.stdout.write(f"row {error.row}, column {error.column}: {error.reason}")
        counts = {"imported": report.imported, "total": report.total_rows, "bad": report.bad_rows}
        if report.ok:
            self.stdout.write(_("已导入 %(imported)s 行（共 %(total)s 行）") % counts)
            return
        if report.committed:
            summary = _("已导入 %(imported)s 行；%(bad)s 行有错误，未导入（共 %(total)s 行）") % counts
        else:
            summary = _("%(bad)s 行有错误，未导入任何数据（共 %(total)s 行）") % counts
        self.stdout.write(summary)
        raise CommandError(summary, returncode=1)
