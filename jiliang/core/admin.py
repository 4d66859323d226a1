"""Admin for reference data and accounts. Every save and delete is audited in the same transaction."""

from __future__ import annotations

from typing import Any, cast

from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import audit
from .accounts import acting_as
from .api_auth import token_revoke
from .forms import AdminLoginForm, AdminPasswordForm
from .login_throttle import login_unlock
from .models import ApiToken, AuditEvent, HolidayYear, Organization, Region, User

# The admin's login page names a lock the way the site's does.
admin.site.login_form = AdminLoginForm


def acting_admin(request: HttpRequest) -> User:
    """The signed-in user of an admin page (the admin site lets in no one else)."""
    return cast(User, request.user)


def field_values(obj: Model) -> dict[str, Any]:
    """The row's fields as an audit event stores them (text, numbers, booleans; the password left out)."""
    data = model_to_dict(obj)
    data.pop("password", None)
    return {k: (v if isinstance(v, str | int | float | bool | type(None)) else str(v)) for k, v in data.items()}


class AuditedAdmin(admin.ModelAdmin):
    """Wraps the admin's writes in a transaction with an audit event naming the admin who made them."""

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool) -> None:
        # acting_as: receivers of this save (e.g. the token revocation on deactivation) audit the admin as the actor.
        actor = acting_admin(request)
        with transaction.atomic(), acting_as(actor):
            before = field_values(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else {}
            super().save_model(request, obj, form, change)
            label = f"{obj._meta.app_label}.{obj._meta.model_name}"
            audit.record(
                actor=actor,
                action=f"{label}.{'update' if change else 'create'}",
                obj=obj,
                changes=audit.diff(before, field_values(obj)),
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit.record(
                actor=acting_admin(request),
                action=f"{obj._meta.app_label}.{obj._meta.model_name}.delete",
                obj=obj,
                changes=field_values(obj),
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnly:
    """Nothing is added, changed or deleted through the admin: the rows change only through the services (which
    audit), or are append-only. Viewing stays. Mixed into a model admin or an inline."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    """A model's admin that lists and shows its rows, and nothing more (its actions, if any, are audited)."""


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    """Rows shown inline under their parent, read-only."""


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
        *(BaseUserAdmin.fieldsets or ()),
        (_("角色与单位"), {"fields": ("role", "organization")}),
    )
    add_fieldsets = (
        *(BaseUserAdmin.add_fieldsets or ()),
        (_("角色与单位"), {"fields": ("role", "organization")}),
    )
    change_password_form = AdminPasswordForm

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        # AdminPasswordForm saves through the services with the admin as the actor.
        with acting_as(acting_admin(request)):
            return super().user_change_password(request, id, form_url)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ("id", "at", "actor_repr", "action", "object_type", "object_id", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("actor_repr", "object_id", "object_repr")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Read-only, no add, no delete: a token is issued by `manage.py issue_token` or the user's token page (which
    show it once) and ended by the audited "revoke" action, never by editing or deleting the row."""

    list_display = ("prefix", "user", "created_at", "expires_at", "last_used_at", "revoked_at", "revoke_reason")
    list_filter = ("revoke_reason",)
    search_fields = ("prefix", "user__username")
    list_select_related = ("user",)
    actions = ["revoke_tokens"]

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("core.change_apitoken")

    @admin.action(description=_("吊销所选令牌"), permissions=["revoke"])
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        revoked = 0
        for row in queryset.filter(revoked_at__isnull=True):
            token_revoke(token=row, actor=acting_admin(request))
            revoked += 1
        self.message_user(request, gettext("已吊销 %(n)s 个令牌") % {"n": revoked}, messages.SUCCESS)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(ReadOnlyAdmin):
    """Failed logins that count toward a lock. Read-only: deleting a row is an unlock, so the only way to one is
    the audited action (``login_unlock``), by username or by address."""

    list_display = ("username", "ip_address", "failures_since_start", "attempt_time", "path_info")
    search_fields = ("username", "ip_address")
    ordering = ("-attempt_time",)
    actions = ["unlock_usernames", "unlock_addresses"]

    def has_unlock_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("axes.delete_accessattempt")

    @admin.action(description=_("解除所选记录的账号锁定"), permissions=["unlock"])
    def unlock_usernames(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        usernames = sorted({u for u in queryset.values_list("username", flat=True) if u is not None})
        for username in usernames:
            login_unlock(username=username, actor=acting_admin(request))
        self.message_user(request, gettext("已解除 %(n)s 个账号的锁定") % {"n": len(usernames)}, messages.SUCCESS)

    @admin.action(description=_("解除所选记录的网络地址锁定"), permissions=["unlock"])
    def unlock_addresses(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        addresses = sorted({a for a in queryset.values_list("ip_address", flat=True) if a})
        for address in addresses:
            login_unlock(address=address, actor=acting_admin(request))
        self.message_user(request, gettext("已解除 %(n)s 个网络地址的锁定") % {"n": len(addresses)}, messages.SUCCESS)


@admin.register(HolidayYear)
class HolidayYearAdmin(AuditedAdmin):
    """The working-day calendar, one row per year from the State Council General Office's notice. The form runs
    the calendar's checks (``HolidayYear.clean``); a save or delete is audited and the clocks count on the new
    calendar at once in this process (``jiliang.core.calendar``)."""

    list_display = ("year", "confidence", "notice", "document_number", "published")
    list_filter = ("confidence",)
    search_fields = ("notice", "document_number", "seen_in")
    ordering = ("-year",)
