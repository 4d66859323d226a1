"""Forms of the accounts pages: the two login forms that name a lock."""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from . import login_throttle


class ThrottledLoginMixin:
    """When the throttle refused the attempt, say so (which lock, until when, what to do) instead of "wrong
    password": axes' backend marks the request before any password is hashed."""

    def get_invalid_login_error(self) -> ValidationError:
        request = self.request  # type: ignore[attr-defined]
        if request is not None and getattr(request, "axes_locked_out", False):
            username = self.cleaned_data.get("username")  # type: ignore[attr-defined]
            lock = login_throttle.current_lock(request, username)
            return ValidationError(login_throttle.lock_message(lock), code="locked")
        return super().get_invalid_login_error()  # type: ignore[misc]


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass
