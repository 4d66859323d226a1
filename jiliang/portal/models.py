"""The public check's rate-limit counters (``jiliang.portal.services``) and the log of scans of instruments' public
pages (``InstrumentScan``); the log of certificate checks is ``jiliang.verification.models.PublicCheck``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiliang.core.models import optional_fk
from jiliang.instruments.models import Instrument


class LookupCounter(models.Model):
    """Typed-number look-ups counted in one window: a client address's minute or day, or a number prefix's day.

    Written only by the one-statement upsert of ``services.number_lookup`` (never through the ORM, which would
    need a read and a write); a row whose window has passed is deleted by the next clean-up (``expires``). On
    PostgreSQL the table is UNLOGGED: counts are worth nothing after a crash, and skipping the write-ahead log
    makes each count cheap.
    """

    key = models.CharField(_("计数对象"), max_length=64)
    window = models.BigIntegerField(_("时间窗"))
    count = models.IntegerField(_("次数"))
    # Minutes since the epoch (UTC) from which the row is no longer needed.
    expires = models.BigIntegerField(_("失效时间"), db_index=True)

    class Meta:
        verbose_name = _("按编号查询计数")
        verbose_name_plural = _("按编号查询计数")
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="portal_lookup_counter_key_window_uniq")]

    def __str__(self) -> str:
        return f"{self.key} @{self.window}: {self.count}"


class InstrumentScan(models.Model):
    """One look at an instrument's public page (扫码查器具: its label's QR code) and what it answered; written as a
    certificate check is (``services.scan_log``: one INSERT). An unknown key is logged too, without an instrument."""

    at = models.DateTimeField(_("时间"), db_index=True)
    instrument = optional_fk(Instrument, _("计量器具"), related_name="+", on_delete=models.SET_NULL)
    result = models.CharField(_("结果"), max_length=16)
    # A keyed hash of the client address (``services.client_hash``), as for certificate checks.
    client = models.CharField(_("客户端"), max_length=16, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("器具扫码记录")
        verbose_name_plural = _("器具扫码记录")

    def __str__(self) -> str:
        return f"{self.at} {self.instrument_id} {self.result}"
