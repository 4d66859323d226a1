"""Step 2's process: under its limits, the checks of steps 1 and 2, then python-calamine reads the first sheet, and
the answer goes to stdout as one marshal record. Runs as ``python -m jiliang.instruments.sheet_worker``; imports
no Django and reads no settings."""

from __future__ import annotations

import json
import marshal
import os
import signal
import sys
import traceback
from typing import Any
from xml.etree import ElementTree as ET

from .archive import open_archive, package_parts
from .codec import encode
from .limits import EXIT_ERROR, EXIT_MEMORY, Corrupt, Limits, Refused
from .scan import formula_cells, scan_members


def read(path: str | os.PathLike[str], limits: Limits) -> tuple[list[list[Any]], set[tuple[int, int]]]:
    """Steps 1 and 2: the checks, then the cells of the first sheet and where its formulas are."""
    import python_calamine

    with open(path, "rb") as fh, open_archive(fh, limits) as archive:
        package = package_parts(archive)
        scan = scan_members(fh, archive, package, limits)
        try:
            formulas = formula_cells(archive, package.sheet_part) if scan.has_formula else set()
        except (ET.ParseError, ValueError) as exc:
            raise Corrupt(str(exc)) from exc
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_name(package.sheet_name)
    except Exception as exc:  # calamine raises several error types, all meaning "cannot read this file"
        raise Corrupt(str(exc)) from exc
    end = sheet.end
    if end is not None:
        # The real extent, before the cells become Python objects: rows and columns counted by position.
        if end[0] > limits.max_rows:
            raise Refused("rows", rows=end[0], limit=limits.max_rows)
        if end[1] + 1 > limits.max_columns:
            raise Refused("columns", columns=end[1] + 1, limit=limits.max_columns)
    rows = sheet.to_python(skip_empty_area=False)
    return rows, formulas


def _limit_self(limits: Limits) -> None:
    """Put this process under ``limits`` (never above the hard limits it was started with)."""
    import resource

    def lower(which: int, soft: int, hard: int) -> None:
        _current, ceiling = resource.getrlimit(which)
        if ceiling != resource.RLIM_INFINITY:
            soft, hard = min(soft, ceiling), min(hard, ceiling)
        try:
            resource.setrlimit(which, (soft, hard))
        except (ValueError, OSError):
            # Linux is what the limits are written for: there, no limit means no read (fail closed). Elsewhere
            # (macOS refuses RLIMIT_AS) the read goes on within the other limits, for a developer's machine.
            if sys.platform.startswith("linux"):
                raise
            print(f"sheet_worker: cannot set resource limit {which}", file=sys.stderr)

    lower(resource.RLIMIT_CORE, 0, 0)
    lower(resource.RLIMIT_AS, limits.memory_bytes, limits.memory_bytes)
    # SIGXCPU at the soft limit ends the process; the hard limit (SIGKILL) only if that signal were caught.
    lower(resource.RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 1)
    try:
        import ctypes

        # Die with the server process rather than outlive it (Linux; elsewhere RLIMIT_CPU ends an orphan).
        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def main(argv: list[str]) -> int:
    """``python -m jiliang.instruments.sheet_worker LIMITS_JSON PATH``: writes one marshal record to stdout."""
    limits = Limits(**json.loads(argv[0]))
    _limit_self(limits)
    try:
        rows, formulas = read(argv[1], limits)
        columns, temporal = encode(rows)
        del rows
        record: tuple[Any, ...] = ("ok", columns, temporal, sorted(formulas))
    except Refused as exc:
        record = ("refused", exc.code, json.dumps(exc.params))
    except Corrupt as exc:
        record = ("corrupt", str(exc)[:500])
    except MemoryError:
        os._exit(EXIT_MEMORY)
    except Exception:
        # Not the file's fault: the server logs this traceback and says so to the user.
        traceback.print_exc()
        return EXIT_ERROR
    try:
        sys.stdout.buffer.write(marshal.dumps(record))
        sys.stdout.buffer.flush()
    except MemoryError:
        os._exit(EXIT_MEMORY)
    return 0
