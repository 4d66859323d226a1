"""The public pages (no login; their views are marked ``login_not_required``), included once at the root by
``jiliang/urls.py``: the certificate check under /check/ (namespace ``portal``) and the disclosure of the plans'
indicators and the published evaluation reports under /open/ (namespace ``disclosure``), and the public draws of
spot-check tasks under /open/draws/ (namespace ``draws``)."""

from django.urls import include, path

from jiliang.core.web.routes import object_paths

from . import decisions_views, disclosure_views, supervision_views, views

check_patterns = [
    *object_paths(views, "check", "index"),
    path("c/<str:token>/", views.check_token, name="token"),
    path("i/<str:key>/", views.check_instrument, name="instrument"),
]

disclosure_patterns = object_paths(disclosure_views, "disclosure", "index", "detail", "pdf", "xlsx")

draw_patterns = [
    *object_paths(supervision_views, "draws", "index", "detail"),
    path("round/<int:pk>.json", supervision_views.draws_json, name="json"),
    path("results/", supervision_views.draws_results, name="results"),
    path("recompute_draw.py", supervision_views.draws_script, name="script"),
]

# The published penalty decisions under /open/decisions/ (namespace ``decisions``).
decision_patterns = [
    *object_paths(decisions_views, "decisions", "index", "detail"),
    path("export.xlsx", decisions_views.decisions_export, name="export"),
]

urlpatterns = [
    path("check/", include((check_patterns, "portal"))),
    path("open/draws/", include((draw_patterns, "draws"))),
    path("open/decisions/", include((decision_patterns, "decisions"))),
    path("open/", include((disclosure_patterns, "disclosure"))),
]
