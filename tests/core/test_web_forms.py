"""core.web.forms.add_domain_errors: a service's refusal on the form that asked for the change."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms
from django.http import Http404

from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.web.forms import DateInput, add_domain_errors, form_save


class _Form(forms.Form):
    name = forms.CharField(required=False)
    verifier = forms.CharField(required=False)


def _form() -> _Form:
    form = _Form({})
    assert form.is_valid()
    return form


def test_an_error_without_fields_goes_on_the_whole_form():
    form = _form()
    add_domain_errors(form, DomainError("不能这样做"))
    assert form.non_field_errors() == ["不能这样做"]
    assert not form.is_valid()


def test_each_message_goes_on_its_field_or_on_the_form_when_the_form_has_no_such_field():
    form = _form()
    add_domain_errors(form, DomainError("输入无效", errors=[("name", "已存在"), ("serial", "太长"), ("", "整体")]))
    assert form.errors["name"] == ["已存在"]
    assert form.non_field_errors() == ["太长", "整体"]


def test_aliases_name_the_forms_field_for_a_services_argument():
    form = _form()
    add_domain_errors(
        form, DomainError("x", errors=[("verifier_id", "资质已过期")]), aliases={"verifier_id": "verifier"}
    )
    assert form.errors["verifier"] == ["资质已过期"]
    unaliased = _form()
    add_domain_errors(unaliased, DomainError("x", errors=[("verifier_id", "资质已过期")]))
    assert unaliased.non_field_errors() == ["资质已过期"]


def test_form_save_calls_the_service_with_the_cleaned_data_of_a_valid_post(rf):
    form = _Form({"name": "张三"})
    saved = form_save(rf.post("/"), form, lambda data: f"saved {data['name']}")
    assert saved is not None and saved.value == "saved 张三"


def test_form_save_saves_nothing_on_a_get_or_an_invalid_form(rf):
    calls = []

    class Required(forms.Form):
        name = forms.CharField()

    assert form_save(rf.get("/"), _Form({"name": "x"}), calls.append) is None
    invalid = Required({})
    assert form_save(rf.post("/"), invalid, calls.append) is None
    assert calls == [] and "name" in invalid.errors


def test_form_save_puts_a_refusal_on_the_form(rf):
    def refuse(data):
        raise DomainError("x", errors=[("verifier_id", "资质已过期")])

    form = _Form({"name": "x"})
    assert form_save(rf.post("/"), form, refuse, aliases={"verifier_id": "verifier"}) is None
    assert form.errors["verifier"] == ["资质已过期"]


def test_form_save_answers_404_for_a_record_gone_or_out_of_scope_when_asked(rf):
    def missing(data):
        raise NotFoundOrForbidden("证书不存在")

    with pytest.raises(Http404, match="证书不存在"):
        form_save(rf.post("/"), _Form({"name": "x"}), missing, missing_is_404=True)
    # Without it, the refusal is the form's like any other.
    form = _Form({"name": "x"})
    assert form_save(rf.post("/"), form, missing) is None
    assert form.non_field_errors() == ["证书不存在"]


def test_date_input_is_the_date_picker_with_an_iso_value():
    html = DateInput(attrs={"class": "short"}).render("day", date(2026, 3, 1))
    assert 'type="date"' in html and 'value="2026-03-01"' in html and 'class="short"' in html
