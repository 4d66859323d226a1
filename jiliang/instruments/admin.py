from django.contrib import admin

from .models import Instrument


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    """Read-only in the admin: instruments change through the registry's pages, API and services (audited)."""

    list_display = ("serial_number", "name", "owner", "region", "catalog_item", "usage", "status", "due_on")
    list_filter = ("status", "mandatory", "usage", "region")
    search_fields = ("serial_number",)
    list_select_related = ("owner", "region", "catalog_item")
    raw_id_fields = ("owner", "catalog_item", "created_by")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
