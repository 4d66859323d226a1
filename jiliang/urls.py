from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from jiliang.api import api
from jiliang.core import views as core_views
from jiliang.instruments import views as instrument_views

urlpatterns = [
    path("", instrument_views.home, name="home"),
    path("accounts/login/", core_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", core_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/tokens/", core_views.token_list, name="tokens"),
    path("accounts/tokens/new/", core_views.token_new, name="token_new"),
    path("accounts/tokens/<int:pk>/revoke/", core_views.token_revoke, name="token_revoke"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("instruments/", include("jiliang.instruments.urls")),
    path("people/", include("jiliang.people.urls")),
    path("", include("jiliang.standards.urls")),
    path("", include("jiliang.verification.urls")),
    path("notices/", include("jiliang.notices.urls")),
    path("plans/", include("jiliang.indicators.urls")),
    path("evaluations/", include("jiliang.indicators.evaluation_urls")),
    path("warnings/", include("jiliang.indicators.warning_urls")),
    # The public portal: no login (its views are marked login_not_required).
    path("check/", include("jiliang.portal.urls")),
    path("open/", include("jiliang.portal.disclosure_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
