"""The shipped plans, the indicator constraints, entered figures, the admin and the plan pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import AuditEvent, Organization, Region, Role
from jiliang.indicators.models import ENTERED_DEFINITIONS, EnteredFigure, EnteredFigureError, Indicator, Plan
from jiliang.indicators.selectors import plans as selectors
from jiliang.indicators.services import plans as services
from tests.factories import OrganizationFactory, UserFactory, credit_code

pytestmark = pytest.mark.django_db

# Every indicator of docs/domain.md §5 ("The plans' indicators"), as (plan, indicator code, definition, target).
# Rows with two targets there (research projects provincial/municipal; senior/intermediate titles) are two here.
EXPECTED = [
    ("fuxin-2015", "public-standards-city", "public_standards_city", "80"),
    ("fuxin-2015", "public-standards-county-avg", "public_standards_county_avg", "30"),
    ("fuxin-2015", "items-offered", "items_offered", "240"),
    ("fuxin-2015", "verified-rate-key-controlled", "verified_rate_key_controlled", "95"),
    ("fuxin-2015", "package-pass-rate", "package_pass_rate", "90"),
    ("fuxin-2015", "verified-rate", "verified_rate", "95"),
    ("fuxin-2015", "product-sampling-pass-rate", "product_sampling_pass_rate", "90"),
    ("fuxin-2015", "model-units", "model_units", "30"),
    ("fuxin-2015", "fee-waived", "fee_waived_share", "100"),
    ("fuxin-2015", "gb17167-compliance", "gb17167_compliance", "100"),
    ("fuxin-2015", "research-provincial", "research_projects", "2"),
    ("fuxin-2015", "research-municipal", "research_projects", "5"),
    ("fuxin-2015", "new-standards", "new_standards", "30"),
    ("fuxin-2015", "senior-title-city", "senior_title_ratio_city", "20"),
    ("fuxin-2015", "intermediate-title-city", "intermediate_title_ratio_city", "40"),
    ("fuxin-2015", "senior-title-county", "senior_title_ratio_county", "10"),
    ("fuxin-2015", "intermediate-title-county", "intermediate_title_ratio_county", "20"),
    ("yanan-2021", "new-standards", "new_standards", "30"),
    ("yanan-2021", "highest-standards", "highest_standards", "130"),
    ("yanan-2021", "standard-coverage", "standard_coverage", "80"),
    ("yanan-2021", "metrologists-added", "metrologists_added", "40"),
    ("yanan-2021", "assessors-added", "assessors_added", "10"),
    ("yanan-2021", "local-specifications", "local_specifications", "5"),
    ("yanan-2021", "model-units", "model_units", "500"),
    ("yanan-2021", "coverage", "coverage", "90"),
]


def other_city():
    """A second city (延安市) with its own regulator, for cross-city visibility."""
    region = Region.objects.create(code="610600", name="延安市", level=Region.Level.CITY)
    bureau = OrganizationFactory(
        name="延安市市场监督管理局", kind=Organization.Kind.REGULATOR, region=region, credit_code=credit_code()
    )
    return region, UserFactory(username="yanan_reg", role=Role.REGULATOR, organization=bureau)


def city_plan(region, code="city-2026"):
    plan = Plan.objects.create(
        code=code,
        name="本市计量发展计划",
        region=region,
        period_start=2026,
        period_end=2030,
        source_title="本市计量发展计划",
        source_issuer="市人民政府",
    )
    Indicator.objects.create(
        plan=plan,
        code="model-units",
        name="诚信计量示范单位",
        definition="model_units",
        target=Decimal("50"),
        unit="units",
        deadline=date(2030, 12, 31),
        clause="一、（一）",
        clause_quote="示范单位达到50家",
    )
    return plan


# ---- the shipped data --------------------------------------------------------------------------------------------


def test_the_migration_loads_both_plans_with_every_indicator_of_the_domain_list():
    assert set(Plan.objects.values_list("code", flat=True)) >= {"fuxin-2015", "yanan-2021"}
    loaded = {
        (i.plan.code, i.code): i for i in Indicator.objects.select_related("plan").filter(plan__region__isnull=True)
    }
    assert set(loaded) == {(plan, code) for plan, code, _, _ in EXPECTED}
    for plan, code, definition, target in EXPECTED:
        indicator = loaded[(plan, code)]
        assert indicator.definition == definition
        assert indicator.target == Decimal(target)
        assert indicator.clause.strip() and indicator.clause_quote.strip(), code
        assert indicator.name and indicator.name_en
        assert indicator.deadline == (date(2020, 12, 31) if plan == "fuxin-2015" else date(2025, 12, 31))
    assert Plan.objects.get(code="fuxin-2015").indicators.count() == 17
    assert Plan.objects.get(code="yanan-2021").indicators.count() == 8
    assert Plan.objects.get(code="fuxin-2015").source_number == "阜政发〔2015〕8号"


def test_the_quotes_carry_the_target_figure():
    for indicator in Indicator.objects.filter(plan__region__isnull=True).exclude(
        code__in=["fee-waived", "gb17167-compliance"]
    ):
        assert f"{indicator.target.normalize():f}" in indicator.clause_quote, indicator.code


def test_loading_again_updates_rather_than_duplicates():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("jiliang.indicators.migrations.0002_load_shipped_plans")
    Indicator.objects.filter(plan__code="fuxin-2015", code="verified-rate").update(target=Decimal("1"))
    before = Indicator.objects.count()
    migration.load_plans(apps, None)
    assert Indicator.objects.count() == before
    assert Indicator.objects.get(plan__code="fuxin-2015", code="verified-rate").target == Decimal("95")


# ---- constraints -----------------------------------------------------------------------------------------------


def test_an_indicator_code_is_unique_within_its_plan_but_not_across_plans():
    plan = Plan.objects.get(code="fuxin-2015")
    existing = plan.indicators.get(code="model-units")
    assert Indicator.objects.filter(code="model-units").count() == 2  # both plans have one
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(
            plan=plan,
            code="model-units",
            name="x",
            definition="model_units",
            target=1,
            unit="units",
            deadline=existing.deadline,
            clause="x",
        )


def test_a_target_may_not_be_negative():
    plan = Plan.objects.get(code="fuxin-2015")
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(
            plan=plan,
            code="negative",
            name="x",
            definition="model_units",
            target=Decimal("-1"),
            unit="units",
            deadline=date(2020, 12, 31),
            clause="x",
        )


def test_a_plan_period_must_end_after_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(
            code="bad", name="x", period_start=2030, period_end=2020, source_title="x", source_issuer="x"
        )


# ---- entered figures -------------------------------------------------------------------------------------------


def add_figure(city, code="model-units", plan="fuxin-2015", **overrides):
    indicator = Indicator.objects.get(plan__code=plan, code=code)
    values = {
        "actor": city.city_regulator,
        "indicator_id": indicator.pk,
        "region_id": city.city.pk,
        "value": Decimal("12"),
        "as_of": date(2019, 12, 31),
        "source_title": "2019年全市计量工作总结",
        "source_date": date(2020, 1, 15),
    }
    values.update(overrides)
    return services.entered_figure_add(**values)


def test_a_regulator_enters_a_figure_with_its_source_and_it_is_audited(city):
    figure = add_figure(city)
    assert figure.entered_by == city.city_regulator
    event = AuditEvent.objects.get(action="indicators.enteredfigure.create", object_id=str(figure.pk))
    assert event.changes["source_title"] == "2019年全市计量工作总结"
    assert event.changes["indicator"] == "fuxin-2015/model-units"


def test_a_figure_for_a_computed_definition_is_refused(city):
    computed = Indicator.objects.exclude(definition__in=ENTERED_DEFINITIONS).first()
    with pytest.raises(DomainError) as excinfo:
        add_figure(city, code=computed.code, plan=computed.plan.code)
    assert "不能人工录入" in excinfo.value.message
    figure = EnteredFigure(
        indicator=Indicator.objects.get(plan__code="yanan-2021", code="coverage"),
        region=city.city,
        value=Decimal("91"),
        as_of=date(2025, 1, 1),
        source_title="x",
        source_date=date(2025, 1, 2),
        entered_by=city.admin,
    )
    with pytest.raises(ValidationError) as excinfo:
        figure.full_clean()
    assert "indicator" in excinfo.value.message_dict
    assert not EnteredFigure.objects.exists()


def test_a_figure_needs_a_source(city):
    with pytest.raises(DomainError):
        add_figure(city, source_title="  ")
    with pytest.raises(IntegrityError), transaction.atomic():
        EnteredFigure.objects.create(
            indicator=Indicator.objects.get(plan__code="fuxin-2015", code="model-units"),
            region=city.city,
            value=1,
            as_of=date(2020, 1, 1),
            source_title="",
            source_date=date(2020, 1, 1),
            entered_by=city.admin,
        )


def test_figures_are_never_edited_and_a_correction_needs_a_note(city):
    figure = add_figure(city)
    figure.value = Decimal("13")
    with pytest.raises(EnteredFigureError):
        figure.save()
    with pytest.raises(EnteredFigureError):
        figure.delete()
    with pytest.raises(EnteredFigureError):
        EnteredFigure.objects.filter(pk=figure.pk).update(value=Decimal("14"))
    with pytest.raises(DomainError):
        add_figure(city, value=Decimal("13"), corrects_id=figure.pk)
    correction = add_figure(city, value=Decimal("13"), corrects_id=figure.pk, note="原数据漏计一家")
    assert correction.corrects == figure
    assert EnteredFigure.objects.get(pk=figure.pk).value == Decimal("12")


def test_owners_and_other_cities_may_not_enter_figures(city):
    with pytest.raises(NotFoundOrForbidden):
        add_figure(city, actor=city.owner_a_user)
    with pytest.raises(NotFoundOrForbidden):
        add_figure(city, actor=city.county_regulator_a, region_id=city.county_b.pk)
    region, yanan_regulator = other_city()
    with pytest.raises(NotFoundOrForbidden):
        add_figure(city, actor=yanan_regulator)  # the city's region is not theirs
    assert add_figure(city, actor=yanan_regulator, region_id=region.pk).region == region


# ---- visibility --------------------------------------------------------------------------------------------------


def test_a_plan_of_another_city_is_not_visible_to_this_city(city):
    region, yanan_regulator = other_city()
    theirs = city_plan(region, code="yanan-own")
    ours = city_plan(city.city, code="fuxin-own")
    shipped = {"fuxin-2015", "yanan-2021"}
    for user in [city.city_regulator, city.county_regulator_b, city.institute_user, city.owner_a_user]:
        codes = set(selectors.plans_visible_to(user).values_list("code", flat=True))
        assert codes == shipped | {"fuxin-own"}, user
        with pytest.raises(NotFoundOrForbidden):
            selectors.plan_get(user, theirs.code)
    assert set(selectors.plans_visible_to(yanan_regulator).values_list("code", flat=True)) == shipped | {"yanan-own"}
    assert selectors.plan_get(yanan_regulator, "yanan-own") == theirs
    assert {"yanan-own", "fuxin-own"} <= set(selectors.plans_visible_to(city.admin).values_list("code", flat=True))
    assert not selectors.plans_visible_to(None).exists()
    assert ours.pk


# ---- pages -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/plans/", "/plans/fuxin-2015/"])
def test_anonymous_visitors_are_sent_to_login(client, city, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "persona", ["city_regulator", "county_regulator_a", "county_regulator_b", "institute", "owner_a", "owner_b"]
)
def test_every_logged_in_persona_sees_the_shipped_plans(client, city, persona):
    client.force_login(city.personas[persona])
    page = client.get(reverse("plans:list")).content.decode()
    assert reverse("plans:detail", args=["fuxin-2015"]) in page and reverse("plans:detail", args=["yanan-2021"]) in page
    assert "延安市贯彻落实《计量发展规划（2021—2035年）》实施方案" in page
    response = client.get(reverse("plans:detail", args=["yanan-2021"]))
    assert response.status_code == 200
    assert "强检项目建标覆盖率达到80%" in response.content.decode()


def test_the_detail_page_shows_targets_definitions_clauses_and_entered_figures(client, city):
    add_figure(city)
    client.force_login(city.city_regulator)
    page = client.get(reverse("plans:detail", args=["fuxin-2015"])).content.decode()
    assert "≥ 80 项" in page
    assert "≥ 95%" in page
    assert "2020-12-31" in page
    assert "一、（二）5" in page and "具备中级工程技术人员资格的比例达到40%" in page
    assert "市级社会公用计量标准数" in page and "public_standards_city" not in page  # the name, never the code
    assert "录入" in page and "2019年全市计量工作总结" in page


def test_another_citys_plan_page_is_404_and_absent_from_the_list(client, city):
    region, yanan_regulator = other_city()
    city_plan(region, code="yanan-own")
    client.force_login(city.city_regulator)
    assert client.get(reverse("plans:detail", args=["yanan-own"])).status_code == 404
    assert "yanan-own" not in client.get(reverse("plans:list")).content.decode()
    assert client.get(reverse("plans:detail", args=["no-such-plan"])).status_code == 404
    client.force_login(yanan_regulator)
    assert client.get(reverse("plans:detail", args=["yanan-own"])).status_code == 200


def test_figures_of_another_city_are_not_shown(client, city):
    region, yanan_regulator = other_city()
    add_figure(city, actor=yanan_regulator, region_id=region.pk, source_title="延安市统计公报")
    client.force_login(city.city_regulator)
    assert "延安市统计公报" not in client.get(reverse("plans:detail", args=["fuxin-2015"])).content.decode()
    client.force_login(yanan_regulator)
    assert "延安市统计公报" in client.get(reverse("plans:detail", args=["fuxin-2015"])).content.decode()


# ---- admin -------------------------------------------------------------------------------------------------------


def test_a_city_adds_its_own_plan_with_indicators_in_the_admin_and_it_is_audited(client, city):
    client.force_login(city.admin)
    data = {
        "code": "fuxin-2026",
        "name": "阜新市计量发展规划（2026—2030年）",
        "name_en": "",
        "region": city.city.pk,
        "period_start": "2026",
        "period_end": "2030",
        "source_title": "阜新市计量发展规划",
        "source_issuer": "阜新市人民政府",
        "source_number": "",
        "source_date": "",
        "note": "",
        "indicators-TOTAL_FORMS": "1",
        "indicators-INITIAL_FORMS": "0",
        "indicators-MIN_NUM_FORMS": "0",
        "indicators-MAX_NUM_FORMS": "1000",
        "indicators-0-order": "1",
        "indicators-0-code": "coverage",
        "indicators-0-name": "强检计量器具检定覆盖率",
        "indicators-0-name_en": "Coverage",
        "indicators-0-definition": "coverage",
        "indicators-0-comparator": "gte",
        "indicators-0-target": "95",
        "indicators-0-unit": "percent",
        "indicators-0-deadline": "2030-12-31",
        "indicators-0-clause": "一、（一）",
        "indicators-0-clause_quote": "检定覆盖率达到95%",
    }
    response = client.post(reverse("admin:indicators_plan_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = Plan.objects.get(code="fuxin-2026")
    assert plan.region == city.city
    indicator = plan.indicators.get()
    assert indicator.target == Decimal("95")
    assert AuditEvent.objects.filter(action="indicators.plan.create", object_id=str(plan.pk), actor=city.admin).exists()
    assert AuditEvent.objects.filter(
        action="indicators.indicator.create", object_id=str(indicator.pk), actor=city.admin
    ).exists()
    assert "fuxin-2026" in set(selectors.plans_visible_to(city.county_regulator_a).values_list("code", flat=True))


def test_the_admin_adds_an_entered_figure_but_refuses_a_computed_indicator(client, city):
    client.force_login(city.admin)
    computed = Indicator.objects.get(plan__code="yanan-2021", code="coverage")
    entered = Indicator.objects.get(plan__code="yanan-2021", code="model-units")
    data = {
        "region": city.city.pk,
        "value": "120",
        "as_of": "2024-12-31",
        "source_title": "2024年诚信计量示范单位名单",
        "source_date": "2025-01-10",
        "corrects": "",
        "note": "",
    }
    response = client.post(reverse("admin:indicators_enteredfigure_add"), {**data, "indicator": computed.pk})
    assert response.status_code == 200  # the form comes back with an error
    assert not EnteredFigure.objects.exists()
    response = client.post(reverse("admin:indicators_enteredfigure_add"), {**data, "indicator": entered.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    figure = EnteredFigure.objects.get()
    assert figure.entered_by == city.admin
    assert AuditEvent.objects.filter(action="indicators.enteredfigure.create", object_id=str(figure.pk)).exists()


def test_admin_pages_render_and_an_inline_change_is_audited_with_its_diff(client, city):
    client.force_login(city.admin)
    plan = Plan.objects.get(code="yanan-2021")
    assert client.get(reverse("admin:indicators_plan_changelist")).status_code == 200
    assert client.get(reverse("admin:indicators_enteredfigure_changelist")).status_code == 200
    response = client.get(reverse("admin:indicators_plan_change", args=[plan.pk]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items() if name in form.fields}
    data["region"] = ""
    data["source_date"] = "2023-03-16"
    indicators = list(plan.indicators.order_by("order", "code"))
    data.update(
        {
            "indicators-TOTAL_FORMS": str(len(indicators)),
            "indicators-INITIAL_FORMS": str(len(indicators)),
            "indicators-MIN_NUM_FORMS": "0",
            "indicators-MAX_NUM_FORMS": "1000",
        }
    )
    fields = [
        "order",
        "code",
        "name",
        "name_en",
        "definition",
        "comparator",
        "target",
        "unit",
        "clause",
        "clause_quote",
        "clause_quote_original",
    ]
    for n, indicator in enumerate(indicators):
        data[f"indicators-{n}-id"] = indicator.pk
        data[f"indicators-{n}-plan"] = plan.pk
        data[f"indicators-{n}-deadline"] = indicator.deadline.isoformat()
        for field in fields:
            data[f"indicators-{n}-{field}"] = getattr(indicator, field)
    changed = indicators[0]
    data["indicators-0-target"] = "35"
    response = client.post(reverse("admin:indicators_plan_change", args=[plan.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    changed.refresh_from_db()
    assert changed.target == Decimal("35")
    event = AuditEvent.objects.get(action="indicators.indicator.update", object_id=str(changed.pk))
    assert event.changes["target"] == ["30.00", "35.00"]
    assert AuditEvent.objects.filter(action="indicators.indicator.update").count() == 1


def test_a_city_plan_belongs_to_a_city_level_region(city):
    plan = Plan(
        code="county-plan",
        name="x",
        region=city.county_a,
        period_start=2026,
        period_end=2030,
        source_title="x",
        source_issuer="x",
    )
    with pytest.raises(ValidationError) as excinfo:
        plan.full_clean()
    assert "region" in excinfo.value.message_dict
    plan.region = city.city
    plan.full_clean()
