import doctest

import pytest

from jiliang.portal import masking, selectors
from jiliang.portal.masking import mask_name


def test_the_doctests_of_the_rule_pass():
    for module in (masking, selectors):
        result = doctest.testmod(module)
        assert result.failed == 0
        assert result.attempted > 0


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("甲县农贸市场", "甲县**市场"),
        ("阜新市天然气有限公司", "阜新******公司"),
        ("乙县加油站", "乙****"),
        ("张三", "张*"),
        ("王", "王"),
        ("", ""),
        ("  甲县农贸市场\n", "甲县**市场"),
    ],
)
def test_mask_keeps_the_ends_of_long_names_and_the_first_character_of_short_ones(name, masked):
    assert mask_name(name) == masked
    assert len(mask_name(name)) == len(name.strip())


def test_a_masked_name_of_two_or_more_characters_never_shows_the_whole_name():
    for n in range(2, 30):
        name = "".join(chr(0x4E00 + i) for i in range(n))
        assert mask_name(name) != name
        assert "*" in mask_name(name)
