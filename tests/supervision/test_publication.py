"""Publishing spot-check results: by the bureau that inspected, once, and shown to the public on the task's page and
in the list of results; late ones found by the warning's rule."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from jiliang.core import clock
from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import AuditEvent
from jiliang.supervision.models import Checklist, Inspection, Publication, ResultCategory
from jiliang.supervision.selectors.publication import public_results, results_late_q
from jiliang.supervision.services import plans
from jiliang.supervision.services.publication import result_publish


@pytest.fixture
def submitted(city, world):
    with clock.travel(date(2026, 12, 1)):
        plans.draw_commit(actor=city.county_regulator_a, task_id=world.task.pk, seed_source="双色球第 2026142 期")
        plans.draw_seed(actor=city.county_regulator_a, task_id=world.task.pk, seed="1 2 3 4 5 6 7")
    owner = world.owners[0]
    return Inspection.objects.create(
        number="JC-1",
        organization=owner,
        region=owner.region,
        bureau=city.bureau_a,
        task=world.task,
        checklist=Checklist.objects.get(trade="petrol"),
        inspected_on=date(2026, 12, 3),
        status=Inspection.Status.SUBMITTED,
        result=ResultCategory.objects.get(code="ordered_to_correct"),
        publish_due=date(2026, 12, 31),
    )


def test_the_bureau_publishes_a_result_once_and_the_public_sees_it(client, city, world, submitted):
    with clock.travel(date(2026, 12, 10)):
        publication = result_publish(actor=city.county_regulator_a, inspection_id=submitted.pk)
        with pytest.raises(DomainError, match="已公示"):
            result_publish(actor=city.county_regulator_a, inspection_id=submitted.pk)
    submitted.refresh_from_db()
    assert submitted.status == Inspection.Status.PUBLISHED and publication.body["result"] == "发现问题已责令改正"
    assert AuditEvent.objects.filter(action="inspection.publish", object_id=str(submitted.pk)).exists()
    assert list(public_results()) == [publication]
    html = client.get(reverse("draws:detail", args=[world.task.pk])).content.decode()
    assert submitted.organization.name in html and "发现问题已责令改正" in html
    html = client.get(reverse("draws:results")).content.decode()
    assert submitted.organization.credit_code in html


def test_nobody_else_publishes_and_a_draft_is_not_published(city, world, submitted):
    for actor in (city.county_regulator_b, city.city_regulator, city.owner_a_user):
        with pytest.raises(NotFoundOrForbidden):
            result_publish(actor=actor, inspection_id=submitted.pk)
    draft = Inspection.objects.create(
        number="JC-2",
        organization=world.owners[1],
        region=city.county_a,
        bureau=city.bureau_a,
        checklist=Checklist.objects.get(trade="petrol"),
        inspected_on=date(2026, 12, 3),
    )
    with pytest.raises(DomainError, match="尚未录入"):
        result_publish(actor=city.county_regulator_a, inspection_id=draft.pk)
    assert not Publication.objects.exists()


def test_a_result_past_its_due_day_is_late(submitted):
    assert not Inspection.objects.filter(results_late_q(date(2026, 12, 31))).exists()
    assert list(Inspection.objects.filter(results_late_q(date(2027, 1, 4)))) == [submitted]


def test_the_task_page_publishes_every_submitted_result(client, city, world, submitted):
    client.force_login(city.county_regulator_a)
    html = client.get(reverse("supervision:task_detail", args=[world.task.pk])).content.decode()
    assert "公示抽查结果" in html
    client.force_login(city.county_regulator_b)
    assert client.post(reverse("supervision:task_publish", args=[world.task.pk])).status_code == 404
    client.force_login(city.county_regulator_a)
    assert client.post(reverse("supervision:task_publish", args=[world.task.pk])).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Inspection.Status.PUBLISHED
