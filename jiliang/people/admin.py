"""Admin of staff, qualifications and experts. The ID number is entered in full and stored masked, as in the
pages; the admin never shows an input holding the stored value."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from jiliang.core.admin import AuditedAdmin
from jiliang.core.models import Role

from .idnumber import id_number_error, mask_id_number
from .models import Expert, Person, Qualification


class PersonAdminForm(forms.ModelForm):
    id_number = forms.CharField(
        label=_("身份证号"),
        required=False,
        max_length=20,
        help_text=_("输入完整号码以核验；系统只保存前 6 位和后 4 位，其余以 * 代替"),
    )

    class Meta:
        model = Person
        fields = ("organization", "name", "title", "hired_on", "left_on", "phone", "user")
        help_texts = {
            "user": _(
                "本人的登录账号（一人一号）：检定记录的录入、核验和批准只能由本人账号办理；须为本单位的检定机构账号"
            ),
        }

    def clean_id_number(self) -> str:
        value: str = self.cleaned_data["id_number"].strip()
        if value:
            error = id_number_error(value)
            if error:
                raise forms.ValidationError(error)
        return value

    def clean(self) -> dict:
        data = super().clean() or {}
        user, organization = data.get("user"), data.get("organization")
        if user is not None and (
            user.role != Role.INSTITUTE or user.organization_id != getattr(organization, "pk", None)
        ):
            self.add_error("user", _("登录账号须为本单位的检定机构账号"))
        return data

    def save(self, commit: bool = True) -> Person:
        person: Person = super().save(commit=False)
        if self.cleaned_data.get("id_number"):
            person.id_number_masked = mask_id_number(self.cleaned_data["id_number"])
        if commit:
            person.save()
        return person


class QualificationInline(admin.TabularInline):
    model = Qualification
    extra = 0
    fields = ("kind", "grade", "number", "issued_on", "valid_until", "scope_note")


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    form = PersonAdminForm
    list_display = ("name", "organization", "title", "id_number_masked", "hired_on", "left_on")
    list_filter = ("title",)
    search_fields = ("name", "organization__name")
    readonly_fields = ("id_number_masked",)
    autocomplete_fields = ("organization", "user")
    inlines = [QualificationInline]


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin):
    list_display = ("number", "kind", "grade", "person", "issued_on", "valid_until")
    list_filter = ("kind",)
    search_fields = ("number", "person__name")
    filter_horizontal = ("catalog_items", "procedures")
    autocomplete_fields = ("person",)


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "specialties", "joined_on", "active")
    list_filter = ("active",)
    search_fields = ("name", "specialties")
    autocomplete_fields = ("organization", "person")
