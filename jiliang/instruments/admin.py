from __future__ import annotations

from django.contrib import admin

from jiliang.core.admin import ReadOnlyAdmin

from .models import Instrument


@admin.register(Instrument)
class InstrumentAdmin(ReadOnlyAdmin):
    """Read-only in the admin: instruments change through the registry's pages, API and services (audited)."""

    list_display = ("serial_number", "name", "owner", "region", "catalog_item", "usage", "status", "due_on")
    list_filter = ("status", "mandatory", "usage", "region")
    search_fields = ("serial_number",)
    list_select_related = ("owner", "region", "catalog_item")
    raw_id_fields = ("owner", "catalog_item", "created_by")
    show_full_result_count = False
