"""Admin of standards and their kin. Standards, equipment, certificates, authorizations and declarations change
through the pages, API and services (audited), so the admin shows them read-only; external authorities are
reference data with no page of their own and are edited here."""

from __future__ import annotations

from django.contrib import admin

from jiliang.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    Authorization,
    CapabilityDeclaration,
    EquipmentCertificate,
    ExternalAuthority,
    Standard,
    StandardEquipment,
)


class EquipmentInline(ReadOnlyInline):
    model = StandardEquipment
    fields = ("role", "name", "model", "serial_number", "manufacturer")
    extra = 0
    show_change_link = True


@admin.register(Standard)
class StandardAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "holder", "level", "is_public", "is_highest", "status", "certificate_valid_until")
    list_filter = ("level", "status", "is_public", "is_highest")
    search_fields = ("code", "name", "measurand", "certificate_number")
    list_select_related = ("holder",)
    raw_id_fields = ("holder",)
    filter_horizontal = ("catalog_items", "procedures")
    inlines = [EquipmentInline]


class CertificateInline(ReadOnlyInline):
    model = EquipmentCertificate
    fields = ("number", "issuer_standard", "issuer_authority", "issued_on", "valid_until", "result")
    extra = 0


@admin.register(StandardEquipment)
class StandardEquipmentAdmin(ReadOnlyAdmin):
    list_display = ("name", "serial_number", "model", "role", "standard")
    list_filter = ("role",)
    search_fields = ("name", "serial_number", "standard__code")
    list_select_related = ("standard",)
    raw_id_fields = ("standard",)
    inlines = [CertificateInline]


@admin.register(EquipmentCertificate)
class EquipmentCertificateAdmin(ReadOnlyAdmin):
    list_display = ("number", "equipment", "issuer_standard", "issuer_authority", "issued_on", "valid_until")
    search_fields = ("number", "equipment__serial_number")
    list_select_related = ("equipment", "issuer_standard", "issuer_authority")
    raw_id_fields = ("equipment", "issuer_standard", "issuer_authority")
    date_hierarchy = "issued_on"
    show_full_result_count = False


@admin.register(ExternalAuthority)
class ExternalAuthorityAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "traces_to")
    list_filter = ("level",)
    search_fields = ("name",)


@admin.register(Authorization)
class AuthorizationAdmin(ReadOnlyAdmin):
    list_display = ("number", "institute", "issued_by", "valid_from", "valid_until", "revoked_on")
    search_fields = ("number", "institute__name")
    list_select_related = ("institute", "issued_by")
    raw_id_fields = ("institute", "issued_by")
    filter_horizontal = ("catalog_items",)


@admin.register(CapabilityDeclaration)
class CapabilityDeclarationAdmin(ReadOnlyAdmin):
    list_display = ("organization", "status", "submitted_at", "published_at")
    list_filter = ("status",)
    search_fields = ("organization__name",)
    list_select_related = ("organization",)
    raw_id_fields = ("organization",)
