"""The indicators' pages, included once at the root by ``jiliang/urls.py``: the home page of each role, the plans and
their dashboards, the evaluation reports and the early-warning center. Each area keeps its URL namespace (``plans``,
``evaluations``, ``warnings``); ``home`` has none."""

from django.urls import include, path

from jiliang.core.web.routes import object_paths

from .views import evaluations, home, plans, warnings

plan_patterns = [
    path("", plans.plan_list, name="list"),
    path("<slug:code>/", plans.plan_detail, name="detail"),
    path("<slug:code>/<slug:indicator>/", plans.indicator_detail, name="indicator"),
]

evaluation_patterns = object_paths(evaluations, "evaluation", "list", "new", "xlsx", "pdf", "publish")

# The early-warning center: /warnings/ (the list) and /warnings/export.xlsx.
warning_patterns = [
    path("", warnings.warning_list, name="list"),
    path("export.xlsx", warnings.warning_export, name="export"),
]

urlpatterns = [
    path("", home.home, name="home"),
    path("plans/", include((plan_patterns, "plans"))),
    path("evaluations/", include((evaluation_patterns, "evaluations"))),
    path("warnings/", include((warning_patterns, "warnings"))),
]
