"""The printable certificate: a PDF in the layout Chinese verification institutes use.

Page 1 (the cover): the title (检定证书 / 检定结果通知书 / 校准证书), the number, the owner, the instrument, the
procedure, the conclusion, the three signatories, the dates, the institute with a place for its seal, and a QR code
that opens the public check page. Page 2 on: the standards used with their certificate numbers, the environment, the
readings (with U and k for a calibration), a superseding certificate's "本证书替代 …", and the statements.

Everything printed comes from ``certificate.document`` — the canonical document that was signed — plus the token
(for the QR code) and the certificate's standing today (a revoked or superseded certificate is overprinted), so the
PDF never says anything the signature does not cover.

The font, ink and A4 document are every PDF's (``jiliang.core.web.pdf``). The PDF is always in Chinese (the legal
form of the certificate), whatever the reader's language.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from jiliang.core import clock
from jiliang.core.web.pdf import FONT, FONT_BOLD, INK, MUTED, PAGE_H, PAGE_W, a4_document, esc
from jiliang.core.web.qr import draw as _draw_qr

from ..models import Certificate
from ..selectors.certificates import CertificateStatus, certificate_status
from .documents import humidity_text, mpe_rule_text, public_check_url, temperature_text

MARGIN = 20 * mm
RULE = colors.HexColor("#9aa3af")


def _titles() -> dict[str, str]:
    return {
        Certificate.Kind.VERIFICATION: _("检定证书"),
        Certificate.Kind.FAILURE_NOTICE: _("检定结果通知书"),
        Certificate.Kind.CALIBRATION: _("校准证书"),
    }


def title_of(kind: str) -> str:
    return _titles().get(kind, _("证书"))


def _cn_date(value: str | None) -> str:
    if not value:
        return "—"
    d = date.fromisoformat(value)
    return _("%(y)d 年 %(m)02d 月 %(d)02d 日") % {"y": d.year, "m": d.month, "d": d.day}


def _text(value: Any) -> str:
    return str(value) if value not in (None, "") else "—"


def _esc(value: Any) -> str:
    return esc(_text(value))


class _Labels:
    """Words that differ between a verification (检定) and a calibration (校准)."""

    def __init__(self, kind: str) -> None:
        calibration = kind == Certificate.Kind.CALIBRATION
        self.calibration = calibration
        self.basis = _("校准依据") if calibration else _("检定依据")
        self.day = _("校准日期") if calibration else _("检定日期")
        self.operator = _("校准员") if calibration else _("检定员")
        self.seal = _("（校准专用章）") if calibration else _("（检定专用章）")
        self.results = _("校准结果") if calibration else _("检定结果")
        self.point = _("校准点") if calibration else _("检定点")
        self.standards = _("本次校准所使用的计量标准") if calibration else _("本次检定所使用的计量标准")
        self.environment = _("校准环境条件") if calibration else _("检定环境条件")
        self.data = _("校准数据") if calibration else _("检定数据")


def _conclusion(doc: dict[str, Any]) -> str:
    conclusion = (doc.get("results") or {}).get("conclusion")
    if conclusion == "pass":
        return _("合格")
    if conclusion == "fail":
        return _("不合格")
    return _("见校准结果（续页）")


def _instrument_model(instrument: dict[str, Any]) -> str:
    parts = [instrument.get("model"), instrument.get("measuring_range"), instrument.get("accuracy_class")]
    return "  ".join(p for p in parts if p) or "—"


def _signed(name: Any, moment: Any) -> str:
    """A signatory and, from document version 2, when they signed: "王检定  2026-12-07 10:31"."""
    if not moment:
        return _text(name)
    return f"{_text(name)}  {str(moment)[:16].replace('T', ' ')}"


def _procedure(doc: dict[str, Any]) -> str:
    procedure = doc.get("procedure")
    if not procedure:
        return "—"
    return f"{procedure.get('code', '')} {procedure.get('name', '')}".strip()


def _overprint(status: str) -> str:
    return {
        CertificateStatus.REVOKED: _("已撤销"),
        CertificateStatus.SUPERSEDED: _("已被替代"),
    }.get(status, "")


# ---- drawing helpers ----------------------------------------------------------------------------------------------


def _fit(text: str, font: str, size: float, width: float, minimum: float = 7) -> float:
    """The largest size not above ``size`` (down to ``minimum``) at which ``text`` fits in ``width``."""
    while size > minimum and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _draw_watermark(c: pdfcanvas.Canvas, text: str) -> None:
    if not text:
        return
    c.saveState()
    c.setFillColor(colors.Color(0.85, 0.1, 0.1, alpha=0.18))
    c.setFont(FONT_BOLD, 90)
    c.translate(PAGE_W / 2, PAGE_H / 2)
    c.rotate(35)
    c.drawCentredString(0, -30, text)
    c.restoreState()


def _spaced_title(c: pdfcanvas.Canvas, text: str, y: float, size: float) -> None:
    space = size * (0.6 if len(text) <= 4 else 0.25)
    width = pdfmetrics.stringWidth(text, FONT_BOLD, size) + space * (len(text) - 1)
    c.setFont(FONT_BOLD, size)
    c.drawString((PAGE_W - width) / 2, y, text, charSpace=space)


class _Cover:
    """Draws page 1 directly on the canvas."""

    def __init__(self, doc: dict[str, Any], url: str, status: str) -> None:
        self.doc = doc
        self.url = url
        self.status = status
        self.labels = _Labels(doc.get("kind", ""))

    def draw(self, c: pdfcanvas.Canvas) -> None:
        doc, labels = self.doc, self.labels
        institute = doc.get("institute") or {}
        owner = doc.get("owner") or {}
        instrument = doc.get("instrument") or {}
        signatories = doc.get("signatories") or {}
        signed_at = doc.get("signed_at") or {}
        c.setFillColor(INK)

        # Institute at the top, the title large and centred, the number under it.
        size = _fit(_text(institute.get("name")), FONT, 13, PAGE_W - 2 * MARGIN)
        c.setFont(FONT, size)
        c.drawCentredString(PAGE_W / 2, PAGE_H - 28 * mm, _text(institute.get("name")))
        _spaced_title(c, title_of(doc.get("kind", "")), PAGE_H - 58 * mm, 32)
        c.setFont(FONT, 12)
        c.drawCentredString(PAGE_W / 2, PAGE_H - 72 * mm, _("证书编号：%(number)s") % {"number": doc.get("number")})
        if doc.get("supersedes"):
            c.setFont(FONT, 9.5)
            c.setFillColor(MUTED)
            c.drawCentredString(
                PAGE_W / 2, PAGE_H - 79 * mm, _("本证书替代 %(number)s") % {"number": doc["supersedes"]}
            )
            c.setFillColor(INK)

        # The fields, label left and value on an underline.
        rows = [
            (_("送检单位"), owner.get("name")),
            (_("计量器具名称"), instrument.get("name")),
            (_("型号规格"), _instrument_model(instrument)),
            (_("出厂编号"), instrument.get("serial_number")),
            (_("制造单位"), instrument.get("manufacturer")),
            (labels.basis, _procedure(doc)),
        ]
        if not labels.calibration:
            rows.append((_("检定结论"), _conclusion(doc)))
        label_x, value_x, right = 32 * mm, 66 * mm, PAGE_W - 32 * mm
        y = PAGE_H - 98 * mm
        for label, value in rows:
            self._field(c, label, _text(value), label_x, value_x, right, y, bold=label == _("检定结论"))
            y -= 12 * mm

        # Signatories (left) and the seal (right), then the dates.
        y -= 4 * mm
        sign_right = 112 * mm
        for label, role in ((_("批准人"), "approver"), (_("核验员"), "checker"), (labels.operator, "verifier")):
            self._field(c, label, _signed(signatories.get(role), signed_at.get(role)), label_x, value_x, sign_right, y)
            y -= 11 * mm
        seal_top = y + 33 * mm + 6 * mm
        self._seal(c, 126 * mm, seal_top - 42 * mm, 52 * mm, 42 * mm, institute.get("name"))

        y -= 3 * mm
        self._field(c, labels.day, _cn_date(doc.get("performed_on")), label_x, value_x, sign_right, y)
        if doc.get("valid_until"):
            y -= 11 * mm
            self._field(c, _("有效期至"), _cn_date(doc.get("valid_until")), label_x, value_x, sign_right, y)

        # Bottom: the institute's details left, the QR code right.
        c.setStrokeColor(RULE)
        c.setLineWidth(0.5)
        c.line(MARGIN, 44 * mm, PAGE_W - MARGIN, 44 * mm)
        c.setFillColor(INK)
        c.setFont(FONT, 9)
        lines = [
            _("检定机构：%(name)s") % {"name": _text(institute.get("name"))},
            _("统一社会信用代码：%(code)s") % {"code": _text(institute.get("credit_code"))},
            _("签发日期：%(day)s") % {"day": _cn_date(doc.get("issued_on"))},
            _("本证书经数字签名，扫描右侧二维码可查验真伪与现行状态。"),
        ]
        ty = 37 * mm
        for line in lines:
            c.setFont(FONT, _fit(line, FONT, 9, 125 * mm))
            c.drawString(MARGIN, ty, line)
            ty -= 6 * mm
        side = 26 * mm
        qr_x, qr_y = PAGE_W - MARGIN - side, 14 * mm
        _draw_qr(c, self.url, qr_x, qr_y, side)
        c.setFont(FONT, 8.5)
        c.drawCentredString(qr_x + side / 2, qr_y - 4.5 * mm, _("扫码查验"))
        _draw_watermark(c, _overprint(self.status))

    @staticmethod
    def _field(
        c: pdfcanvas.Canvas,
        label: str,
        value: str,
        label_x: float,
        value_x: float,
        right: float,
        y: float,
        bold: bool = False,
    ) -> None:
        c.setFillColor(MUTED)
        c.setFont(FONT, 11)
        c.drawString(label_x, y, label)
        c.setFillColor(INK)
        font = FONT_BOLD if bold else FONT
        width = right - value_x - 2 * mm
        c.setFont(font, _fit(value, font, 12, width))
        if pdfmetrics.stringWidth(value, font, 7) > width:
            # Even at 7 pt too long: cut it and mark the cut (the full text is on the results page and the JSON).
            while value and pdfmetrics.stringWidth(value + "…", font, 7) > width:
                value = value[:-1]
            value += "…"
        c.drawString(value_x + 1 * mm, y, value)
        c.setStrokeColor(RULE)
        c.setLineWidth(0.5)
        c.line(value_x, y - 2 * mm, right, y - 2 * mm)

    def _seal(self, c: pdfcanvas.Canvas, x: float, y: float, w: float, h: float, name: str | None) -> None:
        c.saveState()
        c.setStrokeColor(RULE)
        c.setDash(3, 2)
        c.setLineWidth(0.6)
        c.roundRect(x, y, w, h, 3 * mm, stroke=1, fill=0)
        c.restoreState()
        c.setFillColor(MUTED)
        text = _text(name)
        size = _fit(text, FONT, 9.5, w - 6 * mm)
        c.setFont(FONT, size)
        c.drawCentredString(x + w / 2, y + h / 2 + 2 * mm, text)
        c.setFont(FONT, 9.5)
        c.drawCentredString(x + w / 2, y + h / 2 - 5 * mm, self.labels.seal)
        c.setFillColor(INK)


# ---- the results pages -------------------------------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=9.5, leading=14, textColor=INK, alignment=TA_LEFT)
    return {
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12),
        "cell_c": ParagraphStyle("cell_c", parent=base, fontSize=9, leading=12, alignment=TA_CENTER),
        "head": ParagraphStyle("head", parent=base, fontName=FONT_BOLD, fontSize=9, leading=12, alignment=TA_CENTER),
        "h1": ParagraphStyle("h1", parent=base, fontName=FONT_BOLD, fontSize=15, leading=22, alignment=TA_CENTER),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=FONT_BOLD, fontSize=11, leading=16, spaceBefore=8, spaceAfter=4
        ),
        "note": ParagraphStyle("note", parent=base, fontSize=8.5, leading=12.5, textColor=MUTED, spaceBefore=3),
        "end": ParagraphStyle("end", parent=base, fontSize=9, alignment=TA_CENTER, textColor=MUTED, spaceBefore=10),
    }


def _table(rows: list[list[Any]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, RULE),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _results_story(doc: dict[str, Any], key_id: str) -> list[Any]:
    s = _styles()
    labels = _Labels(doc.get("kind", ""))
    results = doc.get("results") or {}
    unit = results.get("unit") or ""
    width = PAGE_W - 2 * MARGIN
    story: list[Any] = [Paragraph(_esc(labels.results), s["h1"]), Spacer(1, 4)]
    if doc.get("supersedes"):
        story.append(
            Paragraph(
                _esc(_("本证书替代 %(number)s，原证书自本证书签发之日起作废。") % {"number": doc["supersedes"]}),
                s["body"],
            )
        )

    # Standards used, with their certificate numbers.
    rows: list[list[Any]] = [[Paragraph(t, s["head"]) for t in (_("计量标准名称"), _("代码"), _("证书编号"))]]
    for standard in doc.get("standards") or []:
        rows.append(
            [
                Paragraph(_esc(standard.get("name")), s["cell"]),
                Paragraph(_esc(standard.get("code")), s["cell_c"]),
                Paragraph(_esc(standard.get("certificates")), s["cell"]),
            ]
        )
    if len(rows) == 1:
        rows.append([Paragraph("—", s["cell_c"])] * 3)
    story += [Paragraph(_esc(labels.standards), s["h2"]), _table(rows, [width * 0.38, width * 0.17, width * 0.45])]

    # Environment.
    conditions = dict(doc.get("conditions") or {})
    # Numbers with their units ("20.5 °C", "45 %RH"); a text that states its own unit is printed as stated.
    conditions["temperature"] = temperature_text(conditions.get("temperature") or "") or None
    conditions["humidity"] = humidity_text(conditions.get("humidity") or "") or None
    rows = [
        [Paragraph(t, s["head"]) for t in (_("地点"), _("温度"), _("相对湿度"), _("其他"))],
        [
            Paragraph(_esc(conditions.get(k)), s["cell_c"] if k != "place" else s["cell"])
            for k in ("place", "temperature", "humidity", "other")
        ],
    ]
    story += [
        Paragraph(_esc(labels.environment), s["h2"]),
        _table(rows, [width * 0.34, width * 0.18, width * 0.18, width * 0.30]),
    ]

    # Readings.
    suffix = f"（{unit}）" if unit else ""
    if labels.calibration:
        heads = [
            labels.point,
            _("标准值") + suffix,
            _("示值") + suffix,
            _("示值误差") + suffix,
            _("扩展不确定度 U"),
            "k",
        ]
        widths = [0.18, 0.16, 0.16, 0.16, 0.22, 0.12]
    else:
        heads = [labels.point, _("标准值") + suffix, _("示值") + suffix, _("示值误差") + suffix]
        heads += [_("最大允许误差") + suffix, _("结论")]
        widths = [0.18, 0.16, 0.16, 0.16, 0.20, 0.14]
    rows = [[Paragraph(_esc(h), s["head"]) for h in heads]]
    for point in results.get("points") or []:
        cells = [point.get("label"), point.get("reference"), point.get("indicated"), point.get("error")]
        if labels.calibration:
            cells += [results.get("expanded_uncertainty"), results.get("coverage_factor")]
        else:
            mpe = point.get("mpe")
            cells += [f"±{mpe}" if mpe else None, {True: _("合格"), False: _("不合格")}.get(point.get("passed"))]
        rows.append([Paragraph(_esc(v), s["cell_c"]) for v in cells])
    story += [Paragraph(_esc(labels.data), s["h2"]), _table(rows, [width * w for w in widths])]
    if results.get("mpe_rule") and not labels.calibration:
        rule = mpe_rule_text(results["mpe_rule"], unit)
        story.append(Paragraph(_esc(_("最大允许误差：%(rule)s") % {"rule": rule}), s["note"]))
    if results.get("resolution"):
        story.append(Paragraph(_esc(_("示值误差按修约间隔 %(r)s 修约。") % {"r": results["resolution"]}), s["note"]))

    # Conclusion.
    story.append(Paragraph(_esc(labels.results), s["h2"]))
    if labels.calibration:
        line = _("测量结果的扩展不确定度：U = %(u)s，k = %(k)s。本证书给出校准结果，不作合格与否的判定。") % {
            "u": _text(results.get("expanded_uncertainty")),
            "k": _text(results.get("coverage_factor")),
        }
    elif results.get("conclusion") == "pass":
        line = _("检定结论：合格。下次检定日期：%(day)s。") % {"day": _cn_date(doc.get("next_due_on"))}
    else:
        line = _("检定结论：不合格。该计量器具不得继续使用，须修理后重新检定。")
    story.append(Paragraph(_esc(line), s["body"]))

    notes = [
        _("1. 本证书所给结果仅对所检计量器具在检定/校准时的状态有效。"),
        _("2. 未经本机构书面批准，不得部分复制本证书。"),
        _("3. 本证书的内容经数字签名（Ed25519，密钥 %(key)s）；可扫描首页二维码在线查验，或下载 JSON 文件离线验证。")
        % {"key": key_id or "—"},
    ]
    story.append(KeepTogether([Paragraph(_esc(_("声明")), s["h2"])] + [Paragraph(_esc(n), s["note"]) for n in notes]))
    story.append(Paragraph(_esc(_("（以下空白）")), s["end"]))
    return story


class _NumberedCanvas(pdfcanvas.Canvas):
    """Writes "第 n 页 共 N 页" once the page count is known."""

    def __init__(self, *args: Any, number: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self._number = number

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(FONT, 8)
            self.setFillColor(MUTED)
            page = self._pageNumber
            label = _("第 %(page)d 页 共 %(total)d 页") % {"page": page, "total": total}
            if page == 1:
                # The cover shows the number already; its bottom right holds the QR code.
                self.drawString(MARGIN, 8 * mm, label)
            else:
                self.drawString(MARGIN, 10 * mm, _("证书编号：%(number)s") % {"number": self._number})
                self.drawRightString(PAGE_W - MARGIN, 10 * mm, label)
            super().showPage()
        super().save()


def certificate_pdf(certificate: Certificate, *, today: date | None = None) -> bytes:
    """The certificate as PDF bytes, from its signed document, its token and its standing ``today``."""
    doc = certificate.document
    status = certificate_status(certificate, today or clock.today())
    with translation.override(settings.LANGUAGE_CODE):
        cover = _Cover(doc, public_check_url(certificate.token), status)
        overprint = _overprint(status)
        number = str(doc.get("number", ""))
        buffer = io.BytesIO()
        template = a4_document(
            buffer,
            margin=MARGIN,
            title=f"{title_of(doc.get('kind', ''))} {number}",
            author=str((doc.get("institute") or {}).get("name", "")),
            subject=number,
            creator="jiliang",
        )
        frame = Frame(MARGIN, MARGIN, PAGE_W - 2 * MARGIN, PAGE_H - 2 * MARGIN, id="body")
        template.addPageTemplates(
            [
                PageTemplate(id="cover", frames=[frame], onPage=lambda c, d: cover.draw(c)),
                PageTemplate(id="results", frames=[frame], onPage=lambda c, d: _draw_watermark(c, overprint)),
            ]
        )
        story = [NextPageTemplate("results"), Spacer(1, 1), PageBreak(), *_results_story(doc, certificate.key_id)]
        template.build(story, canvasmaker=lambda *a, **k: _NumberedCanvas(*a, number=number, **k))
        return buffer.getvalue()
