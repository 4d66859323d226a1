"""Pages of 企业计量技术能力自我声明: the owner's list and form, the regulator's review queue, published ones.

Thin: every read through the declarations selectors (scoped), every change through its services. A declaration
the actor may not see, or a form the actor may not use, answers 404 like a missing one.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiliang.core.errors import DomainError
from jiliang.core.selectors import scope_of
from jiliang.core.web.forms import form_save
from jiliang.core.web.http import not_found_as_404

from ..forms.declarations import DeclarationForm
from ..models import CapabilityDeclaration
from ..selectors import declarations as selectors
from ..services import declarations as svc


def _get(request: HttpRequest, pk: int) -> CapabilityDeclaration:
    return selectors.declaration_get(request.user, pk)


@require_GET
def declaration_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    if scope.is_owner and not selectors.may_declare(request.user):
        # An owner without a laboratory has no declarations to keep (and no menu entry to this page).
        raise Http404
    context = {
        "is_owner": scope.is_owner,
        "is_reviewer": scope.is_regulator or scope.is_admin,
        "mine": selectors.declarations_of_owner(request.user)[:200],
        "queue": selectors.declarations_to_review(request.user)[:200],
        "published": selectors.declarations_published(request.user)[:200],
    }
    return render(request, "standards/declaration_list.html", context)


@require_GET
def declaration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = _get(request, pk)
    context = {
        "declaration": declaration,
        "may_edit": selectors.may_edit(request.user, declaration),
        "may_review": selectors.may_review(request.user, declaration),
        "Status": CapabilityDeclaration.Status,
    }
    return render(request, "standards/declaration_detail.html", context)


@require_http_methods(["GET", "POST"])
def declaration_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not selectors.may_declare(request.user):
        raise Http404
    declaration = None
    if pk is not None:
        declaration = _get(request, pk)
        if not selectors.may_edit(request.user, declaration):
            raise Http404
    initial = {}
    if declaration is not None:
        initial = {"items": declaration.items, "standards": declaration.standards, "staff": declaration.staff}
    form = DeclarationForm(request.POST or None, initial=initial)
    saved = form_save(
        request,
        form,
        lambda data: svc.declaration_save_draft(actor=request.user, declaration=declaration, **data),
        missing_is_404=True,
    )
    if saved is not None:
        draft = saved.value
        if "submit" in request.POST:
            # The draft is saved either way; a refused submission is reported on its page.
            return declaration_action(request, draft.pk, "submit")
        messages.success(request, _("草稿已保存"))
        return redirect("coverage:declaration_detail", pk=draft.pk)
    return render(request, "standards/declaration_form.html", {"form": form, "declaration": declaration})


ACTIONS = {
    "submit": (svc.declaration_submit, gettext_lazy("声明已提交，等待监管部门审核")),
    "return": (svc.declaration_return, gettext_lazy("已退回，单位修改后可重新提交")),
    "accept": (svc.declaration_accept, gettext_lazy("审核通过")),
    "publish": (svc.declaration_publish, gettext_lazy("声明已公开")),
}


@require_POST
def declaration_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    declaration = _get(request, pk)
    if action not in ACTIONS:
        raise Http404
    service, done = ACTIONS[action]
    kwargs = {"note": request.POST.get("note", "")} if action in {"return", "accept"} else {}
    try:
        with not_found_as_404():
            service(actor=request.user, declaration=declaration, **kwargs)
            messages.success(request, str(done))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("coverage:declaration_detail", pk=declaration.pk)
