"""The public pages (no login; their views are marked ``login_not_required``), included once at the root by
``jiliang/urls.py``: the certificate check under /check/ (namespace ``portal``) and the disclosure of the plans'
indicators and the published evaluation reports under /open/ (namespace ``disclosure``)."""

from django.urls import include, path

from . import disclosure_views, views

check_patterns = [
    path("", views.check_index, name="index"),
    path("c/<str:token>/", views.check_token, name="token"),
]

disclosure_patterns = [
    path("", disclosure_views.disclosure_index, name="index"),
    path("<int:pk>/", disclosure_views.disclosure_detail, name="detail"),
    path("<int:pk>/report.pdf", disclosure_views.disclosure_pdf, name="pdf"),
    path("<int:pk>/report.xlsx", disclosure_views.disclosure_xlsx, name="xlsx"),
]

urlpatterns = [
    path("check/", include((check_patterns, "portal"))),
    path("open/", include((disclosure_patterns, "disclosure"))),
]
