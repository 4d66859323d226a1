from __future__ import annotations

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from jiliang.core.admin import acting_admin

from .models import CatalogItem
from .services import catalog_item_save


@admin.register(CatalogItem)
class CatalogItemAdmin(SimpleHistoryAdmin):  # type: ignore[misc]  # simple_history ships no type hints
    list_display = ("code", "item", "kind", "supervision", "usages", "mode", "interval_months", "confidence_badge")
    list_filter = ("supervision", "mode", "confidence", "key_controlled", "active")
    search_fields = ("code", "item", "kind", "procedure")

    class Media:
        # The badge colours (a style attribute would be refused by the Content-Security-Policy).
        css = {"all": ["css/admin.css"]}

    @admin.display(description=_("可信度"), ordering="confidence")
    def confidence_badge(self, obj: CatalogItem) -> str:
        return format_html('<span class="confidence-{}">{}</span>', obj.confidence, obj.get_confidence_display())

    def save_model(self, request: HttpRequest, obj: CatalogItem, form: ModelForm[CatalogItem], change: bool) -> None:
        catalog_item_save(actor=acting_admin(request), item=obj, reason="admin")

    def has_delete_permission(self, request: HttpRequest, obj: CatalogItem | None = None) -> bool:
        # Rows are retired (active = False), never deleted: instruments and history point at them.
        return False
