"""Helpers shared by the management commands."""

from __future__ import annotations

from datetime import date

from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def iso_date(raw: str) -> date:
    """A ``--date`` argument (YYYY-MM-DD), or a CommandError that says which format was expected."""
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise CommandError(_("日期格式应为 YYYY-MM-DD：%(raw)s") % {"raw": raw}) from exc
