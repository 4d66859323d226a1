"""The login throttle (on django-axes) and the audit of logins.

Two counters, each with its own limit (settings ``JILIANG_LOGIN_FAILURES_PER_USERNAME`` and
``JILIANG_LOGIN_FAILURES_PER_ADDRESS``):

- a **username** is locked after N failures from any address, so a guesser who changes address still stops;
- an **address** is locked after M failures across usernames (M > N: a bureau's whole office may share one
  address), so a guesser who tries one password on many accounts stops too.

axes keeps one row per (username, address, browser) with its failure count and the time of its last failure; a row
is forgotten ``JILIANG_LOGIN_LOCK_MINUTES`` after that time, so a lock ends that long after the last failure (attempts
refused during a lock do not count and do not prolong it). The check runs in axes' backend, the first of
``AUTHENTICATION_BACKENDS``: a refused attempt costs two small queries, never a password hash.

Every login, failure, lockout and logout is an audit event. The client address is never stored in the audit log,
only a keyed hash of it (:func:`client_hash`). A failure on an existing account names the account; a failure on a
username that does not exist keeps it masked (first character and length), because people type their password into
the username field and the audit log cannot be purged.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, clock
from .errors import DomainError
from .models import User

USERNAME = "username"
ADDRESS = "address"


class AxesRequest(HttpRequest):
    """A request once axes has read it (its backend, or ``AxesProxyHandler.update_request``): the attributes axes
    sets on it. For the type checker; nothing builds one."""

    axes_ip_address: str | None
    axes_path_info: str
    axes_locked_out: bool


# -- the client's address ---------------------------------------------------------------------------------------------


def _valid_address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, when it is one.

    Behind nginx, ``jiliang.core.proxy`` has already put the client's address there from the header named by
    ``JILIANG_CLIENT_IP_HEADER`` (one rule for every per-address limit: this throttle and the public check); a
    header the client sends itself is never read here.
    """
    return _valid_address(request.META.get("REMOTE_ADDR", "") or "")


def client_hash(address: str | None) -> str:
    """A keyed hash of an address (HMAC-SHA256 with SECRET_KEY, 16 hex digits), the same as the public check's log
    keeps: the same address gives the same value, but the address cannot be read back. Empty without an address."""
    if not address:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[:16]


# -- who was attempted ------------------------------------------------------------------------------------------------


def _attempted(username: str | None) -> tuple[str, User | None]:
    """The username as the audit log keeps it, and the account it names (None if none)."""
    name = username or ""
    user = User.objects.filter(username=name).first() if name else None
    if user is not None:
        return name, user
    return (f"{name[:1]}…({len(name)})" if name else ""), None


def _record(*, actor: User | None, action: str, username: str | None, changes: dict[str, Any]) -> None:
    recorded, user = _attempted(username)
    if user is not None:
        audit.record(actor=actor, action=action, obj=user, changes={"username": recorded, **changes})
    else:
        audit.record(actor=actor, action=action, object_type="core.user", changes={"username": recorded, **changes})


# -- the two limits ---------------------------------------------------------------------------------------------------


def username_limit(request: HttpRequest | None = None, credentials: dict[str, Any] | None = None) -> int:
    """``AXES_FAILURE_LIMIT``: axes compares :meth:`LoginThrottleHandler.get_failures` with this."""
    return settings.JILIANG_LOGIN_FAILURES_PER_USERNAME


def lock_time(request: HttpRequest | None = None) -> timedelta:
    """``AXES_COOLOFF_TIME``, read when used (so that a test or an operator's change of the setting holds)."""
    return timedelta(minutes=settings.JILIANG_LOGIN_LOCK_MINUTES)


@dataclass(frozen=True)
class Lock:
    kind: str  # USERNAME or ADDRESS
    until: datetime


class LoginThrottleHandler(AxesDatabaseHandler):  # type: ignore[misc]  # axes ships no type hints
    """axes' database handler with one limit per counter, the audit of logins, and a narrower reset on success."""

    def _recent(self, request: AxesRequest, **filters: Any) -> QuerySet[AccessAttempt]:
        attempts: QuerySet[AccessAttempt] = AccessAttempt.objects.filter(
            attempt_time__gte=get_cool_off_threshold(request), **filters
        )
        return attempts

    def _counters(
        self, request: AxesRequest, credentials: dict[str, Any] | None
    ) -> list[tuple[str, QuerySet[AccessAttempt], int]]:
        username = get_client_username(request, credentials)
        return [
            (USERNAME, self._recent(request, username=username), settings.JILIANG_LOGIN_FAILURES_PER_USERNAME),
            (
                ADDRESS,
                self._recent(request, ip_address=request.axes_ip_address),
                settings.JILIANG_LOGIN_FAILURES_PER_ADDRESS,
            ),
        ]

    def get_failures(self, request: AxesRequest, credentials: dict[str, Any] | None = None) -> int:
        """The failures, on the scale of the username limit that axes compares them with.

        The address counter has its own limit M; ``address failures × N // M`` reaches N exactly when the address
        failures reach M (integer division: the product is at least N·M then and below it before).
        """
        per_username = settings.JILIANG_LOGIN_FAILURES_PER_USERNAME
        per_address = settings.JILIANG_LOGIN_FAILURES_PER_ADDRESS
        counts: dict[str, int] = {}
        for kind, attempts, _limit in self._counters(request, credentials):
            counts[kind] = sum(attempts.values_list("failures_since_start", flat=True))
        return max(counts[USERNAME], counts[ADDRESS] * per_username // per_address)

    def lock(self, request: AxesRequest, credentials: dict[str, Any] | None = None) -> Lock | None:
        """The lock that holds now, if any: which counter, and when it ends (the later one if both hold).

        Rows leave the count one by one as they age, newest last; the lock holds while the newest rows that together
        reach the limit are all still counted, i.e. until the oldest of them ages out.
        """
        locks = []
        for kind, attempts, limit in self._counters(request, credentials):
            total = 0
            for failures, at in attempts.order_by("-attempt_time").values_list("failures_since_start", "attempt_time"):
                total += failures
                if total >= limit:
                    locks.append(Lock(kind=kind, until=at + get_cool_off(request)))
                    break
        return max(locks, key=lambda lock: lock.until) if locks else None

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: AxesRequest | None = None, **kwargs: Any
    ) -> None:
        # axes' backend marks the request before the signal when it refused an attempt because of a lock already
        # held; those attempts are neither counted nor audited, so a flood cannot grow the append-only log.
        refused = request is not None and request.axes_locked_out
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or refused:
            return
        username = get_client_username(request, credentials)
        client = client_hash(request.axes_ip_address)
        with transaction.atomic():
            _record(
                actor=None,
                action="login.failure",
                username=username,
                changes={"client": client, "path": request.axes_path_info},
            )
            if request.axes_locked_out:
                lock = self.lock(request, credentials)
                _record(
                    actor=None,
                    action="login.lockout",
                    username=username,
                    changes={
                        "client": client,
                        "lock": lock.kind if lock else USERNAME,
                        "until": lock.until.isoformat() if lock else "",
                    },
                )

    def user_logged_in(self, sender: Any, request: AxesRequest, user: User, **kwargs: Any) -> None:
        super().user_logged_in(sender, request, user, **kwargs)
        # The user's own typing errors from this address are forgotten; the address's failures on other usernames
        # are not, or one known account would reset the address counter (axes' AXES_RESET_ON_SUCCESS would).
        AccessAttempt.objects.filter(username=user.get_username(), ip_address=request.axes_ip_address).delete()
        with transaction.atomic():
            audit.record(
                actor=user,
                action="login.success",
                obj=user,
                changes={"client": client_hash(request.axes_ip_address), "path": request.axes_path_info},
            )

    def user_logged_out(self, sender: Any, request: AxesRequest, user: User | None, **kwargs: Any) -> None:
        super().user_logged_out(sender, request, user, **kwargs)
        if user is None:
            return
        with transaction.atomic():
            audit.record(
                actor=user, action="login.logout", obj=user, changes={"client": client_hash(request.axes_ip_address)}
            )


def _handler() -> LoginThrottleHandler:
    handler = AxesProxyHandler.get_implementation()
    if not isinstance(handler, LoginThrottleHandler):
        raise RuntimeError("AXES_HANDLER must be jiliang.core.login_throttle.LoginThrottleHandler")
    return handler


def current_lock(request: HttpRequest, username: str | None) -> Lock | None:
    AxesProxyHandler.update_request(request)
    return _handler().lock(cast(AxesRequest, request), {"username": username})


# -- what the locked user sees ----------------------------------------------------------------------------------------


def lock_message(lock: Lock | None) -> str:
    """The sentence on the login page: which lock, until when, and what to do."""
    until = lock.until if lock else clock.now() + lock_time()
    minutes = max(1, math.ceil((until - clock.now()).total_seconds() / 60))
    params = {"until": timezone.localtime(until).strftime("%H:%M"), "minutes": minutes}
    if lock is not None and lock.kind == ADDRESS:
        return (
            _(
                "您所在网络地址的登录失败次数过多，已暂时锁定。请于 %(until)s（约 %(minutes)s 分钟后）再试；"
                "如需立即登录，请联系平台管理员解锁。"
            )
            % params
        )
    return (
        _(
            "该账号登录失败次数过多，已暂时锁定。请于 %(until)s（约 %(minutes)s 分钟后）再试；"
            "如需立即登录，请联系平台管理员解锁。"
        )
        % params
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the login page the view rendered (its form already says why, see
    :mod:`jiliang.core.forms`), answered as 429 with Retry-After; a bare login page with the message otherwise."""
    username = get_client_username(request, credentials) if credentials is not None else request.POST.get("username")
    lock = current_lock(request, username)
    if isinstance(original_response, HttpResponse) and original_response.status_code == 200:
        response = original_response
    else:
        from .forms import LoginForm

        response = render(
            request, "registration/login.html", {"form": LoginForm(request), "lock_message": lock_message(lock)}
        )
    response.status_code = 429
    seconds = (lock.until - clock.now()).total_seconds() if lock else lock_time().total_seconds()
    response["Retry-After"] = str(max(1, math.ceil(seconds)))
    return response


# -- unlocking --------------------------------------------------------------------------------------------------------


def login_unlock(*, username: str | None = None, address: str | None = None, actor: User | None) -> int:
    """Forget the failures of one username (from every address) or of one address (on every username), so the lock
    ends now. Returns how many attempt rows were removed; audited, with the address as its keyed hash."""
    if (username is None) == (address is None):
        raise DomainError(_("请指定要解锁的用户名或网络地址（二者选一）"))
    if address is not None:
        valid = _valid_address(address)
        if valid is None:
            raise DomainError(_("“%(address)s”不是有效的网络地址") % {"address": address}, field="address")
        address = valid
    with transaction.atomic():
        attempts = (
            AccessAttempt.objects.filter(username=username)
            if username is not None
            else AccessAttempt.objects.filter(ip_address=address)
        )
        _total, per_model = attempts.delete()
        removed: int = per_model.get(AccessAttempt._meta.label, 0)
        if username is not None:
            _record(actor=actor, action="login.unlock", username=username, changes={"attempts": removed})
        else:
            audit.record(
                actor=actor,
                action="login.unlock",
                object_type="login.address",
                changes={"client": client_hash(address), "attempts": removed},
            )
    return removed
