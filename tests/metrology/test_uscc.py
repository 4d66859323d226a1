"""GB 32100-2015 check character, against the examples in docs/reference/uscc.md (confirmed)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiliang.metrology import uscc

# docs/reference/uscc.md: "Valid examples (public registrations)".
PUBLISHED_VALID = ["91350100M000100Y43", "91110000600037341L"]


@pytest.mark.parametrize("code", PUBLISHED_VALID)
def test_published_codes_are_valid(code):
    assert uscc.is_valid(code)
    assert uscc.explain(code) is None


def test_weights_are_powers_of_three_mod_31_as_published():
    # docs/reference/uscc.md lists the weights for positions 1…17.
    assert uscc.WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_lower_case_and_surrounding_spaces_are_accepted():
    assert uscc.is_valid("  91110000600037341l ")


def test_wrong_length_is_explained():
    assert uscc.explain("91110000600037341") == "长度应为 18 位，实为 17 位"


@pytest.mark.parametrize("bad", ["I", "O", "Z", "S", "V"])
def test_letters_outside_the_set_are_explained_with_their_position(bad):
    code = "9111000060003734" + bad + "L"
    assert uscc.explain(code).startswith(f"第 17 位字符 “{bad}”")


def test_wrong_check_character_says_what_it_should_be():
    assert uscc.explain("91350100M000100Y44") == "校验位错误：应为 3，实为 4"


def test_a_check_value_of_31_maps_to_zero():
    # Search a body whose weighted sum is ≡ 0 (mod 31); its check character must be "0".
    for n in range(100000):
        body = f"9121090000{n:07d}"
        total = sum(uscc.CHARSET.index(c) * w for c, w in zip(body, uscc.WEIGHTS, strict=True))
        if total % 31 == 0:
            assert uscc.check_character(body) == "0"
            assert uscc.is_valid(body + "0")
            return
    pytest.fail("no body with a weighted sum divisible by 31 found")


@given(st.text(alphabet=uscc.CHARSET, min_size=17, max_size=17))
def test_every_completed_code_is_valid_and_any_other_check_character_is_not(first17):
    code = first17 + uscc.check_character(first17)
    assert uscc.is_valid(code)
    for other in uscc.CHARSET:
        if other != code[-1]:
            assert not uscc.is_valid(first17 + other)
