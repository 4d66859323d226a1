"""Step 3, in the server process: run the child and take its answer."""

from __future__ import annotations

import json
import logging
import marshal
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .codec import decode
from .limits import EXIT_MEMORY, Corrupt, Limits, ReaderFailed, Refused

logger = logging.getLogger(__name__)


@dataclass
class Result:
    rows: list[tuple[Any, ...]]
    formulas: set[tuple[int, int]]


def _package_root() -> str:
    # The directory that holds the jiliang package: the child imports the same code as the server.
    return str(Path(__file__).resolve().parents[3])


def run(path: str | os.PathLike[str], limits: Limits) -> Result:
    """Read ``path`` in a child process within ``limits``; raises :class:`Refused` or :class:`Corrupt`.

    A child that dies is refused by the limit it hit: SIGABRT or a MemoryError is the memory (Rust aborts when an
    allocation fails under RLIMIT_AS), SIGXCPU the CPU time, the wall clock is ours. Any other death (a
    segmentation fault, a traceback) is :class:`ReaderFailed`: a bug to look at, not the file's fault. The child
    gets no environment from the server (no secret key, no database address).
    """
    # sys.executable is the server's own Python under gunicorn and manage.py (an embedding server such as uWSGI
    # or mod_wsgi would need the interpreter's path instead).
    command = [sys.executable, "-E", "-s", "-B", "-m", "jiliang.instruments.sheet_worker"]
    command += [json.dumps(asdict(limits)), os.fspath(path)]
    env = {"PATH": os.defpath, "LANG": "C.UTF-8", "RUST_BACKTRACE": "0"}
    with tempfile.TemporaryFile() as errors:
        try:
            done = subprocess.run(  # noqa: S603 - our own interpreter and module, the path as one argument
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=errors,
                cwd=_package_root(),
                env=env,
                timeout=limits.timeout_seconds,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise Refused("timeout", seconds=limits.timeout_seconds) from exc
        # The end of what the child printed: a traceback's last lines, Rust's allocation failure.
        errors.seek(max(0, errors.seek(0, os.SEEK_END) - 4000))
        stderr = errors.read().decode(errors="replace")
    status = done.returncode
    if status == EXIT_MEMORY or status in (-signal.SIGABRT, -signal.SIGKILL):
        # SIGKILL not sent by us: the kernel's OOM killer, the other way memory runs out.
        logger.warning("sheet reader ended by the memory limit (status %s): %s", status, stderr[-500:])
        raise Refused("memory", size=limits.memory_bytes)
    if status == -signal.SIGXCPU:
        raise Refused("cpu", seconds=limits.cpu_seconds)
    if status != 0:
        raise ReaderFailed(f"exit status {status}: {stderr}")
    # marshal, not pickle: it builds nothing but plain values. It trusts its input, which is the output of our
    # own code in a child that runs as our user; a child able to forge it could do as much directly.
    try:
        record = marshal.loads(done.stdout)  # noqa: S302
    except (EOFError, ValueError, TypeError) as exc:
        raise ReaderFailed(f"unreadable answer: {exc}") from exc
    del done
    if record[0] == "ok":
        _, columns, temporal, formulas = record
        return Result(rows=decode(columns, temporal), formulas={(r, c) for r, c in formulas})
    if record[0] == "refused":
        raise Refused(record[1], **json.loads(record[2]))
    raise Corrupt(record[1])
