"""``{% instrument_public_link instrument as link %}``: the link of an instrument's public page and its QR code
(``jiliang.instruments.labels.public_link``), for ``instruments/_public_link.html``."""

from __future__ import annotations

from django import template

from ..labels import public_link
from ..models import Instrument

register = template.Library()


@register.simple_tag
def instrument_public_link(instrument: Instrument) -> dict:
    return public_link(instrument)
