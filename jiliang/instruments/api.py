"""The instrument registry over HTTP: ``/api/v1/instruments``. Thin: parse, call one selector or service, serialize.

Pagination is our own ``{count, page, page_size, items}`` (``page`` from 1, ``page_size`` at most 500); a page past
the end is empty, not an error. Errors use the one shape of ``jiliang.api``.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Query, Router, Status
from ninja.files import UploadedFile

from jiliang.catalog.models import CatalogItem
from jiliang.core.errors import DomainError
from jiliang.core.web.http import page_out
from jiliang.core.web.schemas import ERRORS, MAX_ID, ErrorOut

from . import importing, selectors, services
from .filters import FILTER_KEYS, parse_filters
from .schemas import (
    ImportErrorOut,
    ImportForm,
    ImportReportOut,
    InstrumentIn,
    InstrumentListQuery,
    InstrumentOut,
    InstrumentPageOut,
)

router = Router(tags=["instruments"])

# A request with a body can also be unparseable (400) or over the upload limit (413).
BODY_ERRORS = {400: ErrorOut, 413: ErrorOut, **ERRORS}


def _filters(query: InstrumentListQuery) -> selectors.InstrumentFilters:
    """The list filters, parsed by the same function as the list page, from the values the schema validated.

    (Parsing the raw query string instead would let the two disagree: pydantic reads "100.0" as 100, int() does not.)
    """
    values = {key: getattr(query, key) for key in FILTER_KEYS}
    params = {key: str(v).lower() if isinstance(v, bool) else str(v) for key, v in values.items() if v is not None}
    filters = parse_filters(params)
    if filters.errors:  # not expected once the schema has validated the values; never drop a filter silently
        raise DomainError(_("筛选条件无效"), errors=[("", message) for message in filters.errors])
    return filters


def _catalog_item(pk: int | None) -> CatalogItem | None:
    # The catalog is public reference data (the published national catalog): no scope to apply.
    if pk is None:
        return None
    item = CatalogItem.objects.filter(pk=pk).first()
    if item is None:
        raise DomainError(_("目录条目不存在"), field="catalog_item")
    return item


@router.get("/instruments", response={200: InstrumentPageOut, **ERRORS}, summary="计量器具列表 / list instruments")
def instrument_list(request: HttpRequest, query: Query[InstrumentListQuery]):
    qs = selectors.instrument_list(request.auth, _filters(query)).select_related("owner", "region", "catalog_item")
    qs = qs.with_last_verified_on()
    return page_out(query, qs, InstrumentOut.from_instrument)


@router.post(
    "/instruments",
    response={201: InstrumentOut, 409: ErrorOut, **BODY_ERRORS},
    summary="登记计量器具 / register an instrument",
)
def instrument_create(request: HttpRequest, payload: InstrumentIn):
    data = payload.model_dump(exclude={"owner", "catalog_item"})
    if data["registered_on"] is None:
        del data["registered_on"]
    instrument = services.instrument_create(
        actor=request.auth, owner=payload.owner, catalog_item=_catalog_item(payload.catalog_item), **data
    )
    return Status(201, InstrumentOut.from_instrument(selectors.instrument_get(request.auth, instrument.pk)))


# Row errors repeated in the error shape's ``errors``; the report beside it always carries every one of them.
IMPORT_ERRORS_LISTED = 100


def _import_errors(report: importing.ImportReport) -> list[dict[str, str]]:
    if report.file_error:
        return [{"field": "file", "message": report.file_error}]
    listed = [
        {
            "field": "file",
            "message": _("第 %(row)s 行“%(column)s”：%(reason)s")
            % {"row": e.row, "column": e.column, "reason": e.reason},
        }
        for e in report.errors[:IMPORT_ERRORS_LISTED]
    ]
    if len(report.errors) > IMPORT_ERRORS_LISTED:
        more = len(report.errors) - IMPORT_ERRORS_LISTED
        listed.append({"field": "file", "message": _("另有 %(n)s 处错误，见 report.errors") % {"n": more}})
    return listed


@router.post(
    "/instruments/import",
    response={**BODY_ERRORS, 200: ImportReportOut, 422: ImportErrorOut | ErrorOut},
    summary="从 Excel 导入计量器具 / import instruments from .xlsx",
    description=(
        "默认全部或全不：有错行则不保存任何数据，422 并返回每个错行。partial=true 时保存正确的行，200 并报告错行。"
        " / All-or-nothing by default: any bad row and nothing is saved (422, with every bad row). With"
        " partial=true the good rows are saved (200, the bad ones reported). 422 whenever nothing was saved."
    ),
)
def instrument_import(request: HttpRequest, file: File[UploadedFile], form: Form[ImportForm]):
    report = importing.instruments_import(
        actor=request.auth, owner=form.owner, file=file, partial=form.partial, file_name=file.name or ""
    )
    if report.committed:
        return report.as_dict()
    detail = report.file_error or _("导入失败，未保存任何数据")
    return Status(422, {"detail": detail, "errors": _import_errors(report), "report": report.as_dict()})


# Declared after /instruments/import, so that "import" is never taken for an instrument id.
@router.get("/instruments/{instrument_id}", response={200: InstrumentOut, **ERRORS}, summary="计量器具详情")
def instrument_detail(request: HttpRequest, instrument_id: int = Path(..., ge=1, le=MAX_ID)):
    return InstrumentOut.from_instrument(selectors.instrument_get(request.auth, instrument_id))
