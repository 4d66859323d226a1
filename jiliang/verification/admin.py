"""Admin for the fee schedule: a city loads its price authority's fees here (audited, like all reference data).

Requests themselves change only through the one window's pages, API and services; they are not in the admin.
"""

from __future__ import annotations

from django.contrib import admin

from jiliang.core.admin import AuditedAdmin

from .models import FeeSchedule


@admin.register(FeeSchedule)
class FeeScheduleAdmin(AuditedAdmin):
    list_display = ("catalog_item", "service", "amount", "valid_from", "basis")
    list_filter = ("service", "valid_from")
    search_fields = ("catalog_item__code", "catalog_item__kind", "basis")
    list_select_related = ("catalog_item",)
    autocomplete_fields = ("catalog_item",)
    ordering = ("catalog_item__code", "service", "-valid_from")
