"""The one window's pages: /requests/ (list, inbox), /requests/new/, /requests/<id>/, /requests/<id>/<action>/."""

from django.urls import path

from . import request_views as views

app_name = "requests"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_new, name="new"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.request_action, name="action"),
]
