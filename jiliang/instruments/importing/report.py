"""What an import says: the rows read and saved, and every bad row with its Excel row number, its column (the
Chinese header) and a reason in Chinese ("Nothing is lost", docs/architecture.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# progress(done, total), called after every batch of rows.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RowError:
    row: int  # the Excel row number (the header is row 1)
    column: str  # the Chinese header of the column
    reason: str  # in Chinese

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class ImportReport:
    total_rows: int = 0  # data rows read (empty rows and the template's example row are not counted)
    imported: int = 0  # rows saved
    errors: list[RowError] = field(default_factory=list)
    file_error: str | None = None  # the file could not be read at all; nothing was saved
    committed: bool = False  # rows were saved
    partial: bool = False
    ignored_example_row: int | None = None  # the template's example row, left in and skipped
    sha256: str = ""
    # The file itself was refused (unreadable, or over a limit): nothing in it is worth keeping. Not stored.
    file_refused: bool = False

    @property
    def ok(self) -> bool:
        """Every row was imported."""
        return self.file_error is None and not self.errors and self.imported == self.total_rows

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})

    def as_dict(self) -> dict[str, Any]:
        return {
            "total_rows": self.total_rows,
            "imported": self.imported,
            "bad_rows": self.bad_rows,
            "committed": self.committed,
            "partial": self.partial,
            "file_error": self.file_error,
            "ignored_example_row": self.ignored_example_row,
            "sha256": self.sha256,
            "errors": [e.as_dict() for e in self.errors],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        return cls(
            total_rows=data.get("total_rows", 0),
            imported=data.get("imported", 0),
            errors=[RowError(e["row"], e["column"], e["reason"]) for e in data.get("errors", [])],
            file_error=data.get("file_error"),
            committed=data.get("committed", False),
            partial=data.get("partial", False),
            ignored_example_row=data.get("ignored_example_row"),
            sha256=data.get("sha256", ""),
        )
