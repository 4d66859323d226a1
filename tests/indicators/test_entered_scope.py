"""Entered figures (value and source) follow the scope of computed ones, on every page, file and disclosure.

The rule (docs/indicators.md, "Who reads which figures"): the admin reads every region's figures; a regulator reads
the figures of its own region and the regions below it (the city bureau the city and every county, a county bureau
its own county only — neither a neighbour's nor the city's); owners and institutes read no figure (they see the
plans' targets). The public reads what a city bureau published (/open/), nothing else.

The city enters one figure for the city, the bureaus of counties A and B one each for their county, each with a
value and a source title found nowhere else on any page, then the nightly snapshot runs.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiliang.indicators.models import Indicator
from jiliang.indicators.selectors import plans as selectors
from jiliang.indicators.services import evaluations
from jiliang.indicators.services import plans as services
from jiliang.indicators.services.plans import snapshot_take
from tests.builders.indicators import pdf_text

pytestmark = pytest.mark.django_db

DAY = date(2025, 6, 30)
PLAN = "fuxin-2015"
CODE = "model-units"


class Entered:
    """What each region entered: its value as the pages print it, and its source title."""

    CITY = ("5113", "阜新市诚信计量示范单位名单（市本级）")
    A = ("6217", "甲县诚信计量示范单位名单")
    B = ("7391", "乙县诚信计量示范单位名单")


def enter(actor, region, value: str, source: str):
    indicator = Indicator.objects.get(plan__code=PLAN, code=CODE)
    return services.entered_figure_add(
        actor=actor,
        indicator_id=indicator.pk,
        region_id=region.pk,
        value=Decimal(value),
        as_of=date(2025, 5, 31),
        source_title=source,
        source_date=date(2025, 6, 5),
    )


@pytest.fixture
def entered(city):
    enter(city.city_regulator, city.city, *Entered.CITY)
    enter(city.county_regulator_a, city.county_a, *Entered.A)
    enter(city.county_regulator_b, city.county_b, *Entered.B)
    snapshot_take(day=DAY, city=city.city)
    return city


def shows(html: str, figure: tuple[str, str]) -> dict[str, bool]:
    value, source = figure
    return {"value": value in html, "source": source in html}


NOTHING = {"value": False, "source": False}
BOTH = {"value": True, "source": True}


def plan_page(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(reverse("plans:detail", args=[PLAN]), params)
    assert response.status_code == 200
    return response.content.decode()


def indicator_page(client, user, **params):
    client.force_login(user)
    return client.get(reverse("plans:indicator", args=[PLAN, CODE]), params)


# ---- the plan page (the dashboard and the indicator table) ----------------------------------------------------


def test_a_county_bureau_never_sees_another_countys_entered_figure(client, entered):
    html = plan_page(client, entered.county_regulator_a)
    assert shows(html, Entered.B) == NOTHING
    assert shows(html, Entered.A) == BOTH


@pytest.mark.parametrize("persona", ["owner_a", "owner_b", "institute"])
def test_owners_and_institutes_see_no_entered_figure_only_the_target(client, entered, persona):
    html = plan_page(client, entered.personas[persona])
    for figure in (Entered.CITY, Entered.A, Entered.B):
        assert shows(html, figure) == NOTHING, figure
    assert "≥ 30 家" in html  # the target is a public document's
    assert 'id="dashboard"' not in html


def test_a_county_bureau_reads_its_county_not_the_citys(client, entered):
    html = plan_page(client, entered.county_regulator_b)
    assert shows(html, Entered.B) == BOTH
    assert shows(html, Entered.A) == NOTHING
    assert shows(html, Entered.CITY) == NOTHING


def test_the_city_bureau_reads_the_city_and_every_county(client, entered):
    html = plan_page(client, entered.city_regulator)
    for figure in (Entered.CITY, Entered.A, Entered.B):
        assert shows(html, figure) == BOTH, figure


def test_the_admin_reads_every_figure(client, entered):
    html = plan_page(client, entered.admin, city=entered.city.pk)
    for figure in (Entered.CITY, Entered.A, Entered.B):
        assert shows(html, figure) == BOTH, figure


def test_anonymous_is_sent_to_login(client, entered):
    for url in (reverse("plans:detail", args=[PLAN]), reverse("plans:indicator", args=[PLAN, CODE])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response.url


# ---- the indicator page and the county drill-down -------------------------------------------------------------


def test_indicator_page_of_a_county_bureau_holds_its_county_only(client, entered):
    response = indicator_page(client, entered.county_regulator_a)
    assert response.status_code == 200
    html = response.content.decode()
    assert shows(html, Entered.A) == BOTH
    assert shows(html, Entered.B) == NOTHING and shows(html, Entered.CITY) == NOTHING
    assert indicator_page(client, entered.county_regulator_a, county=entered.county_b.pk).status_code == 404
    assert indicator_page(client, entered.county_regulator_a, county=entered.city.pk).status_code == 404


def test_city_bureau_drills_into_a_county_and_reads_its_source(client, entered):
    response = indicator_page(client, entered.city_regulator)
    html = response.content.decode()
    assert shows(html, Entered.CITY) == BOTH
    # The breakdown shows each county's value beside the city's.
    assert Entered.A[0] in html and Entered.B[0] in html
    response = indicator_page(client, entered.city_regulator, county=entered.county_b.pk)
    assert response.status_code == 200
    assert response.context["row"].entered.source_title == Entered.B[1]
    assert shows(response.content.decode(), Entered.B) == BOTH


@pytest.mark.parametrize("persona", ["owner_a", "owner_b", "institute"])
def test_owners_and_institutes_get_404_on_the_indicator_page(client, entered, persona):
    assert indicator_page(client, entered.personas[persona]).status_code == 404
    assert indicator_page(client, entered.personas[persona], county=entered.county_b.pk).status_code == 404


# ---- the selector ---------------------------------------------------------------------------------------------


def test_the_selector_answers_the_rule_for_every_persona(entered):
    plan = selectors.plan_get(entered.city_regulator, PLAN)
    regions = {
        name: set(selectors.entered_figures_visible_to(user, plan).values_list("region_id", flat=True))
        for name, user in entered.personas.items()
    }
    c, a, b = entered.city.pk, entered.county_a.pk, entered.county_b.pk
    assert regions == {
        "city_regulator": {c, a, b},
        "county_regulator_a": {a},
        "county_regulator_b": {b},
        "institute": set(),
        "owner_a": set(),
        "owner_b": set(),
        "anonymous": set(),
    }
    assert set(selectors.entered_figures_visible_to(entered.admin, plan).values_list("region_id", flat=True)) == {
        c,
        a,
        b,
    }


# ---- evaluation reports and the public disclosure -------------------------------------------------------------


@pytest.fixture
def report(entered):
    return evaluations.evaluation_create(actor=entered.city_regulator, kind="mid_term", day=DAY)


def test_the_citys_report_holds_the_citys_source_and_each_countys_value(client, entered, report):
    client.force_login(entered.city_regulator)
    response = client.get(reverse("evaluations:xlsx", args=[report.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    cells = [str(v) for row in book[PLAN].iter_rows(values_only=True) for v in row if v is not None]
    assert any(Entered.CITY[1] in v for v in cells)
    assert Entered.A[0] in cells and Entered.B[0] in cells  # the county breakdown
    # A county's source is the county's: the city's report names its own.
    assert not any(Entered.B[1] in v or Entered.A[1] in v for v in cells)


def test_the_citys_pdf_names_the_citys_source_and_no_countys(client, entered, report):
    client.force_login(entered.city_regulator)
    response = client.get(reverse("evaluations:pdf", args=[report.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert Entered.CITY[1] in text
    assert Entered.A[1] not in text and Entered.B[1] not in text


@pytest.mark.parametrize("persona", ["county_regulator_a", "county_regulator_b", "institute", "owner_a"])
def test_nobody_but_the_city_bureau_downloads_the_unpublished_report(client, entered, report, persona):
    client.force_login(entered.personas[persona])
    for name in ("xlsx", "pdf"):
        assert client.get(reverse(f"evaluations:{name}", args=[report.pk])).status_code == 404
    assert client.get(reverse("evaluations:list")).status_code == 404


def test_the_public_reads_entered_figures_only_once_published(client, entered, report):
    client.logout()
    assert client.get(reverse("disclosure:detail", args=[report.pk])).status_code == 404
    html = client.get(reverse("disclosure:index")).content.decode()
    for figure in (Entered.CITY, Entered.A, Entered.B):
        assert shows(html, figure) == NOTHING
    evaluations.evaluation_publish(actor=entered.city_regulator, evaluation_id=report.pk)
    html = client.get(reverse("disclosure:detail", args=[report.pk])).content.decode()
    assert shows(html, Entered.CITY) == BOTH
    assert Entered.B[1] not in html and Entered.A[1] not in html
