"""The instrument API: every persona sees exactly its scope, out-of-scope looks missing, errors have one shape."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from jiliang.core.models import AuditEvent
from jiliang.instruments.excel import IMPORT_COLUMNS
from jiliang.instruments.models import Instrument

from ..factories import InstrumentFactory, catalog_item

URL = "/api/v1/instruments"


@pytest.fixture
def registry(city, instrument_a, instrument_b):
    """Owner A (county A) has two instruments, owner B (county B) one."""
    second_a = InstrumentFactory(owner=city.owner_a, serial_number="A-0002", usage="other")
    return {"a": [instrument_a, second_a], "b": [instrument_b]}


def upload(caller, content=None, **form):
    """POST to the import endpoint as ``caller``: an .xlsx (``content``) as its ``file``, and the other fields."""
    data = form if content is None else {"file": SimpleUploadedFile("器具.xlsx", content), **form}
    return caller.post_form(f"{URL}/import", data)


def _ids(response):
    assert response.status_code == 200, response.content
    return sorted(item["id"] for item in response.json()["items"])


def _errors(response):
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def _new(**extra):
    data = {"catalog_item": catalog_item("02").pk, "usage": "trade", "name": "电子计价秤", "serial_number": "N-1"}
    data.update(extra)
    return data


# ---- the list and its scope ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("city_regulator", "ab"),
        ("county_regulator_a", "a"),
        ("county_regulator_b", "b"),
        ("owner_a", "a"),
        ("owner_b", "b"),
        # Institutes see instruments only through requests routed to them (the one-window issue): none yet.
        ("institute", ""),
    ],
)
def test_each_persona_lists_exactly_its_scope(city, registry, api, persona, expected):
    response = api(city.personas[persona]).get(URL)
    wanted = sorted(i.pk for key in expected for i in registry[key])
    assert _ids(response) == wanted
    assert response.json()["count"] == len(wanted)


def test_anonymous_gets_401_for_every_endpoint(city, registry, api):
    anonymous = api(None)
    for response in (
        anonymous.get(URL),
        anonymous.get(f"{URL}/{registry['a'][0].pk}"),
        anonymous.post(URL, _new(owner=city.owner_a.pk)),
    ):
        assert response.status_code == 401
        assert response.json() == {"detail": "未提供令牌或令牌无效", "errors": []}
    assert not Instrument.objects.filter(serial_number="N-1").exists()


def test_a_list_item_carries_owner_region_catalog_and_due_state(city, instrument_b, api):
    item = api(city.owner_b_user).get(URL).json()["items"][0]
    assert item["id"] == instrument_b.pk
    assert item["owner"] == {"id": city.owner_b.pk, "name": "乙县加油站"}
    assert item["region"] == {"id": city.county_b.pk, "name": "乙县"}
    assert item["catalog_item"]["code"] == "08"
    assert item["serial_number"] == "B-0001" and item["usage"] == "trade" and item["usage_label"] == "贸易结算"
    assert item["status"] == "in_use" and item["status_label"] == "在用"
    assert item["mandatory"] is True
    assert item["last_verified_on"] == instrument_b.last_verified_on.isoformat()
    assert item["due_on"] == instrument_b.due_on.isoformat()
    assert item["due_state"] == instrument_b.due_state()
    assert item["due_state_label"] == str(Instrument.DueState(instrument_b.due_state()).label)


def test_the_list_filters_by_the_list_pages_filters(city, registry, api):
    regulator = api(city.city_regulator)
    assert _ids(regulator.get(URL, county=city.county_b.pk)) == [registry["b"][0].pk]
    assert _ids(regulator.get(URL, owner=city.owner_a.pk)) == sorted(i.pk for i in registry["a"])
    assert _ids(regulator.get(URL, usage="other")) == [registry["a"][1].pk]
    assert _ids(regulator.get(URL, mandatory="false")) == [registry["a"][1].pk]
    assert _ids(regulator.get(URL, catalog_item=catalog_item("08").pk)) == [registry["b"][0].pk]
    assert _ids(regulator.get(URL, q="A-000")) == sorted(i.pk for i in registry["a"])
    assert _ids(regulator.get(URL, q="乙县加油")) == [registry["b"][0].pk]
    assert _ids(regulator.get(URL, status="scrapped")) == []
    assert _ids(regulator.get(URL, due_state="na")) == [registry["a"][1].pk]


def test_a_filter_cannot_widen_the_scope(city, registry, api):
    """County regulator B asking for county A, or owner A's id, gets nothing rather than county A's rows."""
    regulator_b = api(city.county_regulator_b)
    assert _ids(regulator_b.get(URL, county=city.county_a.pk)) == []
    assert _ids(regulator_b.get(URL, owner=city.owner_a.pk)) == []
    assert _ids(regulator_b.get(URL, q="A-000")) == []


def test_invalid_filter_values_are_422_naming_each_field(city, api):
    response = api(city.city_regulator).get(URL, county="abc", status="lost", page_size="501")
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "输入无效"
    assert set(_errors(response)) == {"county", "status", "page_size"}
    assert _errors(response)["page_size"] == "不能大于 500"


def test_query_values_are_read_as_their_documented_types(city, registry, api):
    """The API documents county as an integer and mandatory as a boolean, and reads them as such."""
    regulator = api(city.city_regulator)
    assert _ids(regulator.get(URL, county=f"{city.county_b.pk}.0")) == [registry["b"][0].pk]
    assert _ids(regulator.get(URL, mandatory="no")) == [registry["a"][1].pk]
    assert _errors(regulator.get(URL, mandatory="maybe")) == {"mandatory": "请输入 true 或 false"}


def test_the_list_is_paginated_newest_first(city, api):
    made = [InstrumentFactory(owner=city.owner_a, serial_number=f"P-{n}") for n in range(5)]
    owner = api(city.owner_a_user)
    first = owner.get(URL, page_size=2).json()
    assert (first["count"], first["page"], first["page_size"]) == (5, 1, 2)
    assert [i["id"] for i in first["items"]] == [made[4].pk, made[3].pk]
    last = owner.get(URL, page_size=2, page=3).json()
    assert [i["id"] for i in last["items"]] == [made[0].pk]
    past_the_end = owner.get(URL, page_size=2, page=4).json()
    assert past_the_end["items"] == [] and past_the_end["count"] == 5


# ---- one instrument --------------------------------------------------------------------------------------------


def test_an_owner_reads_its_own_instrument(city, instrument_a, api):
    response = api(city.owner_a_user).get(f"{URL}/{instrument_a.pk}")
    assert response.status_code == 200
    assert response.json()["serial_number"] == "A-0001"


def test_owner_b_gets_for_owner_as_instrument_the_same_404_as_for_a_missing_one(city, instrument_a, api):
    owner_b = api(city.owner_b_user)
    out_of_scope = owner_b.get(f"{URL}/{instrument_a.pk}")
    missing = owner_b.get(f"{URL}/{instrument_a.pk + 1000}")
    assert out_of_scope.status_code == missing.status_code == 404
    assert out_of_scope.content == missing.content
    assert out_of_scope.json() == {"detail": "计量器具不存在", "errors": []}


@pytest.mark.parametrize("persona", ["county_regulator_b", "owner_b", "institute"])
def test_outsiders_cannot_read_county_as_instrument(city, instrument_a, api, persona):
    assert api(city.personas[persona]).get(f"{URL}/{instrument_a.pk}").status_code == 404


@pytest.mark.parametrize("persona", ["city_regulator", "county_regulator_a"])
def test_regulators_above_county_a_read_its_instrument(city, instrument_a, api, persona):
    assert api(city.personas[persona]).get(f"{URL}/{instrument_a.pk}").json()["id"] == instrument_a.pk


@pytest.mark.parametrize("bad_id", ["0", "-1", "abc", str(2**63), "1e3"])
def test_an_id_that_cannot_exist_is_a_4xx_never_a_500(city, api, bad_id):
    response = api(city.city_regulator).get(f"{URL}/{bad_id}")
    assert response.status_code in (404, 422)
    assert set(response.json()) == {"detail", "errors"}


# ---- create ----------------------------------------------------------------------------------------------------


def test_an_owner_registers_an_instrument_for_itself(city, api):
    response = api(city.owner_a_user).post(URL, _new(last_verified_on="2025-04-01"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["owner"]["id"] == city.owner_a.pk and body["region"]["id"] == city.county_a.pk
    assert body["mandatory"] is True and body["due_on"] == "2026-03-31"
    instrument = Instrument.objects.get(pk=body["id"])
    assert instrument.created_by == city.owner_a_user
    assert AuditEvent.objects.filter(action="instrument.create", object_id=str(instrument.pk)).exists()


def test_a_regulator_registers_for_an_owner_in_its_county(city, api):
    response = api(city.county_regulator_a).post(URL, _new(owner=city.owner_a.pk, registered_on="2025-01-02"))
    assert response.status_code == 201, response.content
    assert response.json()["owner"]["id"] == city.owner_a.pk
    assert response.json()["registered_on"] == "2025-01-02"


def test_an_instrument_outside_the_catalog_is_registered_without_a_due_date(city, api):
    response = api(city.owner_b_user).post(URL, _new(catalog_item=None, usage="other"))
    assert response.status_code == 201
    assert response.json()["catalog_item"] is None and response.json()["due_state"] == "na"


def test_a_regulator_must_name_the_owner(city, api):
    response = api(city.city_regulator).post(URL, _new())
    assert response.status_code == 422
    assert _errors(response) == {"owner": "请选择使用单位"}


def test_a_county_regulator_cannot_register_for_an_owner_in_another_county(city, api):
    response = api(city.county_regulator_b).post(URL, _new(owner=city.owner_a.pk))
    missing = api(city.county_regulator_b).post(URL, _new(owner=city.owner_a.pk + 1000))
    assert response.status_code == missing.status_code == 404
    assert (
        response.json()
        == missing.json()
        == {"detail": "使用单位不存在", "errors": [{"field": "owner", "message": "使用单位不存在"}]}
    )
    assert not Instrument.objects.filter(serial_number="N-1").exists()


def test_an_owner_cannot_register_for_another_owner(city, api):
    response = api(city.owner_b_user).post(URL, _new(owner=city.owner_a.pk))
    assert response.status_code == 404
    assert not Instrument.objects.filter(owner=city.owner_a).exists()


def test_an_institute_cannot_register_instruments(city, api):
    response = api(city.institute_user).post(URL, _new(owner=city.owner_a.pk))
    assert response.status_code == 422
    assert response.json()["detail"] == "只有使用单位或监管部门可以登记计量器具"
    assert not Instrument.objects.exists()


def test_validation_errors_name_every_field(city, api):
    response = api(city.owner_a_user).post(
        URL, {"usage": "barter", "name": "", "catalog_item": "x", "last_verified_on": "2025-13-01", "model": "m" * 101}
    )
    assert response.status_code == 422
    errors = _errors(response)
    assert set(errors) == {"usage", "name", "serial_number", "catalog_item", "last_verified_on", "model"}
    assert errors["serial_number"] == "此项为必填项"
    assert errors["name"] == "不能为空"
    assert errors["model"] == "最多 100 个字符"
    assert errors["last_verified_on"] == "请输入日期（YYYY-MM-DD）"


def test_a_service_rule_is_a_422_naming_its_field(city, api):
    response = api(city.owner_a_user).post(URL, _new(last_verified_on="2999-01-01"))
    assert response.status_code == 422
    assert _errors(response) == {"last_verified_on": "最近检定日期不能晚于今天"}


def test_an_unknown_catalog_item_is_a_422(city, api):
    response = api(city.owner_a_user).post(URL, _new(catalog_item=10**9))
    assert response.status_code == 422
    assert _errors(response) == {"catalog_item": "目录条目不存在"}


def test_registering_the_same_serial_twice_is_refused_naming_the_serial(city, api):
    owner = api(city.owner_a_user)
    assert owner.post(URL, _new()).status_code == 201
    again = owner.post(URL, _new())
    assert again.status_code == 409
    assert "serial_number" in _errors(again)
    assert Instrument.objects.filter(serial_number="N-1").count() == 1


@pytest.mark.parametrize("text", ["a\x00b", "\ud800"])
def test_text_the_database_cannot_store_is_a_422(city, api, text):
    response = api(city.owner_a_user).post(URL, _new(serial_number=text))
    assert response.status_code == 422
    assert "serial_number" in _errors(response)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [("{not json", "application/json"), ("[1, 2]", "application/json"), ("", "application/json")],
)
def test_a_body_that_is_not_an_instrument_is_a_4xx_in_the_error_shape(city, api, body, content_type):
    response = api(city.owner_a_user).post_raw(URL, body, content_type)
    assert response.status_code in (400, 422)
    assert set(response.json()) == {"detail", "errors"}


def test_derived_fields_cannot_be_sent(city, api):
    """mandatory and due_on are derived; a client that sends them does not set them."""
    response = api(city.owner_a_user).post(URL, _new(usage="other", mandatory=True, due_on="2030-01-01"))
    assert response.status_code == 201
    assert response.json()["mandatory"] is False and response.json()["due_on"] is None


def test_dates_in_responses_are_iso_dates(city, api):
    response = api(city.owner_a_user).post(URL, _new(last_verified_on="2025-02-28"))
    body = response.json()
    assert date.fromisoformat(body["registered_on"]) and body["due_on"] == "2026-02-27"


# ---- import ----------------------------------------------------------------------------------------------------


def _xlsx(*rows):
    """An .xlsx in the import format: the headers in row 1, then one row per dict (header → value)."""
    headers = [c.header for c in IMPORT_COLUMNS]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _row(serial, **extra):
    return {"目录条目": "02", "用途": "贸易结算", "器具名称": "电子计价秤", "出厂编号": serial, **extra}


def test_an_owner_imports_a_good_file_for_itself(city, api):
    response = upload(api(city.owner_a_user), _xlsx(_row("I-1"), _row("I-2", 最近检定日期="2025-03-01")))
    assert response.status_code == 200, response.content
    report = response.json()
    assert (report["total_rows"], report["imported"], report["committed"], report["errors"]) == (2, 2, True, [])
    assert sorted(Instrument.objects.filter(owner=city.owner_a).values_list("serial_number", flat=True)) == [
        "I-1",
        "I-2",
    ]
    assert AuditEvent.objects.filter(action="instrument.import", actor=city.owner_a_user).count() == 1


def test_a_regulator_imports_for_an_owner_in_its_county(city, api):
    response = upload(api(city.county_regulator_b), _xlsx(_row("I-1")), owner=city.owner_b.pk)
    assert response.status_code == 200, response.content
    assert Instrument.objects.get(serial_number="I-1").owner == city.owner_b


def test_an_import_with_a_bad_row_saves_nothing_and_answers_422_with_every_bad_row(city, api):
    content = _xlsx(_row("I-1"), _row("I-2", 用途="送人"), _row("", 器具名称=""))
    response = upload(api(city.owner_a_user), content)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "导入失败，未保存任何数据"
    bad = {(e["row"], e["column"]) for e in body["report"]["errors"]}
    assert bad == {(3, "用途"), (4, "器具名称"), (4, "出厂编号")}
    assert body["report"]["committed"] is False and body["report"]["imported"] == 0
    assert {e["field"] for e in body["errors"]} == {"file"}
    assert any(e["message"].startswith("第 3 行“用途”") for e in body["errors"])
    assert not Instrument.objects.exists()


def test_a_partial_import_saves_the_good_rows_and_reports_the_bad(city, api):
    response = upload(api(city.owner_a_user), _xlsx(_row("I-1"), _row("I-2", 用途="送人")), partial="true")
    assert response.status_code == 200
    report = response.json()
    assert (report["imported"], report["bad_rows"], report["partial"]) == (1, 1, True)
    assert [e["row"] for e in report["errors"]] == [3]
    assert list(Instrument.objects.values_list("serial_number", flat=True)) == ["I-1"]


def test_a_file_that_is_not_xlsx_is_a_422_naming_the_file(city, api):
    response = upload(api(city.owner_a_user), b"serial,name\n1,scale\n")
    assert response.status_code == 422
    body = response.json()
    assert body["report"]["file_error"] == body["detail"]
    assert body["errors"] == [{"field": "file", "message": body["detail"]}]


def test_an_import_without_a_file_is_a_422_naming_the_file(city, api):
    response = upload(api(city.owner_a_user), partial="true")
    assert response.status_code == 422
    assert _errors(response) == {"file": "此项为必填项"}


def test_a_malformed_multipart_body_is_a_400_in_the_error_shape(city, api):
    response = api(city.owner_a_user).post_raw(f"{URL}/import", "not a form", "multipart/form-data")
    assert response.status_code == 400
    assert response.json()["detail"] == "请求无法解析"


def test_a_county_regulator_cannot_import_for_an_owner_in_another_county(city, api):
    response = upload(api(city.county_regulator_b), _xlsx(_row("I-1")), owner=city.owner_a.pk)
    assert response.status_code == 404
    assert response.json()["errors"] == [{"field": "owner", "message": "使用单位不存在"}]
    assert not Instrument.objects.exists()


def test_an_owner_cannot_import_for_another_owner(city, api):
    response = upload(api(city.owner_b_user), _xlsx(_row("I-1")), owner=city.owner_a.pk)
    assert response.status_code == 404
    assert not Instrument.objects.exists()


def test_a_regulator_must_name_the_owner_to_import_for(city, api):
    response = upload(api(city.city_regulator), _xlsx(_row("I-1")))
    assert response.status_code == 422
    assert _errors(response) == {"owner": "请选择使用单位"}


@pytest.mark.parametrize("persona", ["institute", "anonymous"])
def test_institutes_and_anonymous_cannot_import(city, api, persona):
    response = upload(api(city.personas[persona]), _xlsx(_row("I-1")), owner=city.owner_a.pk)
    assert response.status_code == (401 if persona == "anonymous" else 422)
    assert set(response.json()) == {"detail", "errors"}
    assert not Instrument.objects.exists()


def test_a_file_with_many_bad_rows_lists_the_first_hundred_and_reports_every_one(city, api):
    content = _xlsx(*[_row(f"I-{n}", 用途="送人") for n in range(120)])
    body = upload(api(city.owner_a_user), content).json()
    assert len(body["report"]["errors"]) == 120 and body["report"]["bad_rows"] == 120
    assert len(body["errors"]) == 101
    assert body["errors"][-1]["message"] == "另有 20 处错误，见 report.errors"
