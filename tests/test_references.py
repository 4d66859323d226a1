"""Every document the code, the tests and the benchmarks point a reader to is in the repository.

The project's domain, architecture and reference notes were once files outside it (``DOMAIN.md``,
``ARCHITECTURE.md``, ``shared/reference/…``); they are ``docs/domain.md``, ``docs/architecture.md`` and
``docs/reference/``. A path such as ``docs/recall.md`` named in a docstring, a comment or a data file's ``source``
must name a file that exists, with this spelling (checked case by case, as on Linux).
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("jiliang", "tests", "bench")
TEXT_SUFFIXES = {".py", ".json", ".md", ".html", ".txt", ".toml", ".csv", ".po", ".xml", ".js", ".css", ".sh"}
REFERENCE = re.compile(
    r"(?:\.\./)*shared/reference/[\w.-]+"  # the reference notes outside the repository
    r"|(?<![\w/.-])docs/[\w./-]*[\w/]"  # a document of the repository (not the /api/v1/docs page)
    r"|(?<![\w/.-])(?:DOMAIN|ARCHITECTURE)\.md\b"  # the old names of docs/domain.md and docs/architecture.md
)
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _exists(relative: str) -> bool:
    """Whether ``relative`` names a file or folder under the repository, spelled exactly (also on a file system
    that ignores case, where docs/ARCHITECTURE.md would otherwise find docs/architecture.md)."""
    here = ROOT
    for part in Path(relative.rstrip("/")).parts:
        if part == "..":
            return False
        if part == ".":
            continue
        if not here.is_dir() or part not in os.listdir(here):
            return False
        here = here / part
    return True


@cache
def references() -> tuple[tuple[str, int, str], ...]:
    """(file, line, reference) for every document named in the scanned files."""
    found = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            if (
                path.suffix not in TEXT_SUFFIXES
                or not path.is_file()
                or path == Path(__file__).resolve()
                or {"__pycache__", "vendor", "node_modules"} & set(path.parts)
            ):
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            for match in REFERENCE.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append((str(path.relative_to(ROOT)), line, match.group(0)))
    return tuple(found)


def missing_references() -> tuple[tuple[str, int, str], ...]:
    """(file, line, reference) for every named document that is not in the repository."""
    return tuple(
        (file, line, reference)
        for file, line, reference in references()
        if reference.lstrip("./").startswith("shared/") or not _exists(reference)
    )


def test_the_scan_finds_the_documents_that_exist():
    """The pattern is not blind: it reads references that resolve, or a missing list could be empty for nothing."""
    text = (ROOT / "jiliang" / "metrology" / "netcontent.py").read_text(encoding="utf-8")

    assert [m.group(0) for m in REFERENCE.finditer(text)].count("docs/reference/netcontent.md") >= 3
    assert _exists("docs/reference/netcontent.md")
    assert not _exists("docs/ARCHITECTURE.md")
    assert not [m for m in REFERENCE.finditer("the interactive docs at /api/v1/docs/ and docs.rs/x")]


def test_the_scan_reads_data_files_and_benchmarks_as_well_as_code():
    """A data file's ``source`` and a benchmark's comment name documents too: the scan reads them."""
    files = {file for file, _line, _reference in references()}

    assert "jiliang/metrology/data/comparison_iso13528.json" in files
    assert "bench/bench_seed.py" in files
    assert "jiliang/catalog/data/README.md" in files


def test_every_document_named_in_code_tests_and_benchmarks_is_in_the_repository():
    assert missing_references() == ()


def test_links_between_the_documents_resolve():
    """Relative links in README.md, CONTRIBUTING.md and docs/ point at files that exist."""
    documents = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").rglob("*.md"))]
    broken = []
    for document in documents:
        for target in MARKDOWN_LINK.findall(document.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            resolved = (document.parent / target.split("#")[0]).resolve()
            if not resolved.is_relative_to(ROOT) or not _exists(str(resolved.relative_to(ROOT))):
                broken.append((str(document.relative_to(ROOT)), target))

    assert len(documents) > 10
    assert broken == []
