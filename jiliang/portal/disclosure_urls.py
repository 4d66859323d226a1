"""Public disclosure of the plans' indicators and the published evaluation reports (no login)."""

from django.urls import path

from . import disclosure_views as views

app_name = "disclosure"

urlpatterns = [
    path("", views.disclosure_index, name="index"),
    path("<int:pk>/", views.disclosure_detail, name="detail"),
    path("<int:pk>/report.pdf", views.disclosure_pdf, name="pdf"),
    path("<int:pk>/report.xlsx", views.disclosure_xlsx, name="xlsx"),
]
