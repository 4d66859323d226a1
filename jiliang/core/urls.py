"""The accounts' pages (log in and out, the password, API tokens) and the language switch, included once at the root
by ``jiliang/urls.py``. The names have no namespace (``login``, ``logout``, ``password_change``, ``tokens``,
``set_language`` …): Django's auth settings and templates refer to them by these names."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.i18n import set_language

from . import views

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/tokens/", views.token_list, name="tokens"),
    path("accounts/tokens/new/", views.token_new, name="token_new"),
    path("accounts/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
]
