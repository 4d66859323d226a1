"""The verification pages, by area, each under its own URL namespace (``requests:``, ``records:``,
``certificates:``, ``recall:``).

- the one window: /requests/ (list, inbox), /requests/new/, /requests/<id>/, /requests/<id>/<action>/;
- recording a verification by three people: /records/new/ (the verifier's form), /records/<id>/ (the draft, where the
  checker checks or returns and the approver approves), /records/<id>/edit/, /records/<id>/<action>/, /records/preview/;
- certificates: list, one certificate, downloads (PDF, signed JSON, DCC-like XML), correction, revocation;
- a standard's reverse trace and recall list: /traceability/<id>/reverse/ and its two .xlsx exports (beside the
  standard's chain, which is the standards app's /traceability/<id>/).
"""

from django.urls import include, path

from jiliang.core.web.routes import object_paths

from .views import certificates, recall, records, requests

request_patterns = [
    *object_paths(requests, "request", "list", "new", "detail"),
    path("<int:pk>/<slug:action>/", requests.request_action, name="action"),
]

record_patterns = [
    path("new/", records.record_new, name="new"),
    path("preview/", records.record_preview, name="preview"),
    path("<int:pk>/", records.draft_detail, name="draft"),
    path("<int:pk>/edit/", records.draft_edit, name="edit"),
    path("<int:pk>/<slug:action>/", records.draft_action, name="action"),
]

certificate_patterns = [
    *object_paths(certificates, "certificate", "list", "detail"),
    path("<int:pk>/pdf/", certificates.certificate_pdf_download, name="pdf"),
    path("<int:pk>/json/", certificates.certificate_json_download, name="json"),
    path("<int:pk>/xml/", certificates.certificate_xml_download, name="xml"),
    *object_paths(certificates, "certificate", "correct", "revoke"),
]

recall_patterns = [
    path("<int:pk>/reverse/", recall.reverse_trace_page, name="reverse"),
    path("<int:pk>/reverse.xlsx", recall.reverse_trace_export, name="reverse_export"),
    path("<int:pk>/recall.xlsx", recall.recall_export, name="export"),
]

urlpatterns = [
    path("requests/", include((request_patterns, "requests"))),
    path("records/", include((record_patterns, "records"))),
    path("certificates/", include((certificate_patterns, "certificates"))),
    path("traceability/", include((recall_patterns, "recall"))),
]
