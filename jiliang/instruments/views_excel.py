"""Excel pages: the import template, the import with its progress page, and the export of the filtered list.

Owners, regulators and admins only; an institute gets 404 and an anonymous visitor the login page (middleware).
"""

from __future__ import annotations

import io
import tempfile
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from jiliang.core import clock
from jiliang.core.errors import DomainError
from jiliang.core.models import Organization
from jiliang.core.selectors import organizations_visible_to, scope_of
from jiliang.core.web.http import is_htmx
from jiliang.core.web.xlsx import XLSX

from .excel import build_template, export_xlsx, sheet_row_estimate
from .filters import FILTER_KEYS, parse_filters
from .importing import (
    ImportReport,
    import_job_create,
    import_job_get,
    import_job_progress,
    import_job_run,
    import_job_start,
)
from .models import ImportJob
from .selectors import instrument_list

# Bad rows listed on the status page; the full list is in the job's report (and the API's answer).
SHOWN_ERRORS = 1000
RECENT_JOBS = 10


def _require_registry_user(request: HttpRequest) -> None:
    scope = scope_of(request.user)
    if not (scope.is_owner or scope.is_regulator or scope.is_admin):
        raise Http404(_("页面不存在"))


class ImportForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=gettext_lazy("使用单位"),
        queryset=Organization.objects.none(),
        empty_label=gettext_lazy("请选择使用单位"),
    )
    file = forms.FileField(
        label=gettext_lazy("Excel 文件"),
        help_text=gettext_lazy("按导入模板填写的 .xlsx 文件"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX}),
    )
    partial = forms.BooleanField(
        label=gettext_lazy("只导入正确的行"),
        required=False,
        help_text=gettext_lazy("不勾选时，只要有一行出错就不导入任何数据；勾选后导入正确的行，并列出出错的行。"),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if scope_of(user).is_owner:
            del self.fields["owner"]  # an owner imports for itself
        else:
            self.fields["owner"].queryset = organizations_visible_to(user, kind=Organization.Kind.OWNER).order_by(
                "name"
            )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.JILIANG_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("文件过大（超过 %(mb)s MB），请拆分后分批导入") % {"mb": limit // (1024 * 1024)}
            )
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请选择 .xlsx 格式的 Excel 文件（.xls、.csv 请先在 Excel 中另存为 .xlsx）"))
        return upload


@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    _require_registry_user(request)
    return FileResponse(
        io.BytesIO(build_template()), as_attachment=True, filename=_("计量器具导入模板.xlsx"), content_type=XLSX
    )


@require_http_methods(["GET", "POST"])
def instrument_import(request: HttpRequest) -> HttpResponse:
    _require_registry_user(request)
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_job_create(
                actor=request.user,
                owner=form.cleaned_data.get("owner"),
                upload=upload,
                file_name=upload.name,
                partial=form.cleaned_data["partial"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            rows = sheet_row_estimate(job.file.path)
            if rows is None or rows <= getattr(settings, "JILIANG_IMPORT_INLINE_ROWS", 5000):
                import_job_run(job_id=job.pk)
            else:
                import_job_start(job_id=job.pk)
            return redirect("instruments:import_status", job_id=job.pk)
    jobs = ImportJob.objects.filter(actor=request.user).select_related("owner")[:RECENT_JOBS]
    return render(request, "instruments/import.html", {"form": form, "jobs": jobs})


@require_GET
def import_status(request: HttpRequest, job_id) -> HttpResponse:
    job = import_job_get(request.user, job_id)
    done, total = import_job_progress(job)
    running = job.status in (ImportJob.Status.PENDING, ImportJob.Status.RUNNING)
    report = None if running or not job.report else ImportReport.from_dict(job.report)
    context = {
        "job": job,
        "running": running,
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else 0,
        "report": report,
        "errors": report.errors[:SHOWN_ERRORS] if report else [],
        "hidden_errors": max(0, len(report.errors) - SHOWN_ERRORS) if report else 0,
    }
    template = "instruments/_import_progress.html" if is_htmx(request) else "instruments/import_status.html"
    return render(request, template, context)


@require_GET
def instrument_export(request: HttpRequest) -> HttpResponse:
    _require_registry_user(request)
    filters = parse_filters(request.GET)
    instruments = instrument_list(request.user, filters)
    limit = getattr(settings, "JILIANG_EXPORT_MAX_ROWS", 200_000)
    count = instruments.count()
    if count > limit:
        messages.error(
            request,
            _("符合条件的器具有 %(count)s 台，超过一次导出的上限 %(limit)s 台，请先缩小筛选范围")
            % {"count": count, "limit": limit},
        )
        query = urlencode({k: v for k, v in request.GET.items() if k in FILTER_KEYS and v})
        return redirect(reverse("instruments:list") + (f"?{query}" if query else ""))
    # Rows are streamed from the database into openpyxl's write-only workbook; the file spills to disk when big.
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    export_xlsx(instruments, stream=out)
    out.seek(0)
    name = _("计量器具台账-%(date)s.xlsx") % {"date": clock.today().strftime("%Y%m%d")}
    return FileResponse(out, as_attachment=True, filename=name, content_type=XLSX)
