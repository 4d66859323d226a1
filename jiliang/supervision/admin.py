"""Read-only admin pages of the supervision records: every change goes through the services (and the audit log)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AnnualPlan, CheckItem, Conflict, Draw, Inspector, ItemList, Task


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ItemList)
class ItemListAdmin(ReadOnly):
    list_display = ("region", "version", "adopted_on")


@admin.register(CheckItem)
class CheckItemAdmin(ReadOnly):
    list_display = ("code", "name", "item_list")


@admin.register(Inspector)
class InspectorAdmin(ReadOnly):
    list_display = ("name", "certificate_number", "organization", "valid_until", "active")
    search_fields = ("name", "certificate_number")


@admin.register(Conflict)
class ConflictAdmin(ReadOnly):
    list_display = ("inspector", "organization", "kind", "declared_on")


@admin.register(AnnualPlan)
class AnnualPlanAdmin(ReadOnly):
    list_display = ("title", "bureau", "year", "status")


@admin.register(Task)
class TaskAdmin(ReadOnly):
    list_display = ("number", "name", "status", "starts_on")


@admin.register(Draw)
class DrawAdmin(ReadOnly):
    list_display = ("task", "round", "status", "commitment_digest", "seeded_at")
