"""Supervision in the early-warning center: results not published by their due day and rectification orders past
their deadline, each scoped like supervision's pages (and the ordered organization sees its own order)."""

from __future__ import annotations

from datetime import date

from jiliang.indicators.selectors.warnings import WarningKind, kinds_for, warning_counts, warnings_for
from jiliang.supervision.models import Checklist, Inspection, Rectification, ResultCategory

K = WarningKind
TODAY = date(2027, 1, 8)


def make(city, world):
    owner = world.owners[0]
    inspection = Inspection.objects.create(
        number="JC-1",
        organization=owner,
        region=owner.region,
        bureau=city.bureau_a,
        checklist=Checklist.objects.get(trade="petrol"),
        inspected_on=date(2026, 12, 3),
        status=Inspection.Status.SUBMITTED,
        result=ResultCategory.objects.get(code="ordered_to_correct"),
        publish_due=date(2026, 12, 31),
    )
    order = Rectification.objects.create(
        number="ZG-1",
        inspection=inspection,
        organization=owner,
        region=owner.region,
        bureau=city.bureau_a,
        requirement="改正",
        ordered_on=date(2026, 12, 4),
        deadline=date(2027, 1, 4),
    )
    return inspection, order


def test_late_results_and_overdue_orders_reach_the_regulators_in_scope(city, world):
    make(city, world)
    found = warnings_for(city.county_regulator_a, today=TODAY)
    rows = {row.kind: row for row in found.rows if row.kind in (K.RESULTS_UNPUBLISHED, K.RECTIFICATION_OVERDUE)}
    assert (
        rows[K.RESULTS_UNPUBLISHED].due == date(2026, 12, 31)
        and rows[K.RESULTS_UNPUBLISHED].actor == city.bureau_a.name
    )
    assert rows[K.RECTIFICATION_OVERDUE].due == date(2027, 1, 4) and "ZG-1" in rows[K.RECTIFICATION_OVERDUE].what
    assert warning_counts(city.city_regulator, today=TODAY)[K.RECTIFICATION_OVERDUE] == 1
    counts_b = warning_counts(city.county_regulator_b, today=TODAY)
    assert counts_b[K.RESULTS_UNPUBLISHED] == 0 and counts_b[K.RECTIFICATION_OVERDUE] == 0


def test_nothing_is_late_before_its_day_or_once_acted_on(city, world):
    inspection, order = make(city, world)
    counts = warning_counts(city.county_regulator_a, today=date(2026, 12, 31))
    assert counts[K.RESULTS_UNPUBLISHED] == 0 and counts[K.RECTIFICATION_OVERDUE] == 0
    Inspection.objects.filter(pk=inspection.pk).update(status=Inspection.Status.PUBLISHED)
    Rectification.objects.filter(pk=order.pk).update(status=Rectification.Status.REPLIED)
    counts = warning_counts(city.county_regulator_a, today=TODAY)
    assert counts[K.RESULTS_UNPUBLISHED] == 0 and counts[K.RECTIFICATION_OVERDUE] == 0


def test_the_ordered_organization_sees_its_own_order_and_no_one_elses(city, world):
    make(city, world)
    owner_user = type(city.owner_a_user).objects.create(
        username="station_1", role="owner", organization=world.owners[0]
    )
    assert K.RECTIFICATION_OVERDUE in kinds_for(owner_user)
    assert K.RESULTS_UNPUBLISHED not in kinds_for(owner_user)
    assert warning_counts(owner_user, today=TODAY)[K.RECTIFICATION_OVERDUE] == 1
    assert warning_counts(city.owner_a_user, today=TODAY)[K.RECTIFICATION_OVERDUE] == 0
    assert K.RECTIFICATION_OVERDUE not in kinds_for(city.institute_user)
