"""Certificate pages: list, one certificate, downloads (PDF, signed JSON, DCC-like XML), correction, revocation."""

from django.urls import path

from . import certificate_views as views

app_name = "certificates"

urlpatterns = [
    path("", views.certificate_list, name="list"),
    path("<int:pk>/", views.certificate_detail, name="detail"),
    path("<int:pk>/pdf/", views.certificate_pdf_download, name="pdf"),
    path("<int:pk>/json/", views.certificate_json_download, name="json"),
    path("<int:pk>/xml/", views.certificate_xml_download, name="xml"),
    path("<int:pk>/correct/", views.certificate_correct, name="correct"),
    path("<int:pk>/revoke/", views.certificate_revoke, name="revoke"),
]
