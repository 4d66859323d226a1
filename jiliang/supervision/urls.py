"""The supervision pages under /supervision/: plans (``supervision:list`` …), their tasks and draws, the item list
and the inspector pool. Included once at the root by ``jiliang/urls.py``."""

from django.urls import include, path

from jiliang.core.web.routes import object_paths

from .views import cases, plans, rosters

app_name = "supervision"

patterns = [
    path("", plans.plan_list, name="list"),
    path("plans/new/", plans.plan_create, name="create"),
    path("plans/<int:pk>/", plans.plan_detail, name="detail"),
    path("plans/<int:pk>/file/", plans.plan_file, name="file"),
    path("plans/<int:pk>/tasks/new/", plans.task_create, name="task_create"),
    *object_paths(plans, "task", "detail", "commit", "seed", under="tasks"),
    path("items/", rosters.items, name="items"),
    *object_paths(rosters, "inspector", "list", "create", "detail", "conflict", "active", under="inspectors"),
    # cases (行政处罚案件): supervision:cases, case_create, case_detail, case_<act>, case_document
    *object_paths(
        cases,
        "case",
        "list",
        "create",
        "detail",
        "not_file",
        "file",
        "extend",
        "pause",
        "resume",
        "review",
        "notify",
        "hearing",
        "decide",
        "serve",
        "pay",
        "close",
        "revoke",
        under="cases",
    ),
    path("cases/documents/<int:pk>.pdf", cases.case_document, name="case_document"),
    path("cases/documents/<int:pk>/correct/", cases.case_document_correct, name="case_document_correct"),
]

urlpatterns = [path("supervision/", include(patterns))]
