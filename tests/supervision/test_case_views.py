"""The case pages: county A's bureau runs a case through the pages; the city bureau reads it; the party sees it
only from the notice on; everyone else is refused (404, or the login page for an anonymous visitor). And the public
pages of decisions: published ones only, a withdrawn one 404."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from jiliang.core import clock
from jiliang.supervision.models import Case, Checklist, Inspection, Publication, Rectification
from jiliang.supervision.services import cases as services

from ..builders.supervision import cases_filed, cases_open

ACTS = ["not_file", "file", "extend", "pause", "resume", "review", "notify", "hearing", "decide", "serve", "pay"]
ACTS += ["close", "revoke"]


def decided(city, world) -> Case:
    regulator = city.county_regulator_a
    case = cases_filed(city, world, clue_received_on=date(2026, 7, 27), filed_on=date(2026, 8, 3))
    with clock.travel(date(2026, 8, 10)):
        services.case_notify(
            actor=regulator, case_id=case.pk, notified_on=date(2026, 8, 10), penalty="fine", fine="20000"
        )
    with clock.travel(date(2026, 9, 1)):
        services.case_decide(
            actor=regulator, case_id=case.pk, decided_on=date(2026, 9, 1), penalty="fine", fine="20000"
        )
    case.refresh_from_db()
    return case


def pages(case):
    document = case.documents.first()
    return [
        reverse("supervision:cases"),
        reverse("supervision:case_create"),
        reverse("supervision:case_detail", args=[case.pk]),
        reverse("supervision:case_document", args=[document.pk]),
    ]


def posts(case):
    return [reverse(f"supervision:case_{act}", args=[case.pk]) for act in ACTS]


def test_anonymous_is_sent_to_login_from_every_page(client, city, world):
    case = decided(city, world)
    for url in pages(case) + posts(case):
        response = client.get(url) if url in pages(case) else client.post(url, {})
        assert response.status_code == 302 and "/login" in response["Location"], url


@pytest.mark.parametrize("persona", ["institute", "owner_b", "county_regulator_b"])
def test_outsiders_get_404_everywhere(client, city, world, persona):
    case = decided(city, world)
    client.force_login(city.personas[persona])
    for url in pages(case)[2:]:
        assert client.get(url).status_code == 404, url
    for url in posts(case):
        assert client.post(url, {"reason": "x"}).status_code == 404, url
    listing = client.get(reverse("supervision:cases"))
    assert listing.status_code in (200, 404)
    assert case.number not in listing.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.DECIDED and not case.events.filter(step="revoke").exists()


def test_the_city_bureau_reads_the_case_but_does_not_act(client, city, world):
    case = decided(city, world)
    client.force_login(city.city_regulator)
    assert case.number in client.get(reverse("supervision:cases")).content.decode()
    html = client.get(reverse("supervision:case_detail", args=[case.pk])).content.decode()
    assert case.number in html and "case-action" not in html
    assert client.post(reverse("supervision:case_revoke", args=[case.pk]), {"reason": "x"}).status_code == 404


def test_the_party_sees_its_case_only_from_the_notice_on(client, city, world):
    clue = cases_open(city, world, clue_received_on=date(2026, 9, 28))
    filed = cases_filed(city, world, clue_received_on=date(2026, 9, 28), filed_on=date(2026, 10, 9))
    case = decided(city, world)
    client.force_login(city.owner_a_user)
    listing = client.get(reverse("supervision:cases")).content.decode()
    assert case.number in listing and clue.number not in listing and filed.number not in listing
    for hidden in (clue, filed):
        assert client.get(reverse("supervision:case_detail", args=[hidden.pk])).status_code == 404
    html = client.get(reverse("supervision:case_detail", args=[case.pk])).content.decode()
    assert "party-case" in html and "case-events" not in html and "case-action" not in html
    filing = case.documents.get(kind="filing")
    assert filing.number not in html
    assert client.get(reverse("supervision:case_document", args=[filing.pk])).status_code == 404
    decision = case.documents.get(kind="decision")
    assert decision.number in html
    response = client.get(reverse("supervision:case_document", args=[decision.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert bytes(response.content).startswith(b"%PDF")
    for url in posts(case):
        assert client.post(url, {"reason": "x"}).status_code == 404, url


def test_the_bureau_runs_a_case_through_the_pages(client, city, world):
    client.force_login(city.county_regulator_a)
    with clock.travel(date(2026, 9, 28)):
        form = client.get(reverse("supervision:case_create")).content.decode()
        assert city.owner_a.name in form and city.owner_b.name not in form
        response = client.post(
            reverse("supervision:case_create"),
            {
                "party": city.owner_a.pk,
                "source": "inspection",
                "clue_received_on": "2026-09-28",
                "summary": "使用未经检定的电子秤",
            },
        )
        assert response.status_code == 302
        case = Case.objects.get()
        html = client.get(response["Location"]).content.decode()
        assert "依据 《市场监督管理行政处罚程序规定》第十八条" in html and "2026-10-23" in html
        assert 'id="action-file"' in html and 'id="action-decide"' not in html and "data-confirm" in html
    with clock.travel(date(2026, 10, 26)):
        refused = client.post(
            reverse("supervision:case_file", args=[case.pk]),
            {
                "filed_on": "2026-10-26",
                "officers": [world.inspectors[0].pk, world.inspectors[1].pk],
                "bases": ["JLF-26"],
            },
            follow=True,
        ).content.decode()
        assert "2026-10-23" in refused
        case.refresh_from_db()
        assert case.status == Case.Status.CLUE
    with clock.travel(date(2026, 10, 9)):
        client.post(
            reverse("supervision:case_file", args=[case.pk]),
            {
                "filed_on": "2026-10-09",
                "officers": [world.inspectors[0].pk, world.inspectors[1].pk],
                "bases": ["JLF-26"],
            },
        )
        case.refresh_from_db()
        assert case.status == Case.Status.FILED
        client.post(
            reverse("supervision:case_notify", args=[case.pk]),
            {"notified_on": "2026-10-09", "penalty": "fine", "fine": "20000"},
        )
    with clock.travel(date(2026, 10, 20)):
        client.post(
            reverse("supervision:case_decide", args=[case.pk]),
            {"decided_on": "2026-10-20", "penalty": "fine", "fine": "20000"},
        )
        client.post(reverse("supervision:case_serve", args=[case.pk]), {"served_on": "2026-10-20", "method": "direct"})
        case.refresh_from_db()
        assert case.status == Case.Status.SERVED
        html = client.get(reverse("supervision:case_detail", args=[case.pk])).content.decode()
        assert 'id="action-pay"' in html and "依据 《行政处罚法》第六十七条" in html
        assert Publication.objects.filter(case=case).exists()


def test_a_case_from_a_rectification_is_prefilled(client, city, world):
    inspection = Inspection.objects.create(
        number="JC-9",
        organization=city.owner_a,
        region=city.county_a,
        bureau=city.bureau_a,
        checklist=Checklist.objects.first(),
        inspected_on=date(2026, 9, 1),
    )
    rectification = Rectification.objects.create(
        number="ZG-9",
        inspection=inspection,
        organization=city.owner_a,
        region=city.county_a,
        bureau=city.bureau_a,
        requirement="送检",
        ordered_on=date(2026, 9, 1),
        deadline=date(2026, 9, 15),
    )
    client.force_login(city.county_regulator_a)
    url = reverse("supervision:case_create") + f"?rectification={rectification.pk}"
    html = client.get(url).content.decode()
    assert "from-rectification" in html and "ZG-9" in html
    with clock.travel(date(2026, 9, 28)):
        response = client.post(
            url, {"party": city.owner_a.pk, "source": "rectification", "clue_received_on": "2026-09-28", "summary": "x"}
        )
    assert response.status_code == 302
    rectification.refresh_from_db()
    assert rectification.status == Rectification.Status.ESCALATED
    client.force_login(city.county_regulator_b)
    assert client.get(reverse("supervision:case_create") + f"?inspection={inspection.pk}").status_code == 404


def test_the_list_filters_by_status_and_county_without_a_query_per_row(
    client, city, world, django_assert_max_num_queries
):
    for day in (date(2026, 9, 28), date(2026, 9, 29), date(2026, 9, 30)):
        cases_open(city, world, clue_received_on=day)
    decided(city, world)
    client.force_login(city.county_regulator_a)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("supervision:cases"), {"status": "clue", "county": city.county_a.pk}).content.decode()
    assert html.count("210921-AJ-2026-") == 3
    html = client.get(reverse("supervision:cases"), {"status": "decided"}).content.decode()
    assert html.count("210921-AJ-2026-") == 1
    assert client.get(reverse("supervision:cases"), {"status": "bogus"}).status_code == 200


# ---- the public pages of decisions ---------------------------------------------------------------------------------


def test_public_pages_show_published_decisions_only(client, city, world):
    case = decided(city, world)
    publication = Publication.objects.get(case=case)
    warned = cases_open(city, world, clue_received_on=date(2026, 9, 28))
    with clock.travel(date(2026, 9, 2)):
        index = client.get(reverse("decisions:index")).content.decode()
        page = client.get(reverse("decisions:detail", args=[publication.pk])).content.decode()
    decision = case.documents.get(kind="decision")
    assert decision.number in index and city.owner_a.name in index and warned.number not in index
    assert decision.number in page and city.owner_a.credit_code in page and "20000.00" in page
    assert city.bureau_a.name in page and "《中华人民共和国计量法》第二十六条" in page


def test_a_withdrawn_or_expired_decision_is_404_publicly(client, city, world):
    case = decided(city, world)
    publication = Publication.objects.get(case=case)
    with clock.travel(date(2029, 9, 2)):
        assert client.get(reverse("decisions:detail", args=[publication.pk])).status_code == 404
    with clock.travel(date(2026, 9, 30)):
        services.decision_revoke(actor=city.county_regulator_a, case_id=case.pk, reason="撤销")
        assert client.get(reverse("decisions:detail", args=[publication.pk])).status_code == 404
        assert case.number not in client.get(reverse("decisions:index")).content.decode()
    client.force_login(city.county_regulator_a)
    html = client.get(reverse("supervision:case_detail", args=[case.pk])).content.decode()
    assert "撤下时间" in html and "取代" in html


def test_the_export_lists_published_decisions_for_the_credit_system(client, city, world):
    from openpyxl import load_workbook

    case = decided(city, world)
    with clock.travel(date(2026, 9, 2)):
        response = client.get(reverse("decisions:export"))
    assert response.status_code == 200
    import io

    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert "jiliang-decisions-export" in str(rows[0][0]) and "1" in str(rows[0][0])
    headers = rows[1]
    assert headers[:3] == ("行政处罚决定书文号", "当事人名称", "统一社会信用代码")
    assert rows[2][0] == case.documents.get(kind="decision").number and rows[2][2] == city.owner_a.credit_code
    with clock.travel(date(2026, 9, 30)):
        services.decision_revoke(actor=city.county_regulator_a, case_id=case.pk, reason="撤销")
        response = client.get(reverse("decisions:export"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert len(list(workbook.worksheets[0].iter_rows(values_only=True))) == 2


def test_pause_resume_review_hearing_pay_close_and_revoke_through_the_pages(client, city, world):
    case = cases_filed(city, world, clue_received_on=date(2026, 3, 2), filed_on=date(2026, 3, 4))
    client.force_login(city.county_regulator_a)
    detail = reverse("supervision:case_detail", args=[case.pk])

    def act(step, data):
        response = client.post(reverse(f"supervision:case_{step}", args=[case.pk]), data)
        assert response.status_code == 302 and response["Location"] == detail, step
        case.refresh_from_db()

    with clock.travel(date(2026, 3, 10)):
        act("pause", {"kind": "testing", "started_on": "2026-03-10", "reason": "送检"})
        html = client.get(detail).content.decode()
        assert 'id="action-resume"' in html and 'id="action-notify"' not in html and "送检" in html
        act("resume", {"ended_on": "2026-03-10"})
        act("extend", {"which": "decision", "reason": "案情复杂"})
        assert case.decision_extended
        act("review", {"started_on": "2026-03-10"})
        assert case.status == Case.Status.REVIEW
    with clock.travel(date(2026, 3, 30)):
        act("notify", {"notified_on": "2026-03-30", "penalty": "fine", "fine": "500"})
    with clock.travel(date(2026, 4, 1)):
        act("hearing", {"requested_on": "2026-04-01", "notice_sent_on": "2026-04-01", "hearing_on": "2026-04-15"})
        assert case.hearing_requested and case.hearing_on == date(2026, 4, 15)
    with clock.travel(date(2026, 4, 20)):
        act("decide", {"decided_on": "2026-04-20", "penalty": "fine", "fine": "500"})
        act("serve", {"served_on": "2026-04-20", "method": "direct"})
        act("close", {"closed_on": "2026-04-20"})
        assert case.status == Case.Status.SERVED  # refused: the fine is not paid
        act("pay", {"paid_on": "2026-04-20", "amount": "500"})
        act("close", {"closed_on": "2026-04-20"})
        assert case.status == Case.Status.CLOSED
        html = client.get(detail).content.decode()
        assert 'id="action-revoke"' in html and "data-confirm" in html
        act("revoke", {"reason": "复议撤销"})
        assert case.events.filter(step="revoke").exists()
        assert 'id="action-revoke"' not in client.get(detail).content.decode()
    steps = set(case.events.values_list("step", flat=True))
    assert {"pause", "resume", "extend_decision", "review", "notify", "hearing", "decide", "serve", "pay"} <= steps


def test_admin_reads_every_case_and_acts_on_none(client, city, world):
    case = decided(city, world)
    client.force_login(city.admin)
    assert case.number in client.get(reverse("supervision:cases")).content.decode()
    assert client.get(reverse("supervision:case_detail", args=[case.pk])).status_code == 200
    assert client.post(reverse("supervision:case_revoke", args=[case.pk]), {"reason": "x"}).status_code == 404


def test_a_document_is_corrected_through_the_page_and_outsiders_cannot(client, city, world):
    case = decided(city, world)
    notice = case.documents.get(kind="notice")
    url = reverse("supervision:case_document_correct", args=[notice.pk])
    for persona in ("county_regulator_b", "owner_a", "owner_b", "institute", "city_regulator"):
        client.force_login(city.personas[persona])
        assert client.post(url, {"reason": "x"}).status_code == 404, persona
    client.logout()
    assert client.post(url, {"reason": "x"}).status_code == 302
    assert case.documents.count() == 3
    client.force_login(city.county_regulator_a)
    html = client.get(reverse("supervision:case_detail", args=[case.pk])).content.decode()
    assert url in html
    with clock.travel(date(2026, 9, 2)):
        response = client.post(url, {"reason": "更正告知日期"})
    assert response.status_code == 302
    correction = case.documents.get(supersedes=notice)
    html = client.get(reverse("supervision:case_detail", args=[case.pk])).content.decode()
    assert correction.number in html and url not in html


def test_the_payment_form_shows_the_late_payment_surcharge(client, city, world):
    # Served Wednesday 2 September: 15 calendar days → Thursday 17 September (行政处罚法 Art. 67). On 18 September
    # the fine of 20 000 is one day late: 3 % → 600.00 (Art. 72), 20 600.00 in all.
    case = decided(city, world)
    with clock.travel(date(2026, 9, 2)):
        services.case_serve(actor=city.county_regulator_a, case_id=case.pk, served_on=date(2026, 9, 2), method="direct")
    client.force_login(city.county_regulator_a)
    with clock.travel(date(2026, 9, 18)):
        html = client.get(reverse("supervision:case_detail", args=[case.pk])).content.decode()
    assert "缴款期限 2026-09-17" in html and "应缴 20600.00 元" in html and "加处罚款 600.00 元" in html
    assert 'value="20600.00"' in html
