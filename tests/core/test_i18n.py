"""The English translation: pages switch to English when the user chooses it, Chinese stays the default, and the
committed catalog (jiliang/locale/en/LC_MESSAGES/django.po and its compiled .mo) is complete and consistent.

The .po is read by the small reader below (no polib dependency); the .mo is checked through Django's own gettext.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation.template import templatize

from tests.factories import InstrumentFactory

ROOT = Path(__file__).resolve().parents[2]
PO_FILE = ROOT / "jiliang" / "locale" / "en" / "LC_MESSAGES" / "django.po"
# Apps that keep their own catalog (jiliang/<app>/locale/…): makemessages puts a file's strings in the nearest
# locale directory above it, so each app's strings can be translated without touching the shared catalog.
PO_FILES = [PO_FILE, *sorted(ROOT.glob("jiliang/*/locale/en/LC_MESSAGES/django.po"))]

# %(name)s, %(s).1f, %(got)r …: the named printf placeholders Python's % operator fills.
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifrx]")
BRACE = re.compile(r"\{\w*\}")
TAG = re.compile(r"</?([a-zA-Z][\w-]*)")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


# ---- A small .po reader ----------------------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


def _unquote(text: str) -> str:
    """A .po string literal ("…" with C escapes) as Python text."""
    return ast.literal_eval(text)


def read_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal entry, target, started
        if started:
            entries.append(entry)
        entry, target, started = Entry(), None, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line)
        if match:
            keyword, index, literal = match.group(1), int(match.group(2) or 0), _unquote(match.group(3))
            if keyword == "msgid" and started and entry.msgstr:
                finish()
            started = True
            target = (keyword, index)
            if keyword == "msgstr":
                while len(entry.msgstr) <= index:
                    entry.msgstr.append("")
                entry.msgstr[index] = literal
            else:
                setattr(entry, keyword, literal)
            continue
        if line.startswith('"') and target:
            keyword, index = target
            if keyword == "msgstr":
                entry.msgstr[index] += _unquote(line)
            else:
                setattr(entry, keyword, getattr(entry, keyword) + _unquote(line))
            continue
        raise AssertionError(f"unexpected line in {path.name}: {raw!r}")
    finish()
    return entries


@pytest.fixture(scope="module")
def po_entries() -> list[Entry]:
    return [e for path in PO_FILES for e in read_po(path) if e.msgid and not e.obsolete]


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


# ---- The catalog itself ----------------------------------------------------------------------------------------


def test_the_reader_understands_multiline_and_plural_entries(tmp_path):
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#, python-format\nmsgid ""\n"第一行"\n"第二行 %(n)s"\nmsgstr ""\n"first line "\n"second %(n)s"\n\n'
        'msgid "本页 %(n)s 条"\nmsgid_plural "本页 %(n)s 条"\nmsgstr[0] "%(n)s row"\nmsgstr[1] "%(n)s rows"\n',
        encoding="utf-8",
    )
    header, multiline, plural = read_po(po)
    assert header.msgid == "" and header.msgstr == ["Language: en\n"]
    assert multiline.msgid == "第一行第二行 %(n)s" and multiline.msgstr == ["first line second %(n)s"]
    assert "python-format" in multiline.flags
    assert plural.msgid_plural == "本页 %(n)s 条" and plural.msgstr == ["%(n)s row", "%(n)s rows"]


def test_the_catalog_is_for_english_with_two_plural_forms():
    header = read_po(PO_FILE)[0]
    assert header.msgid == ""
    assert "Language: en\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]
    assert "fuzzy" not in header.flags


def test_every_message_has_an_english_translation_that_is_not_fuzzy(po_entries):
    assert len(po_entries) > 100
    untranslated = [e.msgid for e in po_entries if not e.msgstr or not all(s.strip() for s in e.msgstr)]
    fuzzy = [e.msgid for e in po_entries if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []


def test_plural_entries_have_both_english_forms(po_entries):
    plurals = [e for e in po_entries if e.msgid_plural is not None]
    assert plurals, "the list's per-page count is a plural entry"
    for entry in plurals:
        assert len(entry.msgstr) == 2, entry.msgid
        assert entry.msgstr[0] != entry.msgstr[1], f"singular and plural read the same: {entry.msgid}"


def test_translations_are_english_and_not_copies_of_the_chinese(po_entries):
    still_chinese = [(e.msgid, s) for e in po_entries for s in e.msgstr if HAN.search(s)]
    assert still_chinese == []


def test_each_translation_keeps_the_placeholders_of_its_message(po_entries):
    mismatched = []
    for entry in po_entries:
        for index, text in enumerate(entry.msgstr):
            source = entry.msgid if index == 0 or entry.msgid_plural is None else entry.msgid_plural
            if placeholders(source) != placeholders(text) or sorted(BRACE.findall(source)) != sorted(
                BRACE.findall(text)
            ):
                mismatched.append((entry.msgid, text))
    assert mismatched == []


def test_each_translation_keeps_the_html_tags_of_its_message(po_entries):
    changed = [
        (e.msgid, s) for e in po_entries for s in e.msgstr if sorted(TAG.findall(e.msgid)) != sorted(TAG.findall(s))
    ]
    assert changed == []


def test_a_placeholder_with_a_format_keeps_its_format(po_entries):
    """%(s).1f must stay .1f in English, or the seconds print with every digit."""
    for entry in po_entries:
        formats = sorted(m.group(0) for m in PLACEHOLDER.finditer(entry.msgid))
        for text in entry.msgstr:
            assert sorted(m.group(0) for m in PLACEHOLDER.finditer(text)) == formats, entry.msgid


def test_the_committed_mo_file_matches_the_po_file(po_entries):
    """The .mo is committed so that no machine needs gettext tools; a stale one would show old English."""
    assert all(path.with_suffix(".mo").exists() for path in PO_FILES)
    with translation.override("en"):
        for entry in po_entries:
            if entry.msgid_plural is None:
                assert translation.gettext(entry.msgid) == entry.msgstr[0], entry.msgid
            else:
                assert translation.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr[0], entry.msgid
                assert translation.ngettext(entry.msgid, entry.msgid_plural, 2) == entry.msgstr[1], entry.msgid


# ---- Every message in the code is in the catalog ---------------------------------------------------------------

GETTEXT_NAMES = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
CONTEXT_FIRST = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}
TEMPLATE_CALL = re.compile(r"\b(n?p?gettext|_)\(\s*(u?'(?:[^'\\]|\\.)*'|u?\"(?:[^\"\\]|\\.)*\")")


def _python_msgids(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name not in GETTEXT_NAMES:
            continue
        position = 1 if name in CONTEXT_FIRST else 0
        if len(node.args) > position:
            arg = node.args[position]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add(arg.value)
    return found


def _template_msgids(path: Path) -> set[str]:
    # The same conversion makemessages applies before xgettext reads a template.
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    return {ast.literal_eval(m.group(2)) for m in TEMPLATE_CALL.finditer(code) if m.group(1) != "pgettext"}


def _code_msgids() -> dict[str, Path]:
    found: dict[str, Path] = {}
    source = ROOT / "jiliang"
    for path in sorted(source.rglob("*.py")):
        for msgid in _python_msgids(path):
            found.setdefault(msgid, path)
    for path in sorted(source.rglob("templates/**/*.html")):
        for msgid in _template_msgids(path):
            found.setdefault(msgid, path)
    return found


def test_every_message_in_the_code_has_an_entry_in_the_english_catalog(po_entries):
    """A new string needs `manage.py makemessages -l en`, an English msgstr and `compilemessages`."""
    known = {e.msgid for e in po_entries}
    code = _code_msgids()
    assert len(code) > 100
    missing = sorted(f"{path.relative_to(ROOT)}: {msgid}" for msgid, path in code.items() if msgid not in known)
    assert missing == []


# ---- Pages in English ------------------------------------------------------------------------------------------


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def choose(client, language: str) -> None:
    response = client.post(reverse("set_language"), {"language": language, "next": reverse("home")})
    assert response.status_code == 302


@pytest.fixture
def overdue_a(city):
    """An instrument of owner A whose verification ran out long ago (catalog row 02: 12-month interval)."""
    return InstrumentFactory(
        owner=city.owner_a, serial_number="A-OVERDUE", last_verified_on=timezone.localdate() - timedelta(days=800)
    )


@pytest.mark.django_db
def test_owner_home_is_in_english_once_english_is_chosen(client, city, overdue_a):
    client.force_login(city.owner_a_user)
    choose(client, "en")
    body = html(client.get(reverse("home")))
    assert '<html lang="en">' in body
    assert ">Instruments</a>" in body  # the navigation item for the registry
    for text in ("Registered instruments", "Add instrument", "Download import template", "Overdue", "Due soon"):
        assert text in body, text
    assert "A-OVERDUE" in body
    assert "登记器具" not in body and "已超期" not in body and "首页" not in body


@pytest.mark.django_db
def test_instrument_list_is_in_english_once_english_is_chosen(client, city, overdue_a):
    client.force_login(city.owner_a_user)
    choose(client, "en")
    body = html(client.get(reverse("instruments:list")))
    for header in ("Serial number", "Instrument name", "Catalog item", "Usage", "Last verified", "Next due"):
        assert f"<th>{header}</th>" in body, header
    assert "<th>Verification status</th>" in body
    assert '<span class="badge due-overdue">Overdue</span>' in body
    assert "Trade settlement" in body and "In use" in body
    assert "<h1>Instrument register</h1>" in body
    assert "出厂编号" not in body and "检定状态" not in body


@pytest.mark.django_db
def test_regulator_home_is_in_english_once_english_is_chosen(client, city, overdue_a):
    client.force_login(city.city_regulator)
    choose(client, "en")
    body = html(client.get(reverse("home")))
    for text in ("Verification coverage", "Verification status by county/district", "County/District", "Total"):
        assert text in body, text
    assert '"label": "Overdue"' in body  # the chart's legend, handed to ECharts as JSON
    assert "检定覆盖率" not in body


@pytest.mark.django_db
def test_pages_stay_chinese_by_default(client, city, overdue_a):
    client.force_login(city.owner_a_user)
    home = html(client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en"))
    assert '<html lang="zh-hans">' in home
    assert ">计量器具</a>" in home and "登记器具" in home and "已超期" in home
    assert "Registered instruments" not in home
    listing = html(client.get(reverse("instruments:list")))
    assert "<th>出厂编号</th>" in listing and '<span class="badge due-overdue">已超期</span>' in listing
    assert "Serial number" not in listing


@pytest.mark.django_db
def test_choosing_chinese_again_brings_the_chinese_pages_back(client, city, overdue_a):
    client.force_login(city.owner_a_user)
    choose(client, "en")
    assert "<th>Serial number</th>" in html(client.get(reverse("instruments:list")))
    choose(client, "zh-hans")
    body = html(client.get(reverse("instruments:list")))
    assert "<th>出厂编号</th>" in body and "Serial number" not in body
