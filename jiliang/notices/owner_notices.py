"""Notices to the owner about its service requests and certificates: in-app, e-mail and text message, each once.

The services of the owner notices (the reminders are in ``services.py``). Verification sends its signals
(``jiliang/verification/signals.py``) inside its services' transactions; ``receivers.py`` turns the ones an owner
cares about into a call of ``owner_notice_record``:

==========================  =======================================  ===========================================
event                       key (unique)                             kind
==========================  =======================================  ===========================================
request accepted            ``request.accept:<request>:<event>``     ``request_accepted``
request returned (reason)   ``request.return:<request>:<event>``     ``request_returned``
request rejected (reason)   ``request.reject:<request>:<event>``     ``request_rejected``
request scheduled           ``request.schedule:<request>:<event>``   ``request_scheduled`` (date and place)
request completed           ``request.complete:<request>:<event>``   ``request_completed``
certificate issued          ``certificate.issue:<certificate>``      ``certificate_issued`` or
                                                                     ``failure_notice_issued`` (检定结果通知书), or
                                                                     ``certificate_superseded`` for a correction
certificate revoked         ``certificate.revoke:<certificate>``     ``certificate_revoked``
==========================  =======================================  ===========================================

``<event>`` is the request's ``RequestEvent`` written by the same transition, so a request accepted, returned,
resubmitted and accepted again gets two acceptance notices, one per event. Submitting, resubmitting and withdrawing
(the owner's own acts) and starting the work are not notified.

Sent after commit, once
-----------------------
``owner_notice_record`` writes, in the caller's transaction, the in-app ``Notification`` and one ``OwnerNotice``
row (the outbox) carrying the rendered texts, the addresses and a status per channel ("pending", or "no_address"
when the owner has no user with an e-mail address or no contact number). Then ``transaction.on_commit`` delivers
that row; a rolled-back change takes its rows with it and its on-commit callbacks are dropped, so it sends nothing.
``manage.py send_notices`` (a timer, every few minutes) delivers whatever is still pending: a process that died
after the commit, or a row written while delivery could not run.

Delivery claims each channel of a row with one conditional UPDATE ("pending" → "sending") before it sends; the
database lets exactly one of two racing runs change the row, and the loser skips it. After sending, the channel is
"sent" or "failed" (with the error). A channel left "sending" (the process died while sending) is not sent again:
the owner may miss a message but never gets one twice. With the default text-message backend (which only logs),
the text-message channel ends "logged", not "sent". Failed channels are sent again only on request
(``send_notices --retry-failed``, at most ``MAX_ATTEMPTS`` claims per channel).

Texts are stored as rendered in the site's language, like the reminders.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from jiliang.core import audit, clock
from jiliang.core.models import Organization, User
from jiliang.verification.models import Certificate, CertificateRevocation, RequestEvent, ServiceRequest

from . import sms
from .models import Kind, Notification, OwnerNotice

logger = logging.getLogger(__name__)

Status = OwnerNotice.Status

# The request transitions an owner is told about, and the kind of each notice.
REQUEST_KINDS: dict[str, Kind] = {
    "accept": Kind.REQUEST_ACCEPTED,
    "return": Kind.REQUEST_RETURNED,
    "reject": Kind.REQUEST_REJECTED,
    "schedule": Kind.REQUEST_SCHEDULED,
    "complete": Kind.REQUEST_COMPLETED,
}
# A channel is claimed at most this many times (first sending and --retry-failed together).
MAX_ATTEMPTS = 3
# Text messages are cut to this many characters (an SMS of 70 Chinese characters; longer ones go in parts).
SMS_LIMIT = 200


@dataclass
class Draft:
    """A notice as rendered, before it is stored."""

    key: str
    owner: Organization
    kind: Kind
    title: str
    lines: list[str]
    link: str
    sms_text: str
    sms_params: dict[str, str]
    phone: str


# ---- rendering ----------------------------------------------------------------------------------------------------


def _short(text: str, limit: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _event_id(request: ServiceRequest) -> int:
    """The transition's own event: the request's newest, written by the service just before it sent the signal."""
    pk = RequestEvent.objects.filter(request=request).order_by("-pk").values_list("pk", flat=True).first()
    return pk or 0


def request_draft(request: ServiceRequest, action: str, reason: str) -> Draft:
    """The notice of one request transition (``action`` in ``REQUEST_KINDS``), in the active language."""
    kind = REQUEST_KINDS[action]
    owner = Organization.objects.get(pk=request.owner_id)
    institute = Organization.objects.get(pk=request.institute_id)
    number = request.number
    params: dict[str, str] = {"number": number, "institute": institute.name}
    lines = [_("%(owner)s：") % {"owner": owner.name}, ""]
    if kind == Kind.REQUEST_ACCEPTED:
        title = _("服务申请 %(number)s 已受理") % {"number": number}
        lines.append(_("贵单位的服务申请 %(number)s 已由 %(institute)s 受理。") % params)
        if request.complete_by:
            params["date"] = request.complete_by.isoformat()
            lines.append(_("办结时限：%(date)s。") % params)
        sms_text = title
    elif kind == Kind.REQUEST_RETURNED:
        params["reason"] = reason
        title = _("服务申请 %(number)s 被退回补正") % {"number": number}
        lines.append(_("贵单位的服务申请 %(number)s 被 %(institute)s 退回补正。") % params)
        lines.append(_("退回原因：%(reason)s") % params)
        lines.append(_("请按要求补正后重新提交。"))
        sms_text = _("服务申请 %(number)s 被退回补正，原因：%(reason)s") % {"number": number, "reason": _short(reason)}
    elif kind == Kind.REQUEST_REJECTED:
        params["reason"] = reason
        title = _("服务申请 %(number)s 不予受理") % {"number": number}
        lines.append(_("贵单位的服务申请 %(number)s 经 %(institute)s 审查不予受理。") % params)
        lines.append(_("原因：%(reason)s") % params)
        sms_text = _("服务申请 %(number)s 不予受理，原因：%(reason)s") % {"number": number, "reason": _short(reason)}
    elif kind == Kind.REQUEST_SCHEDULED:
        params["date"] = request.scheduled_on.isoformat() if request.scheduled_on else ""
        params["place"] = str(request.get_place_display())
        title = _("服务申请 %(number)s 已安排检定：%(date)s") % params
        lines.append(_("%(institute)s 已安排贵单位服务申请 %(number)s 的检定。") % params)
        lines.append(_("检定日期：%(date)s") % params)
        lines.append(_("检定方式：%(place)s") % params)
        if request.place == ServiceRequest.Place.ON_SITE:
            lines.append(_("检定人员将于当日到贵单位现场检定，请安排人员配合。"))
        else:
            lines.append(_("请于当日将器具送至 %(institute)s。") % params)
        if reason:
            lines.append(_("说明：%(note)s") % {"note": reason})
        sms_text = _("服务申请 %(number)s 已安排于 %(date)s %(place)s") % params
    else:  # completed
        title = _("服务申请 %(number)s 已办结") % {"number": number}
        lines.append(_("贵单位的服务申请 %(number)s 已由 %(institute)s 办结，证书可在平台查看。") % params)
        sms_text = title
    if reason and kind in (Kind.REQUEST_ACCEPTED, Kind.REQUEST_COMPLETED):
        lines.append(_("说明：%(note)s") % {"note": reason})
    link = reverse("requests:detail", args=[request.pk])
    return Draft(
        key=f"request.{action}:{request.pk}:{_event_id(request)}",
        owner=owner,
        kind=kind,
        title=title,
        lines=lines,
        link=link,
        sms_text=sms_text,
        sms_params=params,
        phone=request.phone or owner.phone,
    )


def _certificate_phone(certificate: Certificate, owner: Organization) -> str:
    """The contact number of the request the certificate came from, else the owner's own."""
    request = (
        ServiceRequest.objects.filter(items__records__certificates=certificate).only("phone").order_by("pk").first()
    )
    return (request.phone if request else "") or owner.phone


def _instrument_label(certificate: Certificate) -> str:
    instrument = certificate.instrument
    return _("%(name)s（出厂编号 %(serial)s）") % {"name": instrument.name, "serial": instrument.serial_number}


def _certificate_params(certificate: Certificate) -> tuple[Organization, dict[str, str]]:
    """The certificate's owner and the values its notices name: number, document, instrument and institute."""
    owner = Organization.objects.get(pk=certificate.owner_id)
    institute = Organization.objects.get(pk=certificate.institute_id)
    return owner, {
        "number": certificate.number,
        "document": str(certificate.get_kind_display()),
        "instrument": _instrument_label(certificate),
        "institute": institute.name,
    }


def certificate_draft(certificate: Certificate) -> Draft:
    """The notice of an issued certificate (检定证书, 检定结果通知书 or 校准证书; a correction when it supersedes one)."""
    owner, params = _certificate_params(certificate)
    lines = [_("%(owner)s：") % {"owner": owner.name}, ""]
    old = certificate.supersedes
    if old is not None:
        kind = Kind.CERTIFICATE_SUPERSEDED
        params["old"] = old.number
        title = _("证书 %(old)s 已更正，新证书 %(number)s") % params
        lines.append(_("%(institute)s 更正了贵单位 %(instrument)s 的证书 %(old)s。") % params)
        lines.append(_("新出具的%(document)s编号为 %(number)s，原证书 %(old)s 已被取代，不再使用。") % params)
        sms_text = _("证书 %(old)s 已更正，新证书编号 %(number)s") % params
    elif certificate.kind == Certificate.Kind.FAILURE_NOTICE:
        kind = Kind.FAILURE_NOTICE_ISSUED
        title = _("检定结果通知书 %(number)s：器具检定不合格") % params
        lines.append(
            _("%(institute)s 对贵单位 %(instrument)s 的检定结论为不合格，已出具检定结果通知书 %(number)s。") % params
        )
        lines.append(_("不合格的强制检定计量器具不得继续使用，请修理后重新申请检定或予以更换。"))
        sms_text = _("%(instrument)s 检定不合格，检定结果通知书 %(number)s") % params
    else:
        kind = Kind.CERTIFICATE_ISSUED
        title = _("%(document)s %(number)s 已出具") % params
        lines.append(_("%(institute)s 已为贵单位 %(instrument)s 出具%(document)s %(number)s。") % params)
        if certificate.valid_until:
            params["date"] = certificate.valid_until.isoformat()
            lines.append(_("有效期至：%(date)s") % params)
        sms_text = _("%(instrument)s 的%(document)s %(number)s 已出具") % params
    return Draft(
        key=f"certificate.issue:{certificate.pk}",
        owner=owner,
        kind=kind,
        title=title,
        lines=lines,
        link=reverse("certificates:detail", args=[certificate.pk]),
        sms_text=sms_text,
        sms_params=params,
        phone=_certificate_phone(certificate, owner),
    )


def revocation_draft(certificate: Certificate, revocation: CertificateRevocation) -> Draft:
    owner, params = _certificate_params(certificate)
    params["reason"] = revocation.reason
    title = _("证书 %(number)s 已撤销") % params
    lines = [
        _("%(owner)s：") % {"owner": owner.name},
        "",
        _("%(institute)s 撤销了贵单位 %(instrument)s 的%(document)s %(number)s，该证书自即日起无效。") % params,
        _("撤销原因：%(reason)s") % params,
    ]
    sms_text = _("证书 %(number)s 已撤销，原因：%(reason)s") % {
        "number": certificate.number,
        "reason": _short(revocation.reason),
    }
    return Draft(
        key=f"certificate.revoke:{certificate.pk}",
        owner=owner,
        kind=Kind.CERTIFICATE_REVOKED,
        title=title,
        lines=lines,
        link=reverse("certificates:detail", args=[certificate.pk]),
        sms_text=sms_text,
        sms_params=params,
        phone=_certificate_phone(certificate, owner),
    )


def _emails(owner_id: int) -> list[str]:
    """The addresses of the owner's active users, each once (as the reminders)."""
    found: list[str] = []
    rows = (
        User.objects.filter(organization_id=owner_id, is_active=True)
        .exclude(email="")
        .order_by("id")
        .values_list("email", flat=True)
    )
    for email in rows:
        if email not in found:
            found.append(email)
    return found


# ---- recording (in the caller's transaction) ----------------------------------------------------------------------


def owner_notice_record(render: Callable[[], Draft]) -> OwnerNotice | None:
    """Store the notice ``render`` gives (in the site's language) and its in-app notification, in the caller's
    transaction, and deliver it once that commits. Returns None when a notice with the same key exists already.

    Any error here is logged and swallowed (inside a savepoint): a notice is never the reason a verification or a
    certificate fails. A lost notice shows in the log.
    """
    try:
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            draft = render()
            body = "\n".join(draft.lines)
            notification = Notification.objects.create(
                organization=draft.owner,
                kind=draft.kind,
                title=draft.title[:200],
                body=body,
                link=draft.link,
                concerns_on=clock.today(),
            )
            emails = _emails(draft.owner.pk)
            phone = draft.phone.strip()
            notice = OwnerNotice.objects.create(
                key=draft.key,
                owner=draft.owner,
                kind=draft.kind,
                title=draft.title[:200],
                body=body,
                link=draft.link,
                sms_text=draft.sms_text[:SMS_LIMIT],
                sms_params=draft.sms_params,
                notification=notification,
                emails=emails,
                phone=phone,
                email_status=Status.PENDING if emails else Status.NO_ADDRESS,
                sms_status=Status.PENDING if phone else Status.NO_ADDRESS,
            )
    except IntegrityError:
        logger.info("owner notice already recorded; not recorded again")
        return None
    except Exception:
        logger.exception("owner notice could not be recorded")
        return None
    transaction.on_commit(partial(owner_notice_deliver, notice.pk), robust=True)
    return notice


# ---- delivery (after the commit, outside any transaction) ---------------------------------------------------------


@dataclass
class DeliverySummary:
    notices: int = 0
    emails_sent: int = 0
    emails_failed: int = 0
    sms_sent: int = 0
    sms_failed: int = 0
    # Channels another run had claimed already (or that were not pending any more): left alone.
    skipped: int = 0
    notice_ids: list[int] = field(default_factory=list)

    def add(self, other: DeliverySummary) -> None:
        for name in ("notices", "emails_sent", "emails_failed", "sms_sent", "sms_failed", "skipped"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.notice_ids.extend(other.notice_ids)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _claim(notice_id: int, channel: str) -> bool:
    """Move the channel from pending to sending; True for the one run whose UPDATE changed the row."""
    status = f"{channel}_status"
    attempts = f"{channel}_attempts"
    claimed = OwnerNotice.objects.filter(pk=notice_id, **{status: Status.PENDING}).update(
        **{status: Status.SENDING, attempts: F(attempts) + 1}
    )
    return claimed == 1


def _finish(notice_id: int, channel: str, error: str, *, done: str = Status.SENT) -> None:
    values: dict[str, Any] = {f"{channel}_status": Status.FAILED if error else done, f"{channel}_error": error}
    if not error:
        values[f"{channel}_sent_at"] = clock.now()
    OwnerNotice.objects.filter(pk=notice_id, **{f"{channel}_status": Status.SENDING}).update(**values)


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _email_text(notice: OwnerNotice) -> str:
    lines = [notice.body]
    if notice.link:
        base = settings.JILIANG_PUBLIC_BASE_URL.rstrip("/")
        lines += ["", _("详情：%(url)s") % {"url": f"{base}{notice.link}"}]
    lines += ["", _("此邮件由计量监管平台自动发送，请勿回复。")]
    return "\n".join(lines)


def owner_notice_deliver(notice_id: int, *, backend: sms.BaseBackend | None = None) -> DeliverySummary:
    """Send the pending channels of one notice, each only if this call claims it. Never raises for a channel's
    failure (it is recorded on the row). Call it outside any transaction (on commit, or from the command)."""
    summary = DeliverySummary()
    notice = OwnerNotice.objects.filter(pk=notice_id).first()
    if notice is None:
        return summary
    summary.notices = 1
    summary.notice_ids.append(notice_id)
    with translation.override(settings.LANGUAGE_CODE):
        if _claim(notice_id, "email"):
            try:
                send_mail(notice.title, _email_text(notice), None, list(notice.emails), fail_silently=False)
            except Exception as exc:  # any backend error: recorded on the row; the in-app notice stays
                logger.exception("owner notice %s: e-mail failed", notice.key)
                _finish(notice_id, "email", _error(exc))
                summary.emails_failed += 1
            else:
                _finish(notice_id, "email", "")
                summary.emails_sent += 1
        else:
            summary.skipped += 1
        if _claim(notice_id, "sms"):
            message = sms.SmsMessage(
                phone=notice.phone,
                text=notice.sms_text,
                template=notice.kind,
                params={k: str(v) for k, v in (notice.sms_params or {}).items()},
                key=notice.key,
            )
            try:
                backend = backend or sms.get_backend()
                backend.send(message)
            except Exception as exc:
                logger.exception("owner notice %s: text message to %s failed", notice.key, sms.mask_phone(notice.phone))
                _finish(notice_id, "sms", _error(exc))
                summary.sms_failed += 1
            else:
                _finish(notice_id, "sms", "", done=Status.SENT if backend.delivers else Status.LOGGED)
                summary.sms_sent += 1
        else:
            summary.skipped += 1
    return summary


def owner_notices_deliver_pending(
    *, actor: User | None = None, retry_failed: bool = False, limit: int = 1000
) -> DeliverySummary:
    """Deliver every notice with a pending channel, oldest first (``manage.py send_notices``). With
    ``retry_failed``, failed channels of rows claimed fewer than ``MAX_ATTEMPTS`` times are made pending first.
    Safe to run twice at once: each channel is claimed by one run only."""
    if retry_failed:
        for channel in ("email", "sms"):
            failed = {f"{channel}_status": Status.FAILED, f"{channel}_attempts__lt": MAX_ATTEMPTS}
            OwnerNotice.objects.filter(**failed).update(**{f"{channel}_status": Status.PENDING})
    ids = list(
        OwnerNotice.objects.filter(Q(email_status=Status.PENDING) | Q(sms_status=Status.PENDING))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    summary = DeliverySummary()
    backend: sms.BaseBackend | None = None
    for notice_id in ids:
        if backend is None:
            try:
                backend = sms.get_backend()
            except Exception:
                logger.exception("JILIANG_SMS_BACKEND could not be loaded")
        summary.add(owner_notice_deliver(notice_id, backend=backend))
    if summary.emails_sent or summary.sms_sent or summary.emails_failed or summary.sms_failed:
        with transaction.atomic():
            audit.record(
                actor=actor,
                action="notices.deliver",
                object_type="notices.ownernotice",
                object_id=clock.now().isoformat(timespec="seconds"),
                changes={k: v for k, v in summary.as_dict().items() if k != "notice_ids"},
            )
    return summary
