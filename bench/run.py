"""Run every benchmark script under bench/ and print its figures (``make bench``).

Each ``bench_*.py`` declares ``DATABASES`` (a tuple of "sqlite", "postgres", or empty for pure benchmarks) and
``main(argv)``; it runs once per database in a process of its own. PostgreSQL runs are skipped, with a line
saying so, when no server answers on 127.0.0.1:5432.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import postgres_available  # noqa: E402


def declared_databases(path: Path) -> tuple[str, ...]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "DATABASES" for t in node.targets):
            return tuple(ast.literal_eval(node.value))
    return ()


def main(argv: list[str]) -> int:
    only = [a for a in argv if not a.startswith("-")]
    flags = [a for a in argv if a.startswith("-")]
    scripts = sorted(HERE.glob("bench_*.py"))
    if only:
        scripts = [s for s in scripts if any(o in s.stem for o in only)]
    have_pg = postgres_available()
    failed = 0
    for script in scripts:
        databases = declared_databases(script) or ("",)
        for db in databases:
            label = f"{script.stem}" + (f" [{db}]" if db else "")
            if db == "postgres" and not have_pg:
                print(f"== {label}: skipped, no PostgreSQL on 127.0.0.1:5432", flush=True)
                continue
            print(f"== {label}", flush=True)
            args = [sys.executable, str(script), *flags] + (["--db", db] if db else [])
            failed += subprocess.run(args, check=False).returncode != 0  # noqa: S603 (our own scripts)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
