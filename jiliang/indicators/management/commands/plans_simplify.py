"""``manage.py plans_simplify [--check]``: rewrite ``jiliang/indicators/data/plans.json`` with the plans' Chinese
text in simplified characters. A one-off step for whoever edits the shipped plans, never run by the platform.

The seed copy of the Yan'an plan is a traditional-character reprint of a document issued in simplified Chinese,
so its quotes were first typed in traditional characters. This command converts them with OpenCC (``t2s``), a
maintained converter, then applies :data:`CORRECTIONS`, the converter's mistakes found by reading its output on the
whole seed text. The wording as quoted stays beside the converted text (``source_title_original``,
``clause_quote_original``), and the conversion always starts from it, so running the command again changes nothing.

OpenCC is not a dependency of the platform: install it with ``pip install -e .[tools]``. ``--check`` writes
nothing and fails when the file is not what the conversion gives (migration 0004 loads the file).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

DATA = Path(__file__).resolve().parents[2] / "data" / "plans.json"

# Where OpenCC's t2s is wrong for this text (checked by eye over the converted seed, 2026-12): 著 stays 著 in
# OpenCC, but the General Standard Chinese Characters table writes 着 for 着力/着眼 (著 only for 著作, 显著…);
# 陜 is a variant of 陝 that OpenCC leaves alone, in 陕西省 and 陕政发.
CORRECTIONS: tuple[tuple[str, str], ...] = (("著力", "着力"), ("著眼", "着眼"), ("陜", "陕"))

# Our own wording (names, clause references, notes) is converted in place; the wording quoted from a document is
# converted from the copy kept under "<field>_original" when it differs.
PLAN_FIELDS = ("name", "note")
INDICATOR_FIELDS = ("name", "clause", "note")
QUOTED = {"plan": "source_title", "indicator": "clause_quote"}


def _converter() -> Any:
    try:
        import opencc  # an optional tool (.[tools]), imported only when the command runs
    except ImportError as error:
        raise CommandError("OpenCC is not installed: pip install -e .[tools]") from error
    return opencc.OpenCC("t2s")


def simplify(text: str, convert: Any) -> str:
    out = convert(text)
    for wrong, right in CORRECTIONS:
        out = out.replace(wrong, right)
    return out


def _simplify_row(row: dict[str, Any], fields: tuple[str, ...], quoted: str, convert: Any) -> dict[str, Any]:
    """The row converted, the quoted wording kept right after the converted quote when the two differ."""
    original = row.get(f"{quoted}_original") or row.get(quoted, "")
    out: dict[str, Any] = {}
    for name, value in row.items():
        if name == f"{quoted}_original":
            continue
        out[name] = simplify(value, convert) if name in fields and value else value
        if name == quoted:
            out[name] = simplify(original, convert)
            if out[name] != original:
                out[f"{quoted}_original"] = original
    return out


def simplified_plans(data: dict[str, Any], convert: Any) -> dict[str, Any]:
    plans = []
    for plan in data["plans"]:
        converted = _simplify_row(plan, PLAN_FIELDS, QUOTED["plan"], convert)
        converted["indicators"] = [
            _simplify_row(indicator, INDICATOR_FIELDS, QUOTED["indicator"], convert) for indicator in plan["indicators"]
        ]
        plans.append(converted)
    return {**data, "plans": plans}


def dump(data: dict[str, Any]) -> str:
    """The file's own layout: indented, one indicator a line."""
    lines = {}
    for plan in data["plans"]:
        for n, indicator in enumerate(plan["indicators"]):
            token = f"@indicator-{plan['code']}-{n}@"
            lines[f'"{token}"'] = json.dumps(indicator, ensure_ascii=False)
            plan["indicators"][n] = token
    text = json.dumps(data, ensure_ascii=False, indent=2)
    for token, line in lines.items():
        text = text.replace(token, line)
    return text + "\n"


class Command(BaseCommand):
    help = "Convert the shipped plans' text to simplified characters with OpenCC (a one-off step; see the docstring)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="write nothing; fail if the file would change")

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        before = DATA.read_text(encoding="utf-8")
        after = dump(simplified_plans(json.loads(before), _converter().convert))
        if check:
            if after != before:
                raise CommandError(f"{DATA} is not in simplified characters: run manage.py plans_simplify")
            self.stdout.write("plans.json is in simplified characters")
            return
        DATA.write_text(after, encoding="utf-8")
        self.stdout.write(f"wrote {DATA}" if after != before else "plans.json unchanged")
