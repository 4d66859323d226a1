"""Unified social credit code (统一社会信用代码), GB 32100-2015.

An 18-character code over the 31-character set ``0-9 A-H J-N P-R T U W-Y`` (no I, O, Z, S, V). Characters 1-17
carry the registering authority, organization type, division code and organization code; character 18 is a check
character (GB 32100-2015, clause 4 and Annex: weights wᵢ = 3^(i-1) mod 31, check = 31 − (Σ cᵢ·wᵢ mod 31), where a
result of 31 means ``0``).

>>> is_valid("91350100M000100Y43")
True
>>> explain("91350100M000100Y44")
'校验位错误：应为 3，实为 4'
"""

from __future__ import annotations

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
LENGTH = 18


def normalize(code: str) -> str:
    """Strip surrounding spaces and upper-case, as GB 32100 codes are written in capitals."""
    return code.strip().upper()


def check_character(first17: str) -> str:
    """The check character for the first 17 characters (GB 32100-2015, check-character clause).

    >>> check_character("91350100M000100Y4")
    '3'
    """
    if len(first17) != LENGTH - 1:
        raise ValueError(f"need 17 characters, got {len(first17)}")
    total = 0
    for ch, weight in zip(first17, WEIGHTS, strict=True):
        index = CHARSET.find(ch)
        if index < 0:
            raise ValueError(f"character {ch!r} is not in the code's character set")
        total += index * weight
    value = 31 - total % 31
    return CHARSET[0 if value == 31 else value]


def explain(code: str) -> str | None:
    """Why ``code`` is not a valid unified social credit code, in Chinese; ``None`` when it is valid.

    >>> explain(" 91110000600037341l ") is None
    True
    >>> explain("9111000060003734")
    '长度应为 18 位，实为 16 位'
    >>> explain("9111000060003734IL")
    '第 17 位字符 “I” 不在统一社会信用代码字符集中（不使用 I、O、Z、S、V）'
    """
    if not isinstance(code, str):
        return "统一社会信用代码必须是文本"
    normalized = normalize(code)
    if len(normalized) != LENGTH:
        return f"长度应为 {LENGTH} 位，实为 {len(normalized)} 位"
    for position, ch in enumerate(normalized, start=1):
        if ch not in CHARSET:
            return f"第 {position} 位字符 “{ch}” 不在统一社会信用代码字符集中（不使用 I、O、Z、S、V）"
    expected = check_character(normalized[:17])
    if normalized[17] != expected:
        return f"校验位错误：应为 {expected}，实为 {normalized[17]}"
    return None


def is_valid(code: str) -> bool:
    """True when ``code`` (after stripping spaces and upper-casing) is a valid GB 32100-2015 code.

    >>> is_valid("91110000600037341L")
    True
    >>> is_valid("91110000600037341M")
    False
    """
    return explain(code) is None


def make_code(prefix: str, body: str) -> str:
    """Complete a code from its first 17 characters (used to build synthetic, valid codes for the demo city).

    >>> make_code("91350100", "M000100Y4")
    '91350100M000100Y43'
    """
    first17 = normalize(prefix + body)
    return first17 + check_character(first17)
