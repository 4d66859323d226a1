"""Text messages (SMS, or WeChat template messages) to an owner's contact number, through a pluggable backend.

The backend is the class named by ``settings.JILIANG_SMS_BACKEND`` (read when a notice is delivered, never at
import time). The default, ``jiliang.notices.sms.LogBackend``, **sends nothing**: it writes one line to the log
(``jiliang.notices.sms``, the number masked) so that a deployment without a provider says so plainly instead of
pretending. A city plugs in its provider by writing a class with the interface below and naming it in the setting
(docs/operations.md, "Notices to owners")::

    class AliyunBackend(jiliang.notices.sms.BaseBackend):
        def send(self, message: SmsMessage) -> None:
            client.send_sms(phone_numbers=message.phone, template_code=TEMPLATES[message.template],
                            template_param=json.dumps(message.params, ensure_ascii=False))

The interface
-------------
- ``BaseBackend()`` is constructed with no argument once per delivery run (read your own settings in
  ``__init__``).
- ``send(message)`` sends one message and returns ``None``; it **raises** any exception when the provider refuses
  or cannot be reached. The notice is then marked failed with the exception's text (and may be retried with
  ``manage.py send_notices --retry-failed``); nothing else depends on the backend.
- ``message.text`` is the full text in the site's language (for a plain SMS gateway); ``message.template`` (the
  notice's kind, e.g. ``request_scheduled``) and ``message.params`` (strings: ``number``, ``date``, ``place``,
  ``reason``, ``instrument``, ``url``… whichever the kind has) are for template messages (SMS templates approved
  by the carrier, WeChat template messages), which take a template id and its parameters rather than free text.
- ``delivers`` (class attribute, default True): False only for a backend that writes messages down instead of
  sending them; the notice's text-message status is then "logged" instead of "sent".
- ``message.key`` is the notice's unique event key: a provider that accepts an idempotency key can be given it.

Personal data: a backend must not log the number in full; ``mask_phone`` is provided.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str
    template: str
    params: dict[str, str] = field(default_factory=dict)
    key: str = ""


def mask_phone(phone: str) -> str:
    """The number with all but its first three and last four digits hidden: what the logs may show.

    >>> mask_phone("13812345678")
    '138****5678'
    >>> mask_phone("0418-2812345")
    '041*****2345'
    >>> mask_phone("12345")
    '*****'
    """
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 8:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


class BaseBackend:
    """Send one message or raise. Subclass it and name the subclass in ``JILIANG_SMS_BACKEND``."""

    # False for a backend that only writes the message down (the log backend): the notice then says "logged, not
    # sent" rather than "sent".
    delivers: bool = True

    def send(self, message: SmsMessage) -> None:
        raise NotImplementedError


class LogBackend(BaseBackend):
    """The default: sends nothing, writes one line to the log (number masked) so the operator sees what would go."""

    delivers = False

    def send(self, message: SmsMessage) -> None:
        logger.info(
            "SMS not sent (JILIANG_SMS_BACKEND is the log backend): to %s, template %s, key %s: %s",
            mask_phone(message.phone),
            message.template,
            message.key,
            message.text,
        )


# What MemoryBackend "sent", in order (tests read and clear it, as Django's locmem e-mail backend's mail.outbox).
outbox: list[SmsMessage] = []


class MemoryBackend(BaseBackend):
    """Keeps each message in ``jiliang.notices.sms.outbox``: for tests and for trying a deployment out."""

    def send(self, message: SmsMessage) -> None:
        outbox.append(message)


def get_backend() -> BaseBackend:
    """An instance of the backend named by ``settings.JILIANG_SMS_BACKEND``."""
    backend_class = import_string(settings.JILIANG_SMS_BACKEND)
    backend = backend_class()
    if not isinstance(backend, BaseBackend):
        raise TypeError(f"{settings.JILIANG_SMS_BACKEND} is not a jiliang.notices.sms.BaseBackend")
    return backend
