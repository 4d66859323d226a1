"""The login throttle: a lock on a username after N failures from anywhere, a lock on an address after M failures
across usernames, checked before the password hash, with a clear message, an audited unlock, and every login,
failure, lockout and logout in the audit log."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.management import CommandError, call_command
from django.urls import reverse

from jiliang.core import audit
from jiliang.core.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


def _post(client, url, username, password, address="10.1.1.1", **extra):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def _user_limit() -> int:
    return django_settings.JILIANG_LOGIN_FAILURES_PER_USERNAME


def _address_limit() -> int:
    return django_settings.JILIANG_LOGIN_FAILURES_PER_ADDRESS


def _keyed(address: str) -> str:
    return hmac.new(django_settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[:16]


# -- the defect: no throttle at all -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "persona"), [(LOGIN, "owner_a_user"), (ADMIN_LOGIN, "admin")])
def test_a_hundred_wrong_passwords_then_the_right_one_does_not_log_in(client, city, url, persona):
    username = getattr(city, persona).username
    for _ in range(100):
        _post(client, url, username, "wrong-password")
    response = _post(client, url, username, PASSWORD)
    assert response.status_code == 429
    assert not _logged_in(client)
    body = response.content.decode()
    # The login page itself, with the reason, not a bare error page.
    assert 'name="password"' in body and "锁定" in body


# -- the two counters -------------------------------------------------------------------------------------------------


def test_settings_give_a_smaller_limit_per_username_than_per_address():
    """An office behind one address shares the address counter; one account's guesses must stop sooner."""
    assert 1 <= _user_limit() < _address_limit()
    assert django_settings.JILIANG_LOGIN_LOCK_MINUTES >= 1


def test_the_username_stays_open_one_failure_below_its_limit(client, city):
    for n in range(_user_limit() - 1):
        _post(client, LOGIN, "owner_a", "wrong", address=f"10.2.0.{n + 1}")
    response = _post(client, LOGIN, "owner_a", PASSWORD, address="10.2.1.1")
    assert response.status_code == 302 and _logged_in(client)


def test_the_username_is_locked_after_its_limit_from_any_address(client, city):
    """A guesser who changes address for every attempt still locks the account."""
    for n in range(_user_limit()):
        _post(client, LOGIN, "owner_a", "wrong", address=f"10.3.0.{n + 1}")
    response = _post(client, LOGIN, "owner_a", PASSWORD, address="10.3.1.1")
    assert response.status_code == 429 and not _logged_in(client)
    # Another account from that fresh address is not touched.
    assert _post(client, LOGIN, "owner_b", PASSWORD, address="10.3.1.1").status_code == 302


def test_the_address_stays_open_one_failure_below_its_limit(client, city):
    for n in range(_address_limit() - 1):
        _post(client, LOGIN, f"guess{n}", "wrong", address="10.4.0.1")
    assert _post(client, LOGIN, "owner_b", PASSWORD, address="10.4.0.1").status_code == 302


def test_the_address_is_locked_after_its_limit_across_usernames(client, city):
    """One username per attempt never reaches the username limit; the address counter stops it."""
    for n in range(_address_limit()):
        _post(client, LOGIN, f"guess{n}", "wrong", address="10.5.0.1")
    response = _post(client, LOGIN, "owner_b", PASSWORD, address="10.5.0.1")
    assert response.status_code == 429 and not _logged_in(client)
    assert "网络地址" in response.content.decode()
    # The same account from another address logs in.
    assert _post(client, LOGIN, "owner_b", PASSWORD, address="10.5.0.2").status_code == 302


def test_logging_in_to_ones_own_account_does_not_reset_the_address_counter(client, city):
    """An attacker who owns one account must not clear the address's failures by logging in to it."""
    for n in range(_address_limit() - 1):
        _post(client, LOGIN, f"guess{n}", "wrong", address="10.6.0.1")
    assert _post(client, LOGIN, "owner_b", PASSWORD, address="10.6.0.1").status_code == 302
    client.logout()
    _post(client, LOGIN, "another-guess", "wrong", address="10.6.0.1")
    assert _post(client, LOGIN, "owner_b", PASSWORD, address="10.6.0.1").status_code == 429


def test_a_successful_login_forgets_that_users_own_typing_errors(client, city):
    """A user who mistyped and then got in does not start the next day one mistake from the lock."""
    for _ in range(_user_limit() - 1):
        _post(client, LOGIN, "owner_a", "wrong", address="10.7.0.1")
    assert _post(client, LOGIN, "owner_a", PASSWORD, address="10.7.0.1").status_code == 302
    client.logout()
    for _ in range(_user_limit() - 1):
        _post(client, LOGIN, "owner_a", "wrong", address="10.7.0.1")
    assert _post(client, LOGIN, "owner_a", PASSWORD, address="10.7.0.1").status_code == 302


def test_the_lock_ends_after_the_lock_time(client, city):
    from axes.models import AccessAttempt

    for _ in range(_user_limit()):
        _post(client, LOGIN, "owner_a", "wrong")
    assert _post(client, LOGIN, "owner_a", PASSWORD).status_code == 429
    # As if the lock time had passed since the last failure.
    past = timedelta(minutes=django_settings.JILIANG_LOGIN_LOCK_MINUTES, seconds=1)
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=attempt.attempt_time - past)
    assert _post(client, LOGIN, "owner_a", PASSWORD).status_code == 302


def test_attempts_during_a_lock_do_not_prolong_it(client, city):
    """The time the message names stays true: refused attempts are not counted as new failures."""
    from axes.models import AccessAttempt

    for _ in range(_user_limit()):
        _post(client, LOGIN, "owner_a", "wrong")
    before = list(AccessAttempt.objects.values_list("failures_since_start", "attempt_time"))
    for _ in range(10):
        _post(client, LOGIN, "owner_a", "wrong")
    assert list(AccessAttempt.objects.values_list("failures_since_start", "attempt_time")) == before


# -- the cost of a refused attempt ------------------------------------------------------------------------------------


class CountingHasher(MD5PasswordHasher):
    calls = 0

    def verify(self, password, encoded):
        CountingHasher.calls += 1
        return super().verify(password, encoded)

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


@pytest.mark.parametrize("url", [LOGIN, ADMIN_LOGIN])
def test_a_locked_account_is_refused_before_any_password_hash(client, city, settings, url):
    settings.PASSWORD_HASHERS = ["tests.core.test_login_throttle.CountingHasher"]
    for _ in range(_user_limit()):
        _post(client, url, "admin", "wrong")
    CountingHasher.calls = 0
    for password in ["wrong", PASSWORD, "also-wrong"]:
        assert _post(client, url, "admin", password).status_code == 429
    assert CountingHasher.calls == 0


def test_a_locked_address_is_refused_before_any_password_hash(client, city, settings):
    settings.PASSWORD_HASHERS = ["tests.core.test_login_throttle.CountingHasher"]
    for n in range(_address_limit()):
        _post(client, LOGIN, f"guess{n}", "wrong")
    CountingHasher.calls = 0
    assert _post(client, LOGIN, "owner_a", PASSWORD).status_code == 429
    assert CountingHasher.calls == 0


# -- what the locked user sees ----------------------------------------------------------------------------------------


def test_the_lock_message_says_how_long_and_what_to_do(client, city):
    for _ in range(_user_limit()):
        response = _post(client, LOGIN, "owner_a", "wrong")
    # The failure that reaches the limit already answers with the lock.
    assert response.status_code == 429
    body = response.content.decode()
    minutes = django_settings.JILIANG_LOGIN_LOCK_MINUTES
    assert "该账号登录失败次数过多，已暂时锁定" in body
    assert f"约 {minutes} 分钟后" in body and "联系平台管理员解锁" in body
    assert 'class="form-errors"' in body and 'name="username"' in body
    # Whole seconds until the lock ends, rounded up; the lock began with this very request.
    assert minutes * 60 - 60 < int(response["Retry-After"]) <= minutes * 60


def test_the_admin_login_page_shows_the_same_message(client, city):
    for _ in range(_user_limit()):
        _post(client, ADMIN_LOGIN, "admin", "wrong")
    response = _post(client, ADMIN_LOGIN, "admin", PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert "已暂时锁定" in body and 'name="password"' in body


def test_an_unknown_username_is_locked_like_a_known_one(client, city):
    """The lock does not tell a guesser which usernames exist."""
    for _ in range(_user_limit()):
        _post(client, LOGIN, "nobody-here", "wrong", address="10.8.0.1")
        _post(client, LOGIN, "owner_a", "wrong", address="10.8.0.2")
    unknown = _post(client, LOGIN, "nobody-here", "x", address="10.8.0.3")
    known = _post(client, LOGIN, "owner_a", "x", address="10.8.0.4")
    assert unknown.status_code == known.status_code == 429
    assert "该账号登录失败次数过多" in unknown.content.decode()


# -- the client address -----------------------------------------------------------------------------------------------


def test_a_forwarded_for_header_is_ignored_without_a_configured_proxy(client, city):
    """A client that invents X-Forwarded-For or X-Real-IP for every attempt is still one address."""
    for n in range(_address_limit()):
        _post(
            client,
            LOGIN,
            f"guess{n}",
            "wrong",
            address="10.9.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n + 1}",
            HTTP_X_REAL_IP=f"192.0.2.{n + 1}",
        )
    assert _post(client, LOGIN, "owner_a", PASSWORD, address="10.9.0.1").status_code == 429


def test_behind_the_proxy_the_address_is_the_one_nginx_passes(client, city, settings):
    """With JILIANG_CLIENT_IP_HEADER (jiliang.core.proxy) each client behind nginx has its own address counter."""
    settings.JILIANG_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    proxy = "127.0.0.1"
    for n in range(_address_limit()):
        _post(client, LOGIN, f"guess{n}", "wrong", address=proxy, HTTP_X_REAL_IP="10.10.0.1")
    assert _post(client, LOGIN, "owner_a", PASSWORD, address=proxy, HTTP_X_REAL_IP="10.10.0.1").status_code == 429
    # Another client behind the same proxy is not locked.
    assert _post(client, LOGIN, "owner_a", PASSWORD, address=proxy, HTTP_X_REAL_IP="10.10.0.2").status_code == 302


def test_client_address_is_the_connections_address_when_it_is_one(rf):
    from jiliang.core.login_throttle import client_address

    request = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="1.1.1.1, 2.2.2.2")
    assert client_address(request) == "10.0.0.9"
    assert client_address(rf.get("/", REMOTE_ADDR="not-an-address")) is None


# -- the audit log ----------------------------------------------------------------------------------------------------


def _events(prefix="login."):
    return list(AuditEvent.objects.filter(action__startswith=prefix).order_by("id"))


def test_a_login_and_a_logout_are_audited_with_a_keyed_hash_of_the_address(client, city):
    _post(client, LOGIN, "owner_a", PASSWORD, address="10.11.0.1")
    client.post(reverse("logout"))
    login, logout = _events()
    assert (login.action, login.actor, login.object_id) == (
        "login.success",
        city.owner_a_user,
        str(city.owner_a_user.pk),
    )
    assert login.changes["client"] == _keyed("10.11.0.1")
    assert (logout.action, logout.actor) == ("login.logout", city.owner_a_user)
    assert "10.11.0.1" not in str(login.changes) + str(logout.changes)


def test_a_failure_on_an_existing_account_names_it(client, city):
    _post(client, LOGIN, "owner_a", "wrong", address="10.12.0.1")
    (event,) = _events()
    assert event.action == "login.failure" and event.actor is None
    assert event.object_id == str(city.owner_a_user.pk)
    assert event.changes["username"] == "owner_a"
    assert event.changes["client"] == _keyed("10.12.0.1")
    assert "10.12.0.1" not in str(event.changes)
    assert "wrong" not in str(event.changes)


def test_a_failure_on_an_unknown_username_keeps_it_masked(client, city):
    """A password typed into the username field must not stay readable in an append-only log."""
    _post(client, LOGIN, "Secret-Pa55word", "wrong")
    _post(client, LOGIN, "Secret-Pa55word", "wrong")
    first, second = _events()
    assert "Secret-Pa55word" not in str(first.changes) and "Pa55" not in first.object_repr
    assert first.object_id == ""
    assert first.changes["username"].startswith("S") and "15" in first.changes["username"]
    # The same attempted name gives the same mask, so repeated guesses show in the log.
    assert first.changes["username"] == second.changes["username"]


def test_the_failure_that_locks_is_followed_by_a_lockout_event(client, city):
    for _ in range(_user_limit()):
        _post(client, LOGIN, "owner_a", "wrong", address="10.13.0.1")
    actions = [e.action for e in _events()]
    assert actions == ["login.failure"] * _user_limit() + ["login.lockout"]
    lockout = _events()[-1]
    assert lockout.changes["lock"] == "username" and lockout.changes["username"] == "owner_a"
    assert lockout.changes["client"] == _keyed("10.13.0.1")


def test_an_address_lockout_says_so(client, city):
    for n in range(_address_limit()):
        _post(client, LOGIN, f"guess{n}", "wrong", address="10.14.0.1")
    lockout = _events()[-1]
    assert lockout.action == "login.lockout" and lockout.changes["lock"] == "address"


def test_refused_attempts_during_a_lock_add_nothing_to_the_audit_log(client, city):
    """A flood against a locked account must not grow the append-only log."""
    for _ in range(_user_limit()):
        _post(client, LOGIN, "owner_a", "wrong")
    count = AuditEvent.objects.count()
    for _ in range(20):
        _post(client, LOGIN, "owner_a", "wrong")
    assert AuditEvent.objects.count() == count


def test_the_chain_still_verifies_after_logins_and_failures(client, city):
    for _ in range(_user_limit() + 2):
        _post(client, LOGIN, "owner_a", "wrong")
    _post(client, LOGIN, "owner_b", PASSWORD)
    assert audit.verify() is None


# -- unlocking --------------------------------------------------------------------------------------------------------


def _lock_owner_a(client):
    for _ in range(_user_limit()):
        _post(client, LOGIN, "owner_a", "wrong", address="10.15.0.1")
    assert _post(client, LOGIN, "owner_a", PASSWORD, address="10.15.0.2").status_code == 429


def test_login_unlock_by_username_is_audited_and_lets_the_user_in(client, city):
    from jiliang.core.login_throttle import login_unlock

    _lock_owner_a(client)
    removed = login_unlock(username="owner_a", actor=city.admin)
    assert removed >= 1
    event = AuditEvent.objects.get(action="login.unlock")
    assert event.actor == city.admin and event.changes["username"] == "owner_a"
    assert _post(client, LOGIN, "owner_a", PASSWORD, address="10.15.0.2").status_code == 302


def test_login_unlock_by_address_is_audited_with_the_keyed_hash(client, city):
    from jiliang.core.login_throttle import login_unlock

    for n in range(_address_limit()):
        _post(client, LOGIN, f"guess{n}", "wrong", address="10.16.0.1")
    login_unlock(address="10.16.0.1", actor=city.admin)
    event = AuditEvent.objects.get(action="login.unlock")
    assert event.changes["client"] == _keyed("10.16.0.1") and "10.16.0.1" not in str(event.changes)
    assert _post(client, LOGIN, "owner_a", PASSWORD, address="10.16.0.1").status_code == 302


def test_login_unlock_refuses_a_bad_address_and_a_missing_target(city):
    from jiliang.core.errors import DomainError
    from jiliang.core.login_throttle import login_unlock

    with pytest.raises(DomainError):
        login_unlock(address="not-an-ip", actor=city.admin)
    with pytest.raises(DomainError):
        login_unlock(actor=city.admin)
    assert not AuditEvent.objects.filter(action="login.unlock").exists()


def test_unlock_login_command_by_username(client, city):
    _lock_owner_a(client)
    out = StringIO()
    call_command("unlock_login", "owner_a", stdout=out)
    assert "owner_a" in out.getvalue()
    event = AuditEvent.objects.get(action="login.unlock")
    assert event.actor is None and event.actor_repr == "system"
    assert _post(client, LOGIN, "owner_a", PASSWORD, address="10.15.0.2").status_code == 302


def test_unlock_login_command_by_address(client, city):
    for n in range(_address_limit()):
        _post(client, LOGIN, f"guess{n}", "wrong", address="10.17.0.1")
    call_command("unlock_login", "--address", "10.17.0.1", stdout=StringIO())
    assert _post(client, LOGIN, "owner_a", PASSWORD, address="10.17.0.1").status_code == 302


def test_unlock_login_command_needs_exactly_one_target(city):
    with pytest.raises(CommandError):
        call_command("unlock_login", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("unlock_login", "owner_a", "--address", "10.0.0.1", stdout=StringIO())
    with pytest.raises(CommandError, match="地址"):
        call_command("unlock_login", "--address", "10.0.0.300", stdout=StringIO())


def test_the_admin_unlocks_from_the_attempts_list_and_it_is_audited(client, city):
    from axes.models import AccessAttempt

    _lock_owner_a(client)
    client.force_login(city.admin)
    ids = list(AccessAttempt.objects.filter(username="owner_a").values_list("pk", flat=True))
    response = client.post(
        "/admin/axes/accessattempt/", {"action": "unlock_usernames", "_selected_action": ids}, follow=True
    )
    assert response.status_code == 200
    assert not AccessAttempt.objects.filter(username="owner_a").exists()
    event = AuditEvent.objects.get(action="login.unlock")
    assert event.actor == city.admin and event.changes["username"] == "owner_a"


def test_the_admin_cannot_delete_attempts_behind_the_audit(client, city):
    """Deleting an attempt row is an unlock; the admin's only way to it is the audited action."""
    from axes.models import AccessAttempt

    _lock_owner_a(client)
    client.force_login(city.admin)
    attempt = AccessAttempt.objects.first()
    client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


def test_an_owner_cannot_open_the_attempts_list(client, city):
    client.force_login(city.owner_a_user)
    response = client.get("/admin/axes/accessattempt/")
    assert response.status_code == 302 and "/admin/login/" in response.url


# -- the answer outside the login views, and the settings -------------------------------------------------------------


def test_the_lockout_answer_without_a_login_page_is_the_login_page_with_the_message(rf, city, client):
    """axes' asynchronous path passes no rendered page; the answer is still the login page, not a bare error."""
    from jiliang.core.login_throttle import lockout_response

    for _ in range(_user_limit()):
        _post(client, LOGIN, "owner_a", "wrong", address="10.18.0.1")
    request = rf.post(LOGIN, {"username": "owner_a", "password": "x"}, REMOTE_ADDR="10.18.0.2")
    request.user = city.owner_a_user
    response = lockout_response(request, None, {"username": "owner_a"})
    assert response.status_code == 429
    body = response.content.decode()
    assert "该账号登录失败次数过多" in body and 'name="password"' in body


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("JILIANG_LOGIN_FAILURES_PER_USERNAME", "0"),
        ("JILIANG_LOGIN_FAILURES_PER_ADDRESS", "many"),
        ("JILIANG_LOGIN_LOCK_MINUTES", "0"),
        ("JILIANG_API_TOKEN_DAYS", "0"),
        ("JILIANG_API_TOKEN_MAX_DAYS", "10"),
    ],
)
def test_a_bad_throttle_or_token_setting_refuses_to_start(name, value):
    import os
    import subprocess
    import sys

    env = {**os.environ, "JILIANG_DEV": "1", name: value}
    result = subprocess.run(
        [sys.executable, "-c", "import jiliang.settings"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and name in result.stderr
