"""Verification's side of ``jiliang.instruments.hooks``: what the registry asks of verification records, answered
by verification's own services and selectors. Registered in ``VerificationConfig.ready``."""

from __future__ import annotations

from .selectors import records as record_reads
from .services import declared


class ForTheRegistry:
    """Implements :class:`jiliang.instruments.hooks.Verification`."""

    record_declare = staticmethod(declared.record_declare)
    records_declare_bulk = staticmethod(declared.records_declare_bulk)
    instrument_records = staticmethod(record_reads.instrument_records)
    routed_instrument_ids = staticmethod(record_reads.routed_instrument_ids)
    record_dates = staticmethod(record_reads.record_dates)
