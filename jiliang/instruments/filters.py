"""Parsing the registry's list filters from a query string (pages, export and API share it)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from jiliang.catalog.models import Usage

from .models import FAILED, Instrument
from .selectors import InstrumentFilters

FILTER_KEYS = ("county", "owner", "catalog_item", "usage", "status", "due_state", "mandatory", "q")


def _int_or_none(raw: str | None, label: str, errors: list[str]) -> int | None:
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        errors.append(_("筛选条件“%(label)s”无效") % {"label": label})
        return None


def _choice(raw: str | None, choices: list[str], label: str, errors: list[str]) -> str:
    if raw in (None, ""):
        return ""
    if raw not in choices:
        errors.append(_("筛选条件“%(label)s”无效") % {"label": label})
        return ""
    return raw


def parse_filters(params: Mapping[str, str]) -> InstrumentFilters:
    """Bad values are dropped and reported in ``errors`` rather than failing the whole page."""
    errors: list[str] = []
    mandatory_raw = params.get("mandatory") or ""
    mandatory = {"1": True, "true": True, "0": False, "false": False}.get(mandatory_raw.lower())
    if mandatory_raw and mandatory is None:
        errors.append(_("筛选条件“%(label)s”无效") % {"label": _("强制检定")})
    return InstrumentFilters(
        county=_int_or_none(params.get("county"), _("县（区）"), errors),
        owner=_int_or_none(params.get("owner"), _("使用单位"), errors),
        catalog_item=_int_or_none(params.get("catalog_item"), _("目录条目"), errors),
        usage=_choice(params.get("usage"), Usage.values, _("用途"), errors),
        # "failed": stopped as failed (停用（检定不合格）), a narrower choice than "stopped".
        status=_choice(params.get("status"), [*Instrument.Status.values, FAILED], _("状态"), errors),
        due_state=_choice(params.get("due_state"), Instrument.DueState.values, _("检定状态"), errors),
        mandatory=mandatory,
        q=(params.get("q") or "").strip()[:100],
        errors=errors,
    )
