"""Admin for reference data and accounts. Every save and delete is audited in the same transaction."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from . import audit
from .models import ApiToken, AuditEvent, Organization, Region, User


def _plain(obj) -> dict:
    data = model_to_dict(obj)
    data.pop("password", None)
    return {k: (v if isinstance(v, str | int | float | bool | type(None)) else str(v)) for k, v in data.items()}


class AuditedAdmin(admin.ModelAdmin):
    """Wraps the admin's writes in a transaction with an audit event naming the admin who made them."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = _plain(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else {}
            super().save_model(request, obj, form, change)
            label = f"{obj._meta.app_label}.{obj._meta.model_name}"
            audit.record(
                actor=request.user,
                action=f"{label}.{'update' if change else 'create'}",
                obj=obj,
                changes=audit.diff(before, _plain(obj)),
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record(
                actor=request.user,
                action=f"{obj._meta.app_label}.{obj._meta.model_name}.delete",
                obj=obj,
                changes=_plain(obj),
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")


@admin.register(Organization)
class OrganizationAdmin(AuditedAdmin):
    list_display = ("name", "kind", "category", "credit_code", "region")
    list_filter = ("kind", "category", "region")
    search_fields = ("name", "credit_code")
    list_select_related = ("region",)


@admin.register(User)
class UserAdmin(BaseUserAdmin, AuditedAdmin):
    list_display = ("username", "last_name", "first_name", "role", "organization", "is_active")
    list_filter = ("role", "is_active", "is_staff")
    list_select_related = ("organization",)
    autocomplete_fields = ("organization",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("角色与单位"), {"fields": ("role", "organization")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("角色与单位"), {"fields": ("role", "organization")}),
    )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ("id", "at", "actor_repr", "action", "object_type", "object_id", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("actor_repr", "object_id", "object_repr")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("digest", "prefix", "created_at", "last_used_at")

    def has_add_permission(self, request):
        # Tokens are issued with `manage.py issue_token`, which shows the token once.
        return False
