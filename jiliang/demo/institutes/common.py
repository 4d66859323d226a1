"""What the parts of the demo institutes share: the running serial numbers, a
planned standard with its template, and dates some years or months on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from jiliang.metrology.due import add_months
from jiliang.standards.models import Standard

from ..standards_data import Template


@dataclass
class _Planned:
    standard: Standard
    template: Template
    # Deliberately broken (an expired equipment certificate): only ever a county standard.
    broken_equipment: bool = False


def _years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def _valid_for(issued: date, months: int) -> date:
    """The last day of a certificate valid ``months`` from ``issued`` (inclusive end)."""
    return add_months(issued, months) - timedelta(days=1)


class _Numbers:
    """Running serial numbers per prefix, so certificate numbers are unique and read in issue order."""

    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    def take(self, prefix: str, start: int = 1) -> int:
        n = self.next.get(prefix, start)
        self.next[prefix] = n + 1
        return n
