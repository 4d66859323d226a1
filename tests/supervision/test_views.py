"""The supervision pages: a bureau runs a draw through the pages; everyone else is refused (404, or the login page
for an anonymous visitor)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from jiliang.core import clock
from jiliang.supervision.models import Draw, Inspector, Task


def pages(world):
    inspector = world.inspectors[0]
    return [
        reverse("supervision:list"),
        reverse("supervision:create"),
        reverse("supervision:detail", args=[world.plan.pk]),
        reverse("supervision:task_create", args=[world.plan.pk]),
        reverse("supervision:task_detail", args=[world.task.pk]),
        reverse("supervision:items"),
        reverse("supervision:inspectors"),
        reverse("supervision:inspector_create"),
        reverse("supervision:inspector_detail", args=[inspector.pk]),
    ]


def posts(world):
    inspector = world.inspectors[0]
    return [
        (reverse("supervision:file", args=[world.plan.pk]), {}),
        (reverse("supervision:task_commit", args=[world.task.pk]), {"seed_source": "x"}),
        (reverse("supervision:task_seed", args=[world.task.pk]), {"seed": "x"}),
        (reverse("supervision:inspector_conflict", args=[inspector.pk]), {"credit_code": "x" * 18, "kind": "other"}),
        (reverse("supervision:inspector_active", args=[inspector.pk]), {"active": "0"}),
    ]


def test_anonymous_is_sent_to_login_from_every_page(client, world):
    for url in pages(world):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url


@pytest.mark.parametrize("persona", ["institute", "owner_a", "owner_b"])
def test_institutes_and_owners_get_404_everywhere(client, city, world, persona):
    client.force_login(city.personas[persona])
    for url in pages(world):
        assert client.get(url).status_code == 404, url
    for url, data in posts(world):
        assert client.post(url, data).status_code == 404, url
    assert not Draw.objects.exists()


def test_another_county_sees_neither_the_plan_nor_its_officers(client, city, world):
    client.force_login(city.county_regulator_b)
    for url in pages(world)[2:5] + pages(world)[-1:]:
        assert client.get(url).status_code == 404, url
    for url, data in posts(world):
        assert client.post(url, data).status_code == 404, url
    listing = client.get(reverse("supervision:list")).content.decode()
    assert world.plan.title not in listing
    assert world.inspectors[0].name not in client.get(reverse("supervision:inspectors")).content.decode()
    assert Inspector.objects.get(pk=world.inspectors[0].pk).active


def test_the_city_bureau_reads_the_county_plan_but_does_not_draw(client, city, world):
    client.force_login(city.city_regulator)
    assert world.plan.title in client.get(reverse("supervision:list")).content.decode()
    html = client.get(reverse("supervision:task_detail", args=[world.task.pk])).content.decode()
    assert world.task.name in html and "draw-actions" not in html
    assert (
        client.post(reverse("supervision:task_commit", args=[world.task.pk]), {"seed_source": "x"}).status_code == 404
    )


def test_the_county_bureau_runs_a_draw_through_the_pages(client, city, world):
    client.force_login(city.county_regulator_a)
    url = reverse("supervision:task_detail", args=[world.task.pk])
    with clock.travel(date(2026, 12, 1)):
        response = client.post(
            reverse("supervision:task_commit", args=[world.task.pk]), {"seed_source": "双色球第 2026142 期开奖号码"}
        )
        assert response.status_code == 302
        html = client.get(url).content.decode()
        assert "录入种子并抽取" in html
        response = client.post(reverse("supervision:task_seed", args=[world.task.pk]), {"seed": "03 11 17 22 28 31 09"})
        assert response.status_code == 302
    html = client.get(url).content.decode()
    draw = Draw.objects.get(task=world.task)
    assert draw.status == Draw.Status.DRAWN
    assert html.count("<tr>") >= 1 + 6
    for code in draw.document["drawn"]["A"]:
        assert world.owners[0].__class__.objects.get(credit_code=code).name in html


def test_a_seed_before_the_commit_is_shown_as_an_error(client, city, world):
    client.force_login(city.county_regulator_a)
    response = client.post(reverse("supervision:task_seed", args=[world.task.pk]), {"seed": "1 2 3"}, follow=True)
    assert "请先冻结名录" in response.content.decode()
    assert not Draw.objects.exists()


def test_a_bureau_adds_a_plan_and_a_task_through_the_forms(client, city, world):
    client.force_login(city.county_regulator_b)
    response = client.post(reverse("supervision:create"), {"year": 2026, "title": "乙县2026年度计划"})
    assert response.status_code == 302
    plan = city.bureau_b.inspection_plans.get()
    item = world.item_list.items.get(code="JL-02")
    response = client.post(
        reverse("supervision:task_create", args=[plan.pk]),
        {
            "name": "集贸市场专项",
            "kind": "directed",
            "items": [item.pk],
            "object_categories": ["market_fair"],
            "quotas": "unrated=100%",
            "per_target": 2,
            "exclusion_days": 365,
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-20",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    task = Task.objects.get(plan=plan)
    assert task.quotas == {"unrated": "1"} and task.number == f"{city.county_b.code}-2026-01"
    # A quota line that is not "stratum=value" stays on the form.
    response = client.post(
        reverse("supervision:task_create", args=[plan.pk]),
        {
            "name": "x",
            "kind": "undirected",
            "items": [item.pk],
            "quotas": "A 5",
            "per_target": 2,
            "exclusion_days": 0,
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-20",
        },
    )
    assert response.status_code == 200 and "分类代码=数量或比例" in response.content.decode()


def test_the_item_list_shows_the_current_version(client, city, world):
    client.force_login(city.county_regulator_b)
    html = client.get(reverse("supervision:items")).content.decode()
    assert "JL-01" in html and "加油站计量监督管理办法" in html
    assert client.get(reverse("supervision:items") + "?version=9").status_code == 404


def test_an_officer_and_a_conflict_through_the_pages(client, city, world):
    client.force_login(city.county_regulator_a)
    response = client.post(
        reverse("supervision:inspector_create"),
        {"name": "王敏", "certificate_number": "ln2109210099", "field": "计量", "valid_until": "2030-06-30"},
    )
    assert response.status_code == 302
    officer = Inspector.objects.get(certificate_number="LN2109210099")
    response = client.post(
        reverse("supervision:inspector_conflict", args=[officer.pk]),
        {"credit_code": world.owners[0].credit_code, "kind": "relative", "note": "配偶任职"},
    )
    assert response.status_code == 302
    assert officer.conflicts.get().organization == world.owners[0]
    # An organization of another county is not within reach.
    response = client.post(
        reverse("supervision:inspector_conflict", args=[officer.pk]),
        {"credit_code": city.owner_b.credit_code, "kind": "relative"},
        follow=True,
    )
    assert "不在管辖范围内" in response.content.decode()
    assert officer.conflicts.count() == 1
