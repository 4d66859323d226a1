"""The standards pages, by area, each under its own URL namespace: ``standards:`` (standards, equipment,
certificates, authorizations), ``trace:`` (a standard's chain up to the SI) and ``coverage:`` (建标覆盖率 and the
capability declarations). A standard's reverse trace and recall list sit under the same /traceability/<id>/ prefix
as verification's ``recall:`` pages.
"""

from django.urls import include, path

from jiliang.core.web.routes import object_paths

from .views import coverage, declarations, standards, traceability

standard_patterns = [
    *object_paths(standards, "standard", "list", "create", "detail", "edit", "status"),
    path("<int:pk>/equipment/new/", standards.equipment_add, name="equipment_add"),
    path("equipment/<int:equipment_pk>/certificates/new/", standards.certificate_add, name="certificate_add"),
    *object_paths(standards, "authorization", "list", "revoke", under="authorizations"),
    path("authorizations/new/", standards.authorization_grant, name="authorization_grant"),
]

trace_patterns = [
    path("<int:pk>/", traceability.chain, name="chain"),
]

coverage_patterns = [
    path("", coverage.coverage, name="index"),
    path("gaps/", coverage.gaps, name="gaps"),
    *object_paths(declarations, "declaration", "list", "detail", under="declarations"),
    # One form for a new declaration and for editing one.
    path("declarations/new/", declarations.declaration_form, name="declaration_new"),
    path("declarations/<int:pk>/edit/", declarations.declaration_form, name="declaration_edit"),
    path("declarations/<int:pk>/<str:action>/", declarations.declaration_action, name="declaration_action"),
]

urlpatterns = [
    path("standards/", include((standard_patterns, "standards"))),
    path("traceability/", include((trace_patterns, "trace"))),
    path("coverage/", include((coverage_patterns, "coverage"))),
]
