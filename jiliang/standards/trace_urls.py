from django.urls import path

from . import views_trace

app_name = "trace"

urlpatterns = [
    path("<int:pk>/", views_trace.chain, name="chain"),
]
