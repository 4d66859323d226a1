"""The record form knows the item: procedures, people qualified that day, usable standards and why the others are
not, the MPE rule (to the certificate), the measuring range, temperature and humidity with their units."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from jiliang.catalog.models import Procedure
from jiliang.people.models import Person, Qualification
from jiliang.people.selectors import qualified_people, verifier_qualified
from jiliang.standards.models import Standard
from jiliang.standards.selectors.standards import standards_for_item
from jiliang.verification.formats.documents import humidity_text, mpe_rule_text, temperature_text
from jiliang.verification.formats.pdf import certificate_pdf
from jiliang.verification.forms.records import RecordForm, outside_range, procedure_label
from jiliang.verification.models import RecordDraft
from jiliang.verification.services.records import verdict_points
from tests.builders.standards import make_equipment, make_standard
from tests.builders.verification import issue_certificate, sign_through
from tests.factories import catalog_item

pytestmark = pytest.mark.django_db

GAS_POINTS = [
    {"label": "qmin", "reference": "50.0", "indicated": "50.6"},
    {"label": "qmax", "reference": "100.0", "indicated": "101.4"},
]


def _form(bench, data=None, **initial):
    return RecordForm(
        data,
        institute=bench.request.institute,
        instrument=bench.instruments[0],
        initial={"kind": "verification"} | initial,
    )


def _post(bench, points, **overrides):
    data = {
        "item": bench.items[0].pk,
        "kind": "verification",
        "performed_on": bench.today.isoformat(),
        "standards": [bench.standard.pk],
        "verifier": bench.verifier.pk,
        "checker": bench.checker.pk,
        "approver": bench.approver.pk,
        "unit": "kg",
        "resolution": "0.001",
    }
    for i, p in enumerate(points):
        for key, value in p.items():
            data[f"p-{i}-{key}"] = value
    data.update(overrides)
    return data


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))


# ---- 1. the procedure ------------------------------------------------------------------------------------------


def test_the_items_procedure_is_preselected_and_listed_first_under_its_own_heading(bench):
    form = _form(bench)
    own = Procedure.objects.get(code="JJG 539")  # the catalog's for item 02, loaded by migration
    assert form.fields["procedure"].initial == own
    choices = form.fields["procedure"].choices
    assert choices[1][0] == "本项目的规程" and [pk for pk, _label in choices[1][1]] == [own.pk]
    assert choices[2][0] == "其他规程" and own.pk not in [pk for pk, _label in choices[2][1]]


def test_a_procedure_is_labelled_with_its_title_or_says_the_title_is_missing(bench):
    titled = Procedure.objects.create(code="JJG 577-2012", name="膜式燃气表", kind="JJG")
    assert procedure_label(titled) == "JJG 577-2012 膜式燃气表"
    untitled = Procedure.objects.get(code="JJG 539")
    html = _form(bench)["procedure"].as_widget()
    # The catalog items that cite it, never a made-up title.
    assert "JJG 539（未登记规程名称；目录项：非自动衡器）" in html
    assert procedure_label(Procedure(code="JJG 9999")) == "JJG 9999（未登记规程名称）"
    assert untitled.name == ""


def test_a_procedure_with_its_year_is_the_items_own_too(bench):
    with_year = Procedure.objects.create(code="JJG 539-2016", name="数字指示秤", kind="JJG")
    choices = _form(bench).fields["procedure"].choices
    assert with_year.pk in [pk for pk, _label in choices[1][1]]


# ---- 2. the signature lists ------------------------------------------------------------------------------------


def test_the_signature_lists_hold_only_people_qualified_for_the_item_that_day(bench):
    gone = Person.objects.create(
        organization=bench.request.institute, name="钱离职", left_on=bench.today - timedelta(1)
    )
    Qualification.objects.create(
        person=gone, kind="verifier", number="JDY-GONE", issued_on=date(2020, 1, 1), valid_until=date(2099, 1, 1)
    ).catalog_items.add(catalog_item("02"))
    form = _form(bench)
    for name in ("verifier", "checker", "approver"):
        listed = set(form.fields[name].queryset)
        assert listed == {bench.verifier, bench.checker, bench.approver}, name
    html = form["checker"].as_widget()
    assert "赵新人" not in html and "钱离职" not in html and "李核验" in html


def test_qualified_people_agrees_with_verifier_qualified_and_takes_one_query(bench):
    item = catalog_item("02")
    novice = bench.novice
    # Qualified through the regulation code only, and one whose qualification ran out yesterday.
    by_code = Qualification.objects.create(
        person=novice, kind="verifier", number="JDY-CODE", issued_on=date(2020, 1, 1), valid_until=date(2099, 1, 1)
    )
    by_code.procedures.add(Procedure.objects.get(code="JJG 539"))
    lapsed = Person.objects.create(organization=bench.request.institute, name="孙过期")
    Qualification.objects.create(
        person=lapsed,
        kind="verifier",
        number="JDY-OLD",
        issued_on=date(2020, 1, 1),
        valid_until=bench.today - timedelta(1),
    ).catalog_items.add(item)
    with CaptureQueriesContext(connection) as queries:
        listed = list(qualified_people(bench.request.institute, item, bench.today))
    assert len(queries) == 1
    everyone = Person.objects.filter(organization=bench.request.institute)
    assert set(listed) == {p for p in everyone if verifier_qualified(p, item, bench.today)}
    assert novice in listed and lapsed not in listed


def test_a_calibration_of_an_item_lists_the_staff_on_the_day(bench):
    form = _form(bench, {"kind": "calibration", "performed_on": bench.today.isoformat()})
    assert bench.novice in set(form.fields["verifier"].queryset)


def test_the_lists_follow_the_date_asked_for(client, bench):
    client.force_login(bench.verifier.user)
    long_ago = (bench.today - timedelta(days=800)).isoformat()  # before any qualification was issued
    data = _post(bench, [], refresh="1", performed_on=long_ago)
    response = client.post("/records/new/", data)
    html = response.content.decode()
    assert response.status_code == 200 and not RecordDraft.objects.exists()
    assert f'value="{long_ago}"' in html
    assert "符合条件的人员只有 0 人" in html


# ---- 3. the standards ------------------------------------------------------------------------------------------


def test_only_usable_standards_are_offered_and_the_others_say_why(bench):
    elsewhere = make_standard(bench.request.institute, code="CS-009", level=Standard.Level.CITY, today=bench.today)
    make_equipment(elsewhere, name="压力计", serial="P-1", issuer=bench.lab.province, today=bench.today, number="Z-9")
    form = _form(bench)
    offered = [pk for pk, _label in form.fields["standards"].choices]
    assert offered == [bench.standard.pk]
    reasons = {standard.pk: text for standard, text in form.standards_other}
    assert reasons[bench.expired_standard.pk] == ["考核证书已过期"]
    assert reasons[elsewhere.pk] == ["开展项目不包括“电子计价秤(数字指示秤)”"]
    html = _form(bench)["standards"].as_widget()
    assert str(bench.expired_standard.pk) not in re.findall(r'value="(\d+)"', html)


def test_the_others_are_behind_a_toggle_on_the_page(client, bench):
    client.force_login(bench.verifier.user)
    html = client.get(f"/records/new/?item={bench.items[0].pk}").content.decode()
    toggle = html[html.index('data-testid="other-standards"') :]
    assert "<summary>" in toggle and "电子秤检定装置（旧）" in toggle and "考核证书已过期" in toggle


def test_splitting_the_standards_costs_the_same_queries_for_one_or_many(bench):
    item = catalog_item("02")
    institute = bench.request.institute
    with CaptureQueriesContext(connection) as few:
        standards_for_item(institute, item, bench.today)
    for n in range(8):
        extra = make_standard(institute, code=f"CS-1{n}", level=Standard.Level.CITY, today=bench.today)
        extra.catalog_items.add(item)
        make_equipment(
            extra, name="砝码", serial=f"W-{n}", issuer=bench.lab.province, today=bench.today, number=f"Z{n}"
        )
    with CaptureQueriesContext(connection) as many:
        found = standards_for_item(institute, item, bench.today)
    assert len(many) == len(few) <= 3
    assert len(found.usable) == 9


# ---- 4. the MPE rule -------------------------------------------------------------------------------------------


def test_a_percent_rule_is_taken_of_the_reference_value_by_default():
    rows, conclusion = verdict_points(
        kind="verification", points=GAS_POINTS, resolution="0.1", mpe_rule={"kind": "percent", "a": "1.5"}
    )
    assert [r.mpe for r in rows] == [Decimal("0.75"), Decimal("1.5")]
    assert [r.passed for r in rows] == [True, True] and conclusion == "pass"


def test_each_kind_of_rule_gives_the_absolute_mpe_at_the_point():
    points = [{"reference": "10", "indicated": "10.05"}]

    def mpe(rule):
        return verdict_points(kind="verification", points=points, resolution="", mpe_rule=rule)[0][0].mpe

    assert mpe({"kind": "absolute", "a": "0.1"}) == Decimal("0.1")
    assert mpe({"kind": "percent", "a": "1", "basis": "indicated"}) == Decimal("0.1005")
    assert mpe({"kind": "percent_fs", "a": "1.6", "full_scale": "25"}) == Decimal("0.4")
    assert mpe({"kind": "linear", "a": "0.02", "b": "0.005", "basis": "reference"}) == Decimal("0.07")


def test_a_points_typed_mpe_overrides_the_rule():
    points = [dict(GAS_POINTS[0], mpe="0.5"), GAS_POINTS[1]]
    rows, conclusion = verdict_points(
        kind="verification", points=points, resolution="0.1", mpe_rule={"kind": "percent", "a": "1.5"}
    )
    assert [r.mpe for r in rows] == [Decimal("0.5"), Decimal("1.5")]
    assert [r.passed for r in rows] == [False, True] and conclusion == "fail"


def test_a_rule_that_cannot_hold_is_refused_with_a_reason():
    from jiliang.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        verdict_points(kind="verification", points=GAS_POINTS, resolution="", mpe_rule={"kind": "percent", "a": "0"})
    assert refused.value.errors[0][0] == "mpe_rule"


def test_the_rule_reaches_the_certificate_document_and_its_pdf(bench):
    rule = {"kind": "percent", "a": "2"}
    points = [{"label": "10 kg", "reference": "10.000", "indicated": "10.150"}]
    certificate = issue_certificate(bench, points=points, mpe_rule=rule, temperature="20.5", humidity="45")
    results = certificate.document["results"]
    assert results["mpe_rule"] == {"kind": "percent", "a": "2", "basis": "reference"}
    assert results["points"][0]["mpe"] == "0.200" and results["conclusion"] == "pass"
    text = _pdf_text(certificate_pdf(certificate))
    assert "最大允许误差：±2%（相对于标准值）" in text
    assert "20.5°C" in text and "45%RH" in text


def test_a_document_without_a_rule_keeps_its_shape(bench):
    assert "mpe_rule" not in issue_certificate(bench).document["results"]


def test_the_rule_reads_as_a_certificate_states_it():
    assert mpe_rule_text({"kind": "percent", "a": "2", "basis": "reference"}) == "±2%（相对于标准值）"
    assert mpe_rule_text({"kind": "percent", "a": "1", "basis": "indicated"}) == "±1%（相对于示值）"
    assert mpe_rule_text({"kind": "absolute", "a": "0.5"}, "kg") == "±0.5 kg"
    assert mpe_rule_text({"kind": "percent_fs", "a": "1.6", "full_scale": "1.6"}, "MPa") == "±1.6%FS（满量程 1.6 MPa）"
    rule = {"kind": "linear", "a": "0.02", "b": "0.005", "basis": "reference"}
    assert mpe_rule_text(rule, "kg") == "±(0.02 kg + 0.005 × 标准值)"


def test_the_form_sends_the_rule_and_the_page_issues_without_point_mpes(client, bench):
    client.force_login(bench.verifier.user)
    points = [{"label": "10 kg", "reference": "10.000", "indicated": "10.004"}]
    response = client.post("/records/new/", _post(bench, points, mpe_kind="absolute", mpe_a="0.010"))
    assert response.status_code == 302
    # The form saves the verifier's draft; the checker and the approver sign it by their own logins.
    certificate = sign_through(RecordDraft.objects.get(), bench.checker, bench.approver)
    assert certificate.document["results"]["mpe_rule"] == {"kind": "absolute", "a": "0.010"}


def test_a_rule_in_percent_of_full_scale_needs_the_full_scale(bench):
    form = _form(bench, _post(bench, GAS_POINTS, mpe_kind="percent_fs", mpe_a="1.6"))
    assert not form.is_valid() and "引用误差须填写满量程" in str(form.errors["mpe_full_scale"])
    form = _form(bench, _post(bench, GAS_POINTS, mpe_kind="percent", mpe_a="abc"))
    assert not form.is_valid() and "mpe_a" in form.errors


def test_the_preview_uses_the_same_rule(client, bench):
    client.force_login(bench.verifier.user)
    data = _post(bench, GAS_POINTS, mpe_kind="percent", mpe_a="1", resolution="0.1")
    html = client.post("/records/preview/", data).content.decode()
    assert "最大允许误差：±1%（相对于标准值）" in html and "不合格" in html
    data["mpe_a"] = "1.5"
    assert "不合格" not in client.post("/records/preview/", data).content.decode()


def test_outsiders_cannot_use_the_preview(client, bench, city):
    client.force_login(city.owner_a_user)
    assert client.post("/records/preview/", _post(bench, GAS_POINTS, mpe_a="1")).status_code == 404


# ---- 6. the measuring range ------------------------------------------------------------------------------------


def test_a_point_outside_the_measuring_range_is_flagged():
    points = [{"reference": "10"}, {"reference": "31"}, {"reference": "x"}]
    assert outside_range(points, "(0.1～30) kg", "kg") == ["第 2 个检定点的标准值 31 超出器具的测量范围 (0.1～30) kg"]
    assert outside_range(points, "(0.1～30) kg", "g") == []  # another unit: not compared
    assert outside_range(points, "220 V，(0.01～100) A", "") == []  # not one plain range: nothing said


def _ranged(bench):
    instrument = bench.instruments[0]
    instrument.measuring_range = "(0.1～15) kg"
    instrument.save(update_fields=["measuring_range"])


def test_the_form_saves_a_point_outside_the_range_only_once_confirmed(client, bench):
    _ranged(bench)
    client.force_login(bench.verifier.user)
    points = [{"label": "20 kg", "reference": "20.000", "indicated": "20.004", "mpe": "0.010"}]
    response = client.post("/records/new/", _post(bench, points))
    html = response.content.decode()
    assert response.status_code == 200 and not RecordDraft.objects.exists()
    assert "超出器具的测量范围 (0.1～15) kg" in html and 'name="range_confirmed"' in html
    response = client.post("/records/new/", _post(bench, points, range_confirmed="on"))
    assert response.status_code == 302 and RecordDraft.objects.count() == 1


def test_the_preview_flags_a_point_outside_the_range(client, bench):
    _ranged(bench)
    client.force_login(bench.verifier.user)
    points = [{"label": "20 kg", "reference": "20.000", "indicated": "20.004", "mpe": "0.010"}]
    html = client.post("/records/preview/", _post(bench, points)).content.decode()
    assert 'data-testid="preview-range"' in html and "超出器具的测量范围" in html


def test_the_full_scale_and_unit_come_from_a_range_from_zero(bench):
    instrument = bench.instruments[0]
    instrument.measuring_range = "(0～1.6) MPa"
    form = RecordForm(institute=bench.request.institute, instrument=instrument, initial={})
    assert form.fields["mpe_full_scale"].initial == "1.6" and form.fields["unit"].initial == "MPa"


# ---- 7. temperature and humidity -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("temperature", "humidity", "field"),
    [
        ("150", "45", "temperature"),
        ("-51", "45", "temperature"),
        ("20", "101", "humidity"),
        ("warm", "45", "temperature"),
    ],
)
def test_temperature_and_humidity_must_be_numbers_in_a_sane_range(bench, temperature, humidity, field):
    form = _form(bench, _post(bench, GAS_POINTS, temperature=temperature, humidity=humidity))
    assert not form.is_valid() and field in form.errors


def test_a_unit_typed_with_the_number_is_taken_off(bench):
    form = _form(bench, _post(bench, [], temperature="20.5 ℃", humidity="45 %RH"))
    form.is_valid()
    assert form.cleaned_data["temperature"] == "20.5" and form.cleaned_data["humidity"] == "45"


def test_the_inputs_say_their_units(client, bench):
    client.force_login(bench.verifier.user)
    html = client.get(f"/records/new/?item={bench.items[0].pk}").content.decode()
    assert "温度（°C）" in html and "相对湿度（%RH）" in html


def test_conditions_print_with_their_units_and_stated_text_as_stated(bench):
    assert temperature_text("20.5") == "20.5 °C" and humidity_text("45") == "45 %RH"
    assert temperature_text("20.5 ℃") == "20.5 ℃" and humidity_text("") == ""
    certificate = issue_certificate(bench, temperature="-3", humidity="60.5")
    assert certificate.document["conditions"]["temperature"] == "-3 °C"
    assert certificate.document["conditions"]["humidity"] == "60.5 %RH"


def test_a_calibration_keeps_no_mpe_rule(bench):
    certificate = issue_certificate(
        bench,
        kind="calibration",
        mpe_rule={"kind": "percent", "a": "2"},
        expanded_uncertainty="0.8 g",
        coverage_factor="2",
    )
    assert certificate.kind == "calibration" and "mpe_rule" not in certificate.document["results"]


def test_the_form_costs_the_same_queries_whatever_the_staff_and_standards(bench):
    def rendered():
        with CaptureQueriesContext(connection) as queries:
            str(_form(bench).as_div())
        return len(queries)

    before = rendered()
    item = catalog_item("02")
    for n in range(6):
        person = Person.objects.create(organization=bench.request.institute, name=f"检定员{n}")
        Qualification.objects.create(
            person=person, kind="verifier", number=f"JDY-X{n}", issued_on=date(2020, 1, 1), valid_until=date(2099, 1, 1)
        ).catalog_items.add(item)
        extra = make_standard(bench.request.institute, code=f"CS-2{n}", level=Standard.Level.CITY, today=bench.today)
        extra.catalog_items.add(item)
    assert rendered() == before
