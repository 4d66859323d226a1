"""core.web.http: not-found-or-forbidden as 404, the HTMX check, and the pagers of pages and API lists."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.http import Http404

from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import Region
from jiliang.core.web.http import PAGE_SIZE, int_param, is_htmx, not_found_as_404, page_of, page_out


def test_not_found_or_forbidden_becomes_a_404_with_its_message():
    with pytest.raises(Http404, match="证书不存在") as caught, not_found_as_404():
        raise NotFoundOrForbidden("证书不存在")
    assert isinstance(caught.value.__cause__, NotFoundOrForbidden)


def test_other_errors_pass_through_and_a_value_comes_back():
    with pytest.raises(DomainError, match="不能撤销"), not_found_as_404():
        raise DomainError("不能撤销")

    @not_found_as_404()
    def get(pk: int) -> int:
        if pk < 1:
            raise NotFoundOrForbidden("未找到")
        return pk * 2

    assert get(21) == 42
    with pytest.raises(Http404):
        get(0)


def test_htmx_wants_a_fragment_unless_boosted(rf):
    assert is_htmx(rf.get("/", headers={"HX-Request": "true"}))
    assert not is_htmx(rf.get("/", headers={"HX-Request": "true", "HX-Boosted": "true"}))
    assert not is_htmx(rf.get("/"))


def test_page_of_takes_the_page_asked_for_the_first_for_nonsense_the_last_past_the_end(rf):
    rows = list(range(120))
    assert PAGE_SIZE == 50
    assert list(page_of(rf.get("/", {"page": "2"}), rows)) == list(range(50, 100))
    assert page_of(rf.get("/", {"page": "x"}), rows).number == 1
    assert page_of(rf.get("/", {"page": "99"}), rows).number == 3
    assert list(page_of(rf.get("/"), rows, size=30).object_list) == list(range(30))


@pytest.mark.django_db
def test_page_out_counts_every_page_and_answers_an_empty_page_past_the_end():
    for n in range(5):
        Region.objects.create(code=f"2109{n:02d}", name=f"县{n}", level=Region.Level.COUNTY)
    rows = Region.objects.order_by("code")
    second = page_out(SimpleNamespace(page=2, page_size=2), rows, lambda r: r.code)
    assert second == {"count": 5, "page": 2, "page_size": 2, "items": ["210902", "210903"]}
    past = page_out(SimpleNamespace(page=9, page_size=2), rows, lambda r: r.code)
    assert past == {"count": 5, "page": 9, "page_size": 2, "items": []}


@pytest.mark.parametrize(
    ("raw", "bounds", "expected"),
    [
        ("12", {}, 12),
        (" 3 ", {}, 3),
        ("-4", {}, -4),
        ("", {}, None),
        (None, {}, None),
        ("x", {}, None),
        ("1.5", {}, None),
        ("0", {"low": 1}, None),
        ("1", {"low": 1}, 1),
        ("3650", {"low": 0, "high": 3650}, 3650),
        ("3651", {"low": 0, "high": 3650}, None),
    ],
)
def test_int_param_reads_a_whole_number_within_its_bounds(raw, bounds, expected):
    assert int_param(raw, **bounds) == expected


def test_not_found_or_forbidden_is_itself_a_404_for_a_page_that_lets_it_pass():
    assert isinstance(NotFoundOrForbidden("未找到"), Http404)
    assert isinstance(NotFoundOrForbidden("未找到"), DomainError)
