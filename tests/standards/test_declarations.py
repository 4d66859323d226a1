"""企业计量技术能力自我声明: the owner drafts and submits, the regulator in scope returns, accepts and publishes;
every step audited, every step out of order or out of scope refused; published ones readable by every user."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import AuditEvent
from jiliang.standards.models import CapabilityDeclaration
from jiliang.standards.selectors import declarations as selectors
from jiliang.standards.services import declarations as svc

pytestmark = pytest.mark.django_db

Status = CapabilityDeclaration.Status


@pytest.fixture(autouse=True)
def owner_a_has_a_lab(city):
    """The declaring owner has a laboratory: only such an owner declares (tests/standards/test_declarations_lab.py)."""
    city.owner_a.has_lab = True
    city.owner_a.save(update_fields=["has_lab"])


def draft(city, **values) -> CapabilityDeclaration:
    values = {"items": "电子天平校准 (0~200) g", "standards": "E2 砝码组", "staff": "张工 高级工程师", **values}
    return svc.declaration_save_draft(actor=city.owner_a_user, **values)


def actions(declaration) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="standards.capabilitydeclaration", object_id=str(declaration.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


# ---- services ----------------------------------------------------------------------------------------------


def test_owner_drafts_submits_and_the_county_regulator_accepts_and_publishes(city):
    d = draft(city)
    assert d.status == Status.DRAFT and d.organization == city.owner_a
    d = svc.declaration_submit(actor=city.owner_a_user, declaration=d)
    assert d.status == Status.SUBMITTED and d.submitted_at is not None
    d = svc.declaration_accept(actor=city.county_regulator_a, declaration=d, note="材料齐全")
    assert d.status == Status.ACCEPTED and d.reviewed_at is not None and d.review_note == "材料齐全"
    d = svc.declaration_publish(actor=city.county_regulator_a, declaration=d)
    assert d.status == Status.PUBLISHED and d.published_at is not None
    assert actions(d) == ["declaration.create", "declaration.submit", "declaration.accept", "declaration.publish"]


def test_returned_declaration_is_edited_and_submitted_again(city):
    d = svc.declaration_submit(actor=city.owner_a_user, declaration=draft(city))
    d = svc.declaration_return(actor=city.city_regulator, declaration=d, note="缺少溯源证书编号")
    assert d.status == Status.RETURNED and d.review_note == "缺少溯源证书编号"
    d = svc.declaration_save_draft(
        actor=city.owner_a_user, declaration=d, items="电子天平校准", standards="E2 砝码组 证书 ZL-1"
    )
    assert d.standards == "E2 砝码组 证书 ZL-1"
    d = svc.declaration_submit(actor=city.owner_a_user, declaration=d)
    assert d.status == Status.SUBMITTED
    assert actions(d)[-3:] == ["declaration.return", "declaration.update", "declaration.submit"]


def test_return_needs_a_reason(city):
    d = svc.declaration_submit(actor=city.owner_a_user, declaration=draft(city))
    with pytest.raises(DomainError) as exc:
        svc.declaration_return(actor=city.county_regulator_a, declaration=d, note="  ")
    assert exc.value.errors[0][0] == "note"
    d.refresh_from_db()
    assert d.status == Status.SUBMITTED


def test_a_declaration_needs_items(city):
    with pytest.raises(DomainError) as exc:
        draft(city, items=" ")
    assert exc.value.errors[0][0] == "items"
    assert not CapabilityDeclaration.objects.exists()


@pytest.mark.parametrize(
    "state,action",
    [
        (Status.DRAFT, "accept"),
        (Status.DRAFT, "publish"),
        (Status.SUBMITTED, "publish"),
        (Status.ACCEPTED, "accept"),
        (Status.ACCEPTED, "return"),
        (Status.PUBLISHED, "return"),
        (Status.SUBMITTED, "submit"),
        (Status.ACCEPTED, "submit"),
        (Status.PUBLISHED, "edit"),
    ],
)
def test_a_step_out_of_order_is_refused_and_changes_nothing(city, state, action):
    d = draft(city)
    CapabilityDeclaration.objects.filter(pk=d.pk).update(status=state)
    d.refresh_from_db()
    calls = {
        "accept": lambda: svc.declaration_accept(actor=city.county_regulator_a, declaration=d),
        "publish": lambda: svc.declaration_publish(actor=city.county_regulator_a, declaration=d),
        "return": lambda: svc.declaration_return(actor=city.county_regulator_a, declaration=d, note="x"),
        "submit": lambda: svc.declaration_submit(actor=city.owner_a_user, declaration=d),
        "edit": lambda: svc.declaration_save_draft(actor=city.owner_a_user, declaration=d, items="改"),
    }
    before = len(actions(d))
    with pytest.raises(DomainError) as exc:
        calls[action]()
    assert exc.value.code == "conflict"
    d.refresh_from_db()
    assert d.status == state and d.items != "改"
    assert len(actions(d)) == before


def test_a_regulator_of_another_county_cannot_review(city):
    d = svc.declaration_submit(actor=city.owner_a_user, declaration=draft(city))
    with pytest.raises(NotFoundOrForbidden):
        svc.declaration_accept(actor=city.county_regulator_b, declaration=d)
    d.refresh_from_db()
    assert d.status == Status.SUBMITTED


@pytest.mark.parametrize("persona", ["owner_a", "owner_b", "institute", "admin"])
def test_only_regulators_review(city, persona):
    d = svc.declaration_submit(actor=city.owner_a_user, declaration=draft(city))
    user = city.admin if persona == "admin" else city.personas[persona]
    with pytest.raises(NotFoundOrForbidden):
        svc.declaration_accept(actor=user, declaration=d)


def test_another_owner_cannot_edit_or_submit(city):
    d = draft(city)
    with pytest.raises(NotFoundOrForbidden):
        svc.declaration_submit(actor=city.owner_b_user, declaration=d)
    with pytest.raises(NotFoundOrForbidden):
        svc.declaration_save_draft(actor=city.owner_b_user, declaration=d, items="改")


@pytest.mark.parametrize("persona", ["institute", "county_regulator_a"])
def test_only_owners_write_declarations(city, persona):
    with pytest.raises(DomainError):
        svc.declaration_save_draft(actor=city.personas[persona], items="x")


def test_visibility_unpublished_for_owner_and_regulators_in_scope_published_for_all(city):
    d = draft(city)
    sees = {
        name: selectors.declarations_visible_to(user).filter(pk=d.pk).exists() for name, user in city.personas.items()
    }
    assert sees == {
        "city_regulator": True,
        "county_regulator_a": True,
        "county_regulator_b": False,
        "institute": False,
        "owner_a": True,
        "owner_b": False,
        "anonymous": False,
    }
    CapabilityDeclaration.objects.filter(pk=d.pk).update(status=Status.PUBLISHED)
    sees = {
        name: selectors.declarations_visible_to(user).filter(pk=d.pk).exists() for name, user in city.personas.items()
    }
    assert sees == {name: name != "anonymous" for name in city.personas}


# ---- pages -------------------------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_the_login_page(client, city):
    d = draft(city)
    for url in [
        reverse("coverage:declarations"),
        reverse("coverage:declaration_new"),
        reverse("coverage:declaration_detail", args=[d.pk]),
        reverse("coverage:declaration_edit", args=[d.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    response = client.post(reverse("coverage:declaration_action", args=[d.pk, "submit"]))
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.DRAFT


def test_owner_writes_and_submits_through_the_form(client, city):
    client.force_login(city.owner_a_user)
    response = client.post(
        reverse("coverage:declaration_new"), {"items": "压力表检定", "standards": "", "staff": "", "submit": "1"}
    )
    d = CapabilityDeclaration.objects.get()
    assert response.status_code == 302 and response.url == reverse("coverage:declaration_detail", args=[d.pk])
    assert d.status == Status.SUBMITTED and d.organization == city.owner_a
    page = client.get(reverse("coverage:declarations")).content.decode()
    assert reverse("coverage:declaration_detail", args=[d.pk]) in page


def test_form_shows_the_missing_items_error(client, city):
    client.force_login(city.owner_a_user)
    response = client.post(reverse("coverage:declaration_new"), {"items": "", "save": "1"})
    assert response.status_code == 200
    assert not CapabilityDeclaration.objects.exists()
    assert "has-error" in response.content.decode()


@pytest.mark.parametrize("persona", ["institute", "county_regulator_a", "city_regulator"])
def test_only_owners_open_the_form(client, city, persona):
    client.force_login(city.personas[persona])
    assert client.get(reverse("coverage:declaration_new")).status_code == 404


@pytest.mark.parametrize("persona", ["owner_b", "institute", "county_regulator_b"])
def test_outsiders_cannot_read_an_unpublished_declaration(client, city, persona):
    d = draft(city)
    client.force_login(city.personas[persona])
    assert client.get(reverse("coverage:declaration_detail", args=[d.pk])).status_code == 404
    assert client.get(reverse("coverage:declaration_edit", args=[d.pk])).status_code == 404
    assert client.post(reverse("coverage:declaration_action", args=[d.pk, "submit"])).status_code == 404
    d.refresh_from_db()
    assert d.status == Status.DRAFT


def test_regulator_review_queue_and_actions(client, city):
    d = svc.declaration_submit(actor=city.owner_a_user, declaration=draft(city))
    client.force_login(city.county_regulator_a)
    queue = client.get(reverse("coverage:declarations")).content.decode()
    assert 'id="declarations-queue"' in queue and city.owner_a.name in queue
    detail = client.get(reverse("coverage:declaration_detail", args=[d.pk])).content.decode()
    assert reverse("coverage:declaration_action", args=[d.pk, "accept"]) in detail
    client.post(reverse("coverage:declaration_action", args=[d.pk, "accept"]), {"note": ""})
    client.post(reverse("coverage:declaration_action", args=[d.pk, "publish"]))
    d.refresh_from_db()
    assert d.status == Status.PUBLISHED


def test_an_action_out_of_order_on_the_page_is_reported_not_applied(client, city):
    d = draft(city)
    client.force_login(city.county_regulator_a)
    response = client.post(reverse("coverage:declaration_action", args=[d.pk, "publish"]), follow=True)
    assert response.status_code == 200
    d.refresh_from_db()
    assert d.status == Status.DRAFT
    assert "message error" in response.content.decode()


def test_an_unknown_action_is_404(client, city):
    d = svc.declaration_submit(actor=city.owner_a_user, declaration=draft(city))
    client.force_login(city.county_regulator_a)
    assert client.post(reverse("coverage:declaration_action", args=[d.pk, "delete"])).status_code == 404


def test_a_published_declaration_is_readable_by_every_logged_in_user_but_not_changeable(client, city):
    d = draft(city)
    CapabilityDeclaration.objects.filter(pk=d.pk).update(status=Status.PUBLISHED)
    for persona in ["owner_b", "institute", "county_regulator_b"]:
        client.force_login(city.personas[persona])
        detail = client.get(reverse("coverage:declaration_detail", args=[d.pk]))
        assert detail.status_code == 200 and "电子天平校准" in detail.content.decode()
        listing = client.get(reverse("coverage:declarations"))
        if persona == "owner_b":
            # An owner without a laboratory has no declarations page (test_declarations_lab.py).
            assert listing.status_code == 404
        else:
            assert city.owner_a.name in listing.content.decode()
        assert (
            client.post(reverse("coverage:declaration_action", args=[d.pk, "return"]), {"note": "x"}).status_code == 404
        )
    d.refresh_from_db()
    assert d.status == Status.PUBLISHED
