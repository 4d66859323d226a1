"""What one upload may cost, and the ways a read fails (shared by the server process and the child)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Exit status of a child that ran out of memory in Python (Rust's allocator aborts with SIGABRT instead).
EXIT_MEMORY = 3
EXIT_ERROR = 4


@dataclass(frozen=True)
class Limits:
    """What one upload may cost. ``max_rows`` counts data rows (the header row comes on top)."""

    max_members: int
    max_part_bytes: int
    max_total_bytes: int
    max_ratio: int
    max_rows: int
    max_columns: int
    max_shared_strings: int
    memory_bytes: int
    cpu_seconds: int
    timeout_seconds: float


class Refused(Exception):
    """The file exceeds a limit; ``code`` names which, ``params`` carries the figures for the message."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params


class Corrupt(Exception):
    """The file is not a readable .xlsx (the message to the user is the same whatever the detail)."""


class ReaderFailed(RuntimeError):
    """The child failed in a way no file should cause (a bug, or a broken installation)."""
