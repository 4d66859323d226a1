"""The recall list as an .xlsx (召回清单): the instrument certificates and the equipment certificates the reader reads
in full, one sheet each, and the other institutes' certificates counted; the reverse-traceability export uses its
equipment columns. Who reads what is the rule of :mod:`jiliang.verification.selectors.recall`. Every text cell is
neutralised, so no cell is ever read as a formula.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from jiliang.core.web.xlsx import BOLD, HEADER_FILL, cell, styled, write_sheet
from jiliang.standards.models import EquipmentCertificate
from jiliang.standards.selectors.traceability import load_certificates

from ..selectors.recall import CHUNK, InstituteCount, Recall, RecallRow

EQUIPMENT_WIDTHS = (18, 12, 12, 30, 20, 14, 26, 14, 24, 10)


def instrument_headers() -> list[str]:
    return [
        _("证书编号"),
        _("证书类别"),
        _("证书状态"),
        _("签发日期"),
        _("有效期至"),
        _("器具名称"),
        _("出厂编号"),
        _("使用单位"),
        _("统一社会信用代码"),
        _("所属区域"),
        _("使用的计量标准"),
        _("标准代码"),
        _("溯源路径"),
        _("检定机构"),
        _("检定日期"),
    ]


def instrument_values(row: RecallRow) -> list[Any]:
    c = row.certificate
    return [
        c.number,
        c.get_kind_display(),
        row.status_label,
        c.issued_on,
        c.valid_until,
        c.instrument.name,
        c.instrument.serial_number,
        c.owner.name,
        c.owner.credit_code,
        c.region.name,
        row.standard.name,
        row.standard.code,
        row.path_label,
        c.institute.name,
        row.used_on,
    ]


def equipment_headers() -> list[str]:
    return [
        _("证书编号"),
        _("发证日期"),
        _("有效期至"),
        _("出具证书的计量标准"),
        _("被检标准设备"),
        _("出厂编号"),
        _("所属计量标准"),
        _("标准代码"),
        _("建标单位"),
        _("结论"),
    ]


def equipment_values(c: EquipmentCertificate) -> list[Any]:
    holder_standard = c.equipment.standard
    issuer = c.issuer_standard
    return [
        c.number,
        c.issued_on,
        c.valid_until,
        f"{issuer.name}（{issuer.code}）" if issuer else str(c.issuer_authority or ""),
        c.equipment.name,
        c.equipment.serial_number,
        holder_standard.name,
        holder_standard.code,
        holder_standard.holder.name,
        c.result,
    ]


def others_headers() -> list[str]:
    return [_("检定机构"), _("器具证书数"), _("标准设备证书数")]


def others_values(o: InstituteCount) -> list[Any]:
    return [o.name, o.instrument_count, o.equipment_count]


def recall_filename(r: Recall) -> str:
    return _("召回清单-%(code)s-%(start)s-%(end)s.xlsx") % {
        "code": r.standard.code,
        "start": r.date_from.isoformat(),
        "end": r.date_to.isoformat(),
    }


def write_recall_xlsx(r: Recall, out: IO[bytes], *, generated_at: datetime) -> None:
    """The recall list as an .xlsx (write-only mode: rows stream out, memory stays flat): sheet 器具证书 then sheet
    标准设备证书, each with a title row (the standard, the period, the generation time, how many are listed of how
    many), a header row, the rows the reader reads in full; then, when some are only counted, sheet 其他机构（仅计数）
    with one row per institute. Every text cell is neutralised (never a formula)."""
    workbook = Workbook(write_only=True)
    title = _("%(standard)s（%(code)s）召回清单：%(start)s 至 %(end)s；生成时间 %(at)s") % {
        "standard": r.standard.name,
        "code": r.standard.code,
        "start": r.date_from.isoformat(),
        "end": r.date_to.isoformat(),
        "at": generated_at.strftime("%Y-%m-%d %H:%M"),
    }
    others_sheet = _("其他机构（仅计数）")

    def counted(listed: int, total: int) -> str:
        if listed == total:
            return _("（共 %(n)s 份）") % {"n": total}
        return _("（共 %(total)s 份，本表列出 %(n)s 份；其余 %(rest)s 份由其他机构出具，仅计数，见“%(sheet)s”）") % {
            "total": total,
            "n": listed,
            "rest": total - listed,
            "sheet": others_sheet,
        }

    def sheet(name: str, headers: list[str], widths: tuple[int, ...], note: str, rows: Iterable[list[Any]]) -> None:
        write_sheet(
            workbook, name, title=title + note, headers=headers, rows=rows, header_fill=HEADER_FILL, widths=widths
        )

    sheet(
        _("器具证书"),
        instrument_headers(),
        (20, 14, 10, 12, 12, 20, 16, 28, 20, 12, 26, 14, 36, 24, 12),
        counted(r.listed_instrument_count, r.instrument_count),
        (instrument_values(row) for row in r.iter_instrument_rows(today=generated_at.date())),
    )
    equipment_ids = r.equipment_ids

    def equipment_rows() -> Iterator[list[Any]]:
        for i in range(0, len(equipment_ids), CHUNK):
            for c in load_certificates(equipment_ids[i : i + CHUNK]):
                yield equipment_values(c)

    sheet(
        _("标准设备证书"),
        equipment_headers(),
        EQUIPMENT_WIDTHS,
        counted(r.listed_equipment_count, r.equipment_count),
        equipment_rows(),
    )
    if r.others:
        sheet(
            others_sheet,
            others_headers(),
            (36, 16, 18),
            _("（其他机构出具的证书，仅计数）"),
            (others_values(o) for o in r.others),
        )
    workbook.save(out)


def write_reverse_trace_xlsx(
    r: Recall, out: IO[bytes], *, certificates: Iterable[EquipmentCertificate], others: list[InstituteCount]
) -> None:
    """The reverse traceability of ``r.standard`` as an .xlsx: one sheet with a title row, the equipment
    certificates' header and rows, and below them the other institutes' certificates, counted."""
    workbook = Workbook(write_only=True)
    title = _("%(standard)s 在 %(start)s 至 %(end)s 期间出具及向下传递的溯源证书（共 %(n)s 份）") % {
        "standard": str(r.standard),
        "start": r.date_from.isoformat(),
        "end": r.date_to.isoformat(),
        "n": r.equipment_count,
    }
    sheet = write_sheet(
        workbook,
        _("反向溯源"),
        title=title,
        headers=equipment_headers(),
        rows=(equipment_values(c) for c in certificates),
        header_fill=HEADER_FILL,
        widths=EQUIPMENT_WIDTHS,
    )
    if others:
        # Below the rows: the other institutes' certificates, counted (the reader may not see them row by row).
        sheet.append([])
        sheet.append([styled(sheet, _("其他机构出具的证书（仅计数）"), font=BOLD)])
        sheet.append([cell(_("检定机构")), cell(_("标准设备证书数"))])
        for o in others:
            sheet.append([cell(o.name), o.equipment_count])
    workbook.save(out)
