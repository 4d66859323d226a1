"""Admin of plans and entered figures. A city adds its own plans (with their indicators inline) here; every save
and delete, including each inline indicator, is audited in the same transaction. Entered figures are added,
never changed or deleted: a correction is a new entry that names the one it corrects."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction

from jiliang.core import audit
from jiliang.core.admin import AuditedAdmin, _plain

from .models import ENTERED_DEFINITIONS, EnteredFigure, Indicator, Plan


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fields = (
        "order",
        "code",
        "name",
        "name_en",
        "definition",
        "comparator",
        "target",
        "unit",
        "deadline",
        "clause",
        "clause_quote",
    )
    extra = 0


@admin.register(Plan)
class PlanAdmin(AuditedAdmin):
    list_display = ("code", "name", "region", "period_start", "period_end", "source_issuer")
    list_filter = ("region",)
    search_fields = ("code", "name", "name_en", "source_title")
    list_select_related = ("region",)
    inlines = [IndicatorInline]

    def save_formset(self, request, form, formset, change):
        """Audit each inline indicator added, changed or deleted, in the same transaction as the write."""
        with transaction.atomic():
            before = {
                obj.pk: _plain(type(obj).objects.get(pk=obj.pk))
                for obj in (f.instance for f in formset.forms)
                if obj.pk is not None
            }
            instances = formset.save(commit=False)
            for obj in formset.deleted_objects:
                audit.record(
                    actor=request.user, action="indicators.indicator.delete", obj=obj, changes=before.get(obj.pk, {})
                )
                obj.delete()
            for obj in instances:
                created = obj.pk is None
                obj.save()
                audit.record(
                    actor=request.user,
                    action=f"indicators.indicator.{'create' if created else 'update'}",
                    obj=obj,
                    changes=audit.diff(
                        {} if created else before.get(obj.pk, {}), _plain(type(obj).objects.get(pk=obj.pk))
                    ),
                )
            formset.save_m2m()


@admin.register(EnteredFigure)
class EnteredFigureAdmin(AuditedAdmin):
    list_display = ("indicator", "region", "value", "as_of", "source_title", "source_date", "entered_by", "entered_at")
    list_filter = ("indicator__plan", "region")
    search_fields = ("indicator__name", "indicator__code", "source_title")
    list_select_related = ("indicator__plan", "region", "entered_by")
    raw_id_fields = ("corrects",)
    fields = ("indicator", "region", "value", "as_of", "source_title", "source_date", "corrects", "note")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "indicator":
            kwargs["queryset"] = Indicator.objects.select_related("plan").filter(definition__in=ENTERED_DEFINITIONS)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False
