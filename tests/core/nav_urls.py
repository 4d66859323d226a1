"""A URL configuration of its own for tests/core/test_nav.py: the home page at another address."""

from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("elsewhere/", lambda request: HttpResponse(), name="home")]
