"""The filters of the early-warning center (its list and its export): a county and a kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from jiliang.core.models import User
from jiliang.core.selectors import counties_visible_to
from jiliang.core.web.http import choice_param

from ..selectors.warnings import WarningKind


@dataclass
class Filters:
    county: int | None = None
    kind: str = ""
    errors: list[str] = field(default_factory=list)

    def query(self) -> str:
        values = {"county": self.county or "", "kind": self.kind}
        return urlencode({k: v for k, v in values.items() if v})


def parse_filters(user: User, params) -> Filters:
    """A bad value is reported and dropped, never silently kept; a county must be one the actor may see."""
    filters = Filters()
    raw_county = (params.get("county") or "").strip()
    if raw_county:
        try:
            county = int(raw_county)
        except ValueError:
            county = None
        if county is not None and counties_visible_to(user).filter(pk=county).exists():
            filters.county = county
        else:
            filters.errors.append(_("县（区）无效"))
    filters.kind = choice_param(params.get("kind"), WarningKind.values, _("预警类别无效"), filters.errors)
    return filters
