from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("<slug:code>/", views.plan_detail, name="detail"),
    path("<slug:code>/<slug:indicator>/", views.indicator_detail, name="indicator"),
]
