"""Forms of the accounts pages: the two login forms that name a lock, the admin's password form through the service,
and the form that issues an API token."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AdminPasswordChangeForm, AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import accounts, login_throttle
from .models import User


class ThrottledLoginForm(AuthenticationForm):
    """When the throttle refused the attempt, say so (which lock, until when, what to do) instead of "wrong
    password": axes' backend marks the request before any password is hashed."""

    def get_invalid_login_error(self) -> ValidationError:
        request = self.request
        if request is not None and getattr(request, "axes_locked_out", False):
            username = self.cleaned_data.get("username")
            lock = login_throttle.current_lock(request, username)
            return ValidationError(login_throttle.lock_message(lock), code="locked")
        return super().get_invalid_login_error()


class LoginForm(ThrottledLoginForm):
    """The site's login form."""


class AdminLoginForm(ThrottledLoginForm, AdminAuthenticationForm):
    """The admin's login form (staff only, as Django's), naming a lock as the site's does."""


# The stubs make the form generic in the user model; Django's class cannot be subscripted at run time.
class AdminPasswordForm(AdminPasswordChangeForm):  # type: ignore[type-arg]
    """The admin's "change password" form, saved through the services so that the change is audited and the user's
    API tokens are revoked with the admin as the actor (the admin's view sets it, see ``UserAdmin``)."""

    def save(self, commit: bool = True) -> User:
        user: User = self.user
        actor = accounts.current_actor()
        if self.cleaned_data["set_usable_password"]:
            accounts.user_set_password(user=user, raw_password=self.cleaned_data["password1"], actor=actor)
        else:
            accounts.user_disable_password(user=user, actor=actor)
        return user


class TokenIssueForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built here, not in the class body, so that the limits are the settings' values when the form is used.
        longest = settings.JILIANG_API_TOKEN_MAX_DAYS
        self.fields["days"] = forms.IntegerField(
            label=_("有效天数"),
            min_value=1,
            max_value=longest,
            initial=settings.JILIANG_API_TOKEN_DAYS,
            help_text=_("1 至 %(max)s 天，到期后令牌自动失效。") % {"max": longest},
        )
