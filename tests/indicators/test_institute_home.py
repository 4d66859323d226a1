"""The institute's home is its work queue: the institute's lists for every login of the institute, the person's own
lists for a login linked to a person, an explanation for one that is not; nothing of another institute, and no
other role ever gets it. And no page or catalog carries placeholder text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiliang.core.models import Organization, Role
from tests.builders.queue import build_queue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def queue(city, bench):
    return build_queue(city, bench)


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def section(body: str, testid: str) -> str:
    """The HTML of the element carrying ``data-testid=testid`` up to the next card (enough for the asserts)."""
    start = body.index(f'data-testid="{testid}"')
    end = body.find("</section>", start)
    return body[start:end]


def test_institute_home_lists_the_institutes_queue_with_links_to_the_filtered_inbox(client, city, queue):
    body = home(client, city.institute_user)
    assert 'data-testid="queue-institute"' in body
    accept = section(body, "queue-to-accept")
    assert queue.to_accept.number in accept and queue.late_accept.number in accept
    assert 'href="/requests/?status=submitted"' in accept
    assert reverse("requests:detail", args=[queue.to_accept.pk]) in accept
    late = section(body, "queue-late")
    assert queue.late_complete.number in late and 'href="/requests/?late=1"' in late
    assert queue.today.number in section(body, "queue-today")
    assert queue.to_schedule.number in section(body, "queue-to-schedule")
    waiting = section(body, "queue-unrecorded")
    assert f'href="{reverse("records:new")}?item={queue.today_items[5].pk}"' in waiting
    assert "王检定" in section(body, "queue-verifiers")


def test_the_inbox_accepts_every_filter_the_queue_links_to(client, city, queue):
    client.force_login(city.institute_user)
    for query in ("status=submitted", "status=accepted", "status=scheduled", "status=in_work", "late=1"):
        response = client.get(f"/requests/?{query}")
        assert response.status_code == 200
        assert "状态无效" not in response.content.decode() and "超期筛选无效" not in response.content.decode()


def test_a_login_without_a_person_is_told_why_it_has_no_personal_queue(client, city, queue):
    body = home(client, city.institute_user)
    assert 'data-testid="no-person"' in body
    assert 'data-testid="queue-personal"' not in body


def test_the_checker_sees_the_record_waiting_for_the_check_with_its_link(client, queue):
    body = home(client, queue.checker_user)
    assert 'data-testid="no-person"' not in body
    mine = section(body, "queue-to-check")
    assert f'href="/records/{queue.to_check.pk}/"' in mine
    assert 'data-testid="queue-to-approve"' not in body and 'data-testid="queue-returned"' not in body


def test_the_approver_and_the_verifier_see_their_own_lists(client, queue):
    approver = home(client, queue.approver_user)
    assert f'href="/records/{queue.to_approve.pk}/"' in section(approver, "queue-to-approve")
    assert 'data-testid="queue-to-check"' not in approver
    verifier = home(client, queue.verifier_user)
    returned = section(verifier, "queue-returned")
    assert f'href="/records/{queue.returned.pk}/"' in returned and "示值误差计算有误" in returned
    assert f'href="/records/{queue.draft.pk}/"' in section(verifier, "queue-mine")
    assert f'href="/records/{queue.to_check.pk}/"' not in verifier


def test_a_person_with_nothing_to_do_is_told_so(client, city, bench, queue):
    from tests.builders.queue import staff_login

    body = home(client, staff_login(bench.novice, "zhao_xinren"))
    assert 'data-testid="personal-clear"' in body


def test_another_institute_never_sees_this_institutes_work(client, city, queue):
    other = Organization.objects.get(name="乙县计量检定所")
    body = home(client, UserFactory(username="other_institute", role=Role.INSTITUTE, organization=other))
    for number in (queue.to_accept.number, queue.late_accept.number, queue.today.number, queue.to_schedule.number):
        assert number not in body
    assert "王检定" not in body and "外所检定员" in body


@pytest.mark.parametrize("persona", ["city_regulator", "county_regulator_a", "owner_a", "owner_b"])
def test_other_roles_never_get_the_work_queue(client, city, queue, persona):
    body = home(client, city.personas[persona])
    assert 'data-testid="queue-institute"' not in body
    assert queue.to_accept.number not in body and queue.today.number not in body


def test_admin_never_gets_the_work_queue(client, city, queue):
    body = home(client, city.admin)
    assert 'data-testid="queue-institute"' not in body and queue.to_accept.number not in body


def test_anonymous_is_sent_to_the_login_page(client, queue):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_institute_home_keeps_its_warning_tiles(client, city, queue):
    assert 'id="warning-tiles"' in home(client, city.institute_user)


def test_the_home_page_takes_as_many_queries_for_a_long_queue_as_for_a_short_one(client, city, queue):
    from tests.builders.queue import make_draft, request_in, scales

    client.force_login(queue.checker_user)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("home")).status_code == 200
        return len(captured.captured_queries)

    count()  # the first page loads the working-day calendar into its per-process cache (core.calendar)
    before = count()
    people = {"verifier": queue.to_check.verifier, "checker": queue.to_check.checker}
    for n in range(8):
        request_in(city.owner_a_user, city.institute, scales(city.owner_a, f"N{n}", 1), "submitted")
        _, items = request_in(city.owner_a_user, city.institute, scales(city.owner_a, f"W{n}", 1), "in_work")
        make_draft(items[0], **people, status="submitted")
    assert count() == before
    assert before <= 30


# ---- no placeholder text -----------------------------------------------------------------------------------------

PLACEHOLDERS = re.compile(r"即将开通|敬请期待|正在建设|功能开发中|coming soon|under construction|lorem ipsum", re.I)


def test_no_template_or_catalog_carries_placeholder_text():
    """A page shows what it does, never a promise: templates and the translation catalogs hold no placeholder."""
    found = []
    for pattern in ("jiliang/**/templates/**/*.html", "jiliang/**/locale/**/*.po"):
        for path in ROOT.glob(pattern):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if PLACEHOLDERS.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not found, "\n".join(found)
