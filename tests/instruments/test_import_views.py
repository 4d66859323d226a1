"""The Excel pages: template download, import with progress, export; every persona gets exactly its scope."""

from __future__ import annotations

import io
import threading
from urllib.parse import unquote

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.urls import reverse
from openpyxl import load_workbook

from jiliang.instruments.importing import progress_cache_key
from jiliang.instruments.models import ImportJob, Instrument

from ..builders.instruments import good_row, xlsx
from ..factories import InstrumentFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(rows, name="台账.xlsx"):
    file = io.BytesIO(xlsx(rows))
    file.name = name
    return file


def post_import(client, user, rows, **data):
    client.force_login(user)
    return client.post(reverse("instruments:import"), {"file": upload(rows), **data})


PAGES = ["instruments:import", "instruments:template", "instruments:export"]


@pytest.mark.parametrize("page", PAGES)
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, city, page):
    response = client.get(reverse(page))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("page", PAGES)
def test_an_institute_is_refused(client, city, page):
    client.force_login(city.institute_user)

    assert client.get(reverse(page)).status_code == 404


def test_an_institute_cannot_post_an_import(client, city):
    response = post_import(client, city.institute_user, [good_row(1)], owner=city.owner_a.pk)

    assert response.status_code == 404
    assert not ImportJob.objects.exists() and not Instrument.objects.exists()


def test_the_template_downloads_as_an_xlsx_with_the_headers(client, city):
    client.force_login(city.owner_a_user)

    response = client.get(reverse("instruments:template"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "计量器具导入模板.xlsx" in unquote(response["Content-Disposition"])
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert sheet["A1"].value == "目录条目" and sheet["F1"].value == "出厂编号"


def test_an_owner_imports_for_itself_and_sees_the_result(client, city):
    response = post_import(client, city.owner_a_user, [good_row(n) for n in range(3)])

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("instruments:import_status", args=[job.pk])
    assert job.owner == city.owner_a and job.actor == city.owner_a_user and job.file_name == "台账.xlsx"
    assert job.status == ImportJob.Status.DONE and job.report["imported"] == 3
    assert Instrument.objects.filter(owner=city.owner_a).count() == 3
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "全部导入成功" in page.content.decode()
    assert 'hx-trigger="every 1s"' not in page.content.decode()


def test_the_owner_form_has_no_owner_select_and_the_regulator_form_lists_only_owners_in_scope(client, city):
    client.force_login(city.owner_a_user)
    assert "owner" not in client.get(reverse("instruments:import")).context["form"].fields

    client.force_login(city.county_regulator_a)
    choices = client.get(reverse("instruments:import")).context["form"].fields["owner"].queryset
    assert list(choices) == [city.owner_a]

    client.force_login(city.city_regulator)
    choices = client.get(reverse("instruments:import")).context["form"].fields["owner"].queryset
    assert set(choices) == {city.owner_a, city.owner_b}


def test_a_county_regulator_imports_for_an_owner_of_its_county(client, city):
    post_import(client, city.county_regulator_a, [good_row(1)], owner=city.owner_a.pk)

    assert Instrument.objects.get().owner == city.owner_a


def test_a_county_regulator_cannot_import_for_an_owner_of_another_county(client, city):
    response = post_import(client, city.county_regulator_a, [good_row(1)], owner=city.owner_b.pk)

    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    assert not ImportJob.objects.exists() and not Instrument.objects.exists()


def test_owner_b_cannot_see_owner_as_import_job(client, city):
    post_import(client, city.owner_a_user, [good_row(1)])
    job = ImportJob.objects.get()
    url = reverse("instruments:import_status", args=[job.pk])

    for user in (city.owner_b_user, city.county_regulator_b, city.city_regulator, city.institute_user):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    client.force_login(city.admin)
    assert client.get(url).status_code == 200


def test_an_unknown_job_is_404(client, city):
    client.force_login(city.owner_a_user)

    assert (
        client.get(reverse("instruments:import_status", args=["00000000-0000-0000-0000-000000000000"])).status_code
        == 404
    )


def test_a_bad_file_saves_nothing_and_the_page_lists_each_bad_row(client, city):
    rows = [good_row(1), good_row(2, 用途="自用"), good_row(3, 最近检定日期="明天")]

    response = post_import(client, city.owner_a_user, rows)
    page = client.get(response["Location"]).content.decode()

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and job.report["imported"] == 0
    assert not Instrument.objects.exists()
    assert "没有保存任何数据" in page
    assert '<td class="num">3</td><td>用途</td>' in page
    assert '<td class="num">4</td><td>最近检定日期</td>' in page


def test_the_partial_checkbox_imports_the_good_rows(client, city):
    post_import(client, city.owner_a_user, [good_row(1), good_row(2, 用途="自用")], partial="on")

    job = ImportJob.objects.get()
    assert job.partial and job.status == ImportJob.Status.DONE
    assert job.report["imported"] == 1 and job.report["bad_rows"] == 1
    assert Instrument.objects.count() == 1


def test_a_file_that_is_not_xlsx_is_refused_by_the_form(client, city):
    client.force_login(city.owner_a_user)
    file = io.BytesIO(b"a,b\n1,2\n")
    file.name = "list.csv"

    response = client.post(reverse("instruments:import"), {"file": file})

    assert response.status_code == 200 and "file" in response.context["form"].errors
    assert not ImportJob.objects.exists()


def test_a_corrupt_xlsx_gives_a_failed_job_with_the_reason(client, city):
    client.force_login(city.owner_a_user)
    file = io.BytesIO(xlsx([good_row(1)])[:500])
    file.name = "broken.xlsx"

    response = client.post(reverse("instruments:import"), {"file": file})

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and "损坏" in job.report["file_error"]
    assert "损坏" in client.get(response["Location"]).content.decode()


def test_a_running_job_polls_its_progress_every_second(client, city):
    job = ImportJob(owner=city.owner_a, actor=city.owner_a_user, file_name="big.xlsx")
    job.file.save("x.xlsx", ContentFile(b""), save=False)
    job.status = ImportJob.Status.RUNNING
    job.save()
    cache.set(progress_cache_key(job.pk), (4000, 10000))
    client.force_login(city.owner_a_user)
    url = reverse("instruments:import_status", args=[job.pk])

    page = client.get(url).content.decode()
    fragment = client.get(url, headers={"HX-Request": "true"})

    assert 'hx-trigger="every 1s"' in page and 'value="4000"' in page
    assert "<html" not in fragment.content.decode()
    assert 'hx-trigger="every 1s"' in fragment.content.decode()
    cache.delete(progress_cache_key(job.pk))


# The background thread needs committed rows, hence a transactional test; serialized_rollback restores the
# catalog (loaded by migration) that an earlier transactional test's flush may have removed.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_large_file_is_imported_in_the_background(client, city, settings):
    settings.JILIANG_IMPORT_INLINE_ROWS = 2

    response = post_import(client, city.owner_a_user, [good_row(n) for n in range(5)])

    for thread in threading.enumerate():
        if thread.name.startswith("jiliang-import-"):
            thread.join(timeout=60)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE and job.report["imported"] == 5
    assert Instrument.objects.filter(owner=city.owner_a).count() == 5
    assert "全部导入成功" in client.get(response["Location"]).content.decode()


def test_the_export_holds_only_the_callers_instruments(client, city, instrument_a, instrument_b):
    client.force_login(city.owner_b_user)

    response = client.get(reverse("instruments:export"))

    assert response.status_code == 200
    assert "计量器具台账-" in unquote(response["Content-Disposition"])
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0].values)
    serials = {row[rows[0].index("出厂编号")] for row in rows[1:]}
    assert serials == {instrument_b.serial_number}


def test_the_export_follows_the_list_filters_and_the_regulators_region(client, city, instrument_a, instrument_b):
    InstrumentFactory(owner=city.owner_a, serial_number="A-0002", usage="other")
    client.force_login(city.county_regulator_a)

    response = client.get(reverse("instruments:export"), {"usage": "trade"})

    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0].values)
    assert [row[rows[0].index("出厂编号")] for row in rows[1:]] == [instrument_a.serial_number]


def test_an_export_above_the_limit_goes_back_to_the_list_with_a_message(client, city, instrument_a, settings):
    settings.JILIANG_EXPORT_MAX_ROWS = 0
    client.force_login(city.owner_a_user)

    response = client.get(reverse("instruments:export"), {"usage": "trade"})

    assert response.status_code == 302 and response["Location"] == reverse("instruments:list") + "?usage=trade"
