"""``python manage.py cleanup_uploads [--dry-run]``: delete uploaded import files past their retention (daily).

Prints one line per file (``deleted imports/<job>.xlsx (<reason>, <bytes> bytes)``, a fixed format that scripts
may parse), then one summary line. The rows keep their reports; one ``upload.cleanup`` audit event per run lists
the files. A second run the same day deletes nothing. The retention is ``JILIANG_UPLOAD_RETENTION_DAYS``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from jiliang.core import clock
from jiliang.instruments.importing import uploads_cleanup


class Command(BaseCommand):
    help = "Delete uploaded import files past JILIANG_UPLOAD_RETENTION_DAYS (and those of abandoned or no jobs)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list what would be deleted, delete nothing")

    def handle(self, *args, dry_run: bool, **options):
        result = uploads_cleanup(
            now=clock.now(), retention_days=settings.JILIANG_UPLOAD_RETENTION_DAYS, dry_run=dry_run
        )
        verb = "would delete" if dry_run else "deleted"
        for deleted in result.deleted:
            self.stdout.write(f"{verb} {deleted.name} ({deleted.reason}, {deleted.size} bytes)")
        counts = {"files": len(result.deleted), "mb": f"{result.bytes / (1024 * 1024):.1f}"}
        if dry_run:
            self.stdout.write(_("试运行：将删除 %(files)s 个上传文件，共 %(mb)s MB；未删除任何文件") % counts)
        else:
            self.stdout.write(_("已删除 %(files)s 个上传文件，共 %(mb)s MB") % counts)
