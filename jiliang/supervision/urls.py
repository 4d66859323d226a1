"""The supervision pages under /supervision/: plans (``supervision:list`` …), their tasks and draws, the item list
and the inspector pool. Included once at the root by ``jiliang/urls.py``."""

from django.urls import include, path

from jiliang.core.web.routes import object_paths

from .views import campaigns, cases, plans, rosters
from .views import inspections as inspection_views  # inspections and rectification (issue 15, Build 3 and 4)

app_name = "supervision"

patterns = [
    path("", plans.plan_list, name="list"),
    path("plans/new/", plans.plan_create, name="create"),
    path("plans/<int:pk>/", plans.plan_detail, name="detail"),
    path("plans/<int:pk>/file/", plans.plan_file, name="file"),
    path("plans/<int:pk>/tasks/new/", plans.task_create, name="task_create"),
    *object_paths(plans, "task", "detail", "commit", "seed", "publish", under="tasks"),
    path("items/", rosters.items, name="items"),
    *object_paths(rosters, "inspector", "list", "create", "detail", "conflict", "active", under="inspectors"),
    # Special campaigns and their dashboards.
    *object_paths(campaigns, "campaign", "list", "create", "detail", under="campaigns"),
    # ---- inspections on the spot and rectification (issue 15, Build 3 and 4) ----
    *object_paths(
        inspection_views,
        "inspection",
        "list",
        "create",
        "detail",
        "findings",
        "instrument",
        "draw",
        "upload",
        "submit",
        "order",
        under="inspections",
    ),
    path("attachments/<int:pk>/", inspection_views.attachment, name="attachment"),
    *object_paths(
        inspection_views, "rectification", "list", "detail", "pdf", "reply", "recheck", under="rectifications"
    ),
    path("mine/", inspection_views.mine, name="mine"),
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
