"""Resident identity card numbers (居民身份证号码, GB 11643-1999): checked on entry, stored only masked.

The full number is never stored, logged or audited: a form or the API receives it, :func:`id_number_error`
checks it, and :func:`mask_id_number` keeps the first 6 characters (the region code of issue) and the last 4,
with every character between replaced by ``*``.

>>> id_number_error("11010519491231002X") is None
True
>>> mask_id_number("11010519491231002X")
'110105********002X'
>>> mask_id_number("110105491231002")
'110105*****1002'
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

# GB 11643-1999 clause 7: weights 2^(17-i) mod 11 and the check characters for sum mod 11 = 0…10.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE_18 = re.compile(r"^\d{17}[\dX]$")
_SHAPE_15 = re.compile(r"^\d{15}$")  # first-generation cards, still found in old records


def normalize(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def check_character(first17: str) -> str:
    """The check character of an 18-character number from its first 17 digits (GB 11643-1999 clause 7)."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def id_number_error(value: str) -> str | None:
    """Why ``value`` is not a valid ID number, or ``None`` when it is (18 characters with a correct check
    character, or 15 digits)."""
    number = normalize(value)
    if _SHAPE_15.match(number):
        return None
    if not _SHAPE_18.match(number):
        return _("身份证号应为 18 位（最后一位可为 X）或 15 位数字")
    if check_character(number[:17]) != number[17]:
        return _("身份证号校验位不正确")
    return None


def mask_id_number(value: str) -> str:
    """First 6 and last 4 characters kept, the rest ``*``: what is stored."""
    number = normalize(value)
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
