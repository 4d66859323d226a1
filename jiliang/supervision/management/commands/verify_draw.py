"""``manage.py verify_draw FILE_OR_URL``: recompute a published draw document (a file, ``-`` for standard input, or
an http(s) address such as /open/draws/round/<id>.json) and say whether it matches. Exit status 0 when it does, 1
when it does not. The same check without the platform: ``docs/supervision/recompute_draw.py``."""

from __future__ import annotations

import json
import sys
import urllib.request
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiliang.metrology import draw_document

MAX_BYTES = 64 * 1024 * 1024


def read_document(source: str) -> Any:
    """The JSON at ``source``: a path, ``-`` or an http(s) URL; at most ``MAX_BYTES``."""
    if source == "-":
        raw = sys.stdin.buffer.read(MAX_BYTES + 1)
    elif source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=30) as response:  # noqa: S310 (the scheme is checked above)
            raw = response.read(MAX_BYTES + 1)
    else:
        with open(source, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise CommandError(_("文件超过 %(mb)s MB") % {"mb": MAX_BYTES // (1024 * 1024)})
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandError(_("不是有效的 JSON 文件：%(error)s") % {"error": exc}) from exc


class Command(BaseCommand):
    help = _("复算公示的抽取文件（双随机），核对名录摘要、抽取对象和执法人员分配")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("source", help=_("抽取文件的路径、网址，或 - 表示标准输入"))

    def handle(self, *args: Any, source: str, **options: Any) -> None:
        try:
            document = read_document(source)
        except OSError as exc:
            raise CommandError(_("无法读取：%(error)s") % {"error": exc}) from exc
        if not isinstance(document, dict) or "seed" not in document:
            raise CommandError(_("文件中没有随机种子和抽取结果：该轮可能尚未抽取"))
        problems = draw_document.verify(document)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            self.stderr.write(self.style.ERROR(_("不一致：%(n)s 处与复算结果不符") % {"n": len(problems)}))
            sys.exit(1)
        drawn = sum(len(ids) for ids in document.get("drawn", {}).values())
        self.stdout.write(
            self.style.SUCCESS(
                _("一致：任务 %(task)s，随机种子 %(seed)s，抽中 %(n)s 户，名录摘要 %(digest)s")
                % {
                    "task": document.get("task"),
                    "seed": document.get("seed"),
                    "n": drawn,
                    "digest": document.get("commitment", {}).get("digest", ""),
                }
            )
        )
