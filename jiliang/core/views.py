"""Accounts pages: login, password change, and the page where a user manages their own API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import accounts, api_auth
from .errors import DomainError
from .forms import LoginForm, TokenIssueForm


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    """Saves through ``user_set_password``: audited, and the user's API tokens are revoked."""

    template_name = "registration/password_change_form.html"

    def form_valid(self, form):
        revoked = accounts.user_set_password(
            user=form.user, raw_password=form.cleaned_data["new_password1"], actor=self.request.user
        )
        update_session_auth_hash(self.request, form.user)
        if revoked:
            messages.info(
                self.request,
                _("已同时吊销您的 %(n)s 个 API 令牌；如仍需调用接口，请签发新令牌。") % {"n": revoked},
            )
        return HttpResponseRedirect(self.get_success_url())


def _tokens_page(request: HttpRequest, form: TokenIssueForm, new_token: str = "", status: int = 200) -> HttpResponse:
    context = {"rows": list(api_auth.tokens_of(request.user)), "form": form, "new_token": new_token}
    return render(request, "registration/tokens.html", context, status=status)


@require_GET
def token_list(request: HttpRequest) -> HttpResponse:
    return _tokens_page(request, TokenIssueForm())


@never_cache
@require_POST
def token_new(request: HttpRequest) -> HttpResponse:
    """Issue a token and show it on this answer only (not a redirect: the token never enters a URL or the session)."""
    form = TokenIssueForm(request.POST)
    if not form.is_valid():
        return _tokens_page(request, form, status=200)
    try:
        token = api_auth.token_issue(user=request.user, actor=request.user, days=form.cleaned_data["days"])
    except DomainError as exc:
        form.add_error(exc.errors[0][0] if exc.errors else None, exc.message)
        return _tokens_page(request, form)
    return _tokens_page(request, TokenIssueForm(), new_token=token)


@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST revokes. Another user's token answers 404, like a missing one."""
    row = api_auth.token_of(request.user, pk)
    if request.method == "GET":
        return render(request, "registration/token_revoke.html", {"row": row})
    if row.revoked_at is None:
        api_auth.token_revoke(token=row, actor=request.user)
        messages.success(request, _("令牌 %(prefix)s… 已吊销") % {"prefix": row.prefix})
    return redirect("tokens")
