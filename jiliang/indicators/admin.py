"""Admin of plans and entered figures. A city adds its own plans (with their indicators inline) here; every save
and delete, including each inline indicator, is audited in the same transaction. Entered figures are added,
never changed or deleted: a correction is a new entry that names the one it corrects."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import ForeignKey, Model
from django.forms import BaseModelFormSet, ModelChoiceField, ModelForm
from django.http import HttpRequest

from jiliang.core import audit
from jiliang.core.admin import AuditedAdmin, acting_admin, field_values

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
        "clause_quote_original",
    )
    extra = 0


@admin.register(Plan)
class PlanAdmin(AuditedAdmin):
    list_display = ("code", "name", "region", "period_start", "period_end", "source_issuer")
    list_filter = ("region",)
    search_fields = ("code", "name", "name_en", "source_title")
    list_select_related = ("region",)
    inlines = [IndicatorInline]

    def save_formset(
        self, request: HttpRequest, form: ModelForm[Plan], formset: BaseModelFormSet[Any, Any], change: bool
    ) -> None:
        """Audit each inline indicator added, changed or deleted, in the same transaction as the write."""
        actor = acting_admin(request)
        with transaction.atomic():
            before = {
                obj.pk: field_values(type(obj).objects.get(pk=obj.pk))
                for obj in (f.instance for f in formset.forms)
                if obj.pk is not None
            }
            instances = formset.save(commit=False)
            for obj in formset.deleted_objects:
                audit.record(actor=actor, action="indicators.indicator.delete", obj=obj, changes=before.get(obj.pk, {}))
                obj.delete()
            for obj in instances:
                created = obj.pk is None
                obj.save()
                audit.record(
                    actor=actor,
                    action=f"indicators.indicator.{'create' if created else 'update'}",
                    obj=obj,
                    changes=audit.diff(
                        {} if created else before.get(obj.pk, {}), field_values(type(obj).objects.get(pk=obj.pk))
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

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name == "indicator":
            kwargs["queryset"] = Indicator.objects.select_related("plan").filter(definition__in=ENTERED_DEFINITIONS)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: EnteredFigure, form: ModelForm[Any], change: bool) -> None:
        obj.entered_by = acting_admin(request)
        super().save_model(request, obj, form, change)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
