"""How a person's name is shown: one rule for pages, PDFs, exports, avatars, the top bar and the logs.

A user's name is stored in two parts, ``last_name`` (the family name, 姓) and ``first_name`` (the given name, 名).
A Chinese name is written family name first with no space (谢芳, 欧阳修); a name in Latin letters is written
"Given Family". Django's own ``get_full_name`` joins "first last" with a space, which gave "芳 谢".
"""

from __future__ import annotations

from typing import Protocol


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x3400 <= code <= 0x4DBF  # CJK Unified Ideographs Extension A
        or 0x4E00 <= code <= 0x9FFF  # CJK Unified Ideographs
        or 0xF900 <= code <= 0xFAFF  # CJK Compatibility Ideographs
        or 0x20000 <= code <= 0x3FFFF  # Extensions B and later
        or code == 0x00B7  # the middle dot of transcribed names (阿依古丽·买买提)
    )


def has_cjk(text: str) -> bool:
    """Whether any character of ``text`` is a Chinese character.

    >>> has_cjk("谢"), has_cjk("Xie Fang"), has_cjk("")
    (True, False, False)
    """
    return any(_is_cjk(char) and char != "\u00b7" for char in text)


def full_name(family: str, given: str) -> str:
    """The name as written: family name first without a space when either part is Chinese, else "Given Family".

    >>> full_name("谢", "芳")
    '谢芳'
    >>> full_name("欧阳", "修")
    '欧阳修'
    >>> full_name(" 许", "强丽 ")
    '许强丽'
    >>> full_name("Lovelace", "Ada")
    'Ada Lovelace'
    >>> full_name("", "芳"), full_name("谢", ""), full_name("", "")
    ('芳', '谢', '')
    """
    family, given = family.strip(), given.strip()
    if has_cjk(family) or has_cjk(given):
        return f"{family}{given}"
    return " ".join(part for part in (given, family) if part)


class _Named(Protocol):
    first_name: str
    last_name: str

    def get_username(self) -> str: ...


def display_name(user: _Named | None) -> str:
    """A user's name as shown everywhere, or the login name when no name is stored; ``""`` for no user.

    >>> from types import SimpleNamespace as U
    >>> display_name(U(first_name="芳", last_name="谢", get_username=lambda: "xiefang"))
    '谢芳'
    >>> display_name(U(first_name="", last_name="", get_username=lambda: "admin"))
    'admin'
    >>> display_name(None)
    ''
    """
    if user is None:
        return ""
    return full_name(user.last_name or "", user.first_name or "") or user.get_username()
