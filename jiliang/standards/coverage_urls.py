from django.urls import path

from . import views_coverage, views_declarations

app_name = "coverage"

urlpatterns = [
    path("", views_coverage.coverage, name="index"),
    path("gaps/", views_coverage.gaps, name="gaps"),
    path("declarations/", views_declarations.declaration_list, name="declarations"),
    path("declarations/new/", views_declarations.declaration_form, name="declaration_new"),
    path("declarations/<int:pk>/", views_declarations.declaration_detail, name="declaration_detail"),
    path("declarations/<int:pk>/edit/", views_declarations.declaration_form, name="declaration_edit"),
    path(
        "declarations/<int:pk>/<str:action>/",
        views_declarations.declaration_action,
        name="declaration_action",
    ),
]
