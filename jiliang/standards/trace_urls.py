from django.urls import path

from . import views_trace

app_name = "trace"

urlpatterns = [
    path("<int:pk>/", views_trace.chain, name="chain"),
    path("<int:pk>/reverse/", views_trace.reverse_trace_page, name="reverse"),
    path("<int:pk>/reverse.xlsx", views_trace.reverse_trace_export, name="reverse_export"),
    path("<int:pk>/recall.xlsx", views_trace.recall_export, name="recall_export"),
]
