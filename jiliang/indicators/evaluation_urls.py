from django.urls import path

from . import evaluation_views as views

app_name = "evaluations"

urlpatterns = [
    path("", views.evaluation_list, name="list"),
    path("new/", views.evaluation_new, name="new"),
    path("<int:pk>/report.xlsx", views.evaluation_xlsx, name="xlsx"),
    path("<int:pk>/report.pdf", views.evaluation_pdf, name="pdf"),
    path("<int:pk>/publish/", views.evaluation_publish, name="publish"),
]
