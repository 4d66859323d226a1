"""An instrument's public link (扫码查器具) and the label sheet an owner prints for chosen instruments.

Each instrument's public page is ``/check/i/<public_key>/`` (the portal's, reached by its URL name: the registry
imports nothing above it). An owner ticks instruments in its list and posts them here (``POST
/instruments/labels/``, at most ``LABELS_MAX`` at once); the answer is an A4 PDF of 3 × 8 labels (70 × 36 mm, the
common self-adhesive sheet), each with the QR code of the instrument's public page, its kind, factory number and
the date its verification is valid until. Only an owner prints, and only its own instruments: an id outside its
scope answers 404 exactly like a missing one, and every other role is refused the same way.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as pdfcanvas

from jiliang.core import clock
from jiliang.core.selectors import scope_of
from jiliang.core.web import qr
from jiliang.core.web.http import download
from jiliang.core.web.pdf import FONT, FONT_BOLD, INK, MUTED, PAGE_H, PAGE_W, PDF, register_fonts

from . import selectors
from .models import Instrument

# At most this many labels per request (four sheets): a PDF is built in the request.
LABELS_MAX = 96
COLUMNS, ROWS = 3, 8
LABEL_W, LABEL_H = PAGE_W / COLUMNS, 36 * mm
TOP = (PAGE_H - ROWS * LABEL_H) / 2
PAD = 3 * mm
QR_SIDE = LABEL_H - 2 * PAD
GUIDE = HexColor("#c9ced6")


def public_url(instrument: Instrument) -> str:
    """The full link of the instrument's public page, as its QR code carries it."""
    return settings.JILIANG_PUBLIC_BASE_URL.rstrip("/") + reverse("portal:instrument", args=[instrument.public_key])


def public_link(instrument: Instrument) -> dict[str, str | SafeString]:
    """The link and its QR code (inline SVG) for the instrument's page (``instruments/_public_link.html``)."""
    url = public_url(instrument)
    return {"url": url, "qr": qr.svg(url, scale=3)}


def _fit(text: str, font: str, size: float, width: float, minimum: float = 5.5) -> tuple[str, float]:
    """``text`` at the largest size down to ``minimum`` that fits ``width``; cut with … when even that does not."""
    while size > minimum and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    while len(text) > 1 and pdfmetrics.stringWidth(text, font, size) > width:
        text = text[:-2] + "…"
    return text, size


def _label(c: pdfcanvas.Canvas, instrument: Instrument, x: float, y: float) -> None:
    """One label with its lower-left corner at (x, y)."""
    c.setStrokeColor(GUIDE)
    c.setLineWidth(0.3)
    c.setDash(1, 2)
    c.rect(x, y, LABEL_W, LABEL_H, stroke=1, fill=0)
    c.setDash()
    qr.draw(c, public_url(instrument), x + PAD, y + PAD, QR_SIDE)
    left = x + PAD + QR_SIDE + 2 * mm
    width = x + LABEL_W - PAD - left
    item = instrument.catalog_item
    kind = item.kind if item else instrument.name
    due = instrument.due_on.isoformat() if instrument.due_on else "—"
    lines = [
        (_("扫码查器具"), FONT, 7, MUTED),
        (kind, FONT_BOLD, 10, INK),
        (_("出厂编号"), FONT, 6.5, MUTED),
        (instrument.serial_number, FONT, 9, INK),
        (_("检定有效期至"), FONT, 6.5, MUTED),
        (due, FONT_BOLD, 9, INK),
    ]
    top = y + LABEL_H - PAD
    for text, font, size, color in lines:
        text, size = _fit(text, font, size, width)
        top -= size * 1.25
        c.setFillColor(color)
        c.setFont(font, size)
        c.drawString(left, top, text)


def label_sheet(instruments: Iterable[Instrument]) -> bytes:
    """The A4 label sheets (3 × 8 a page) of ``instruments``, in the order given."""
    register_fonts()
    buffer = io.BytesIO()
    c = pdfcanvas.Canvas(buffer, pagesize=(PAGE_W, PAGE_H), pageCompression=1)
    c.setTitle(_("器具二维码标签"))
    c.setAuthor(_("计量监管平台"))
    c.setSubject(_("扫码查器具"))
    per_page = COLUMNS * ROWS
    n = -1
    for n, instrument in enumerate(instruments):
        if n and n % per_page == 0:
            c.showPage()
        row, column = divmod(n % per_page, COLUMNS)
        _label(c, instrument, column * LABEL_W, PAGE_H - TOP - (row + 1) * LABEL_H)
    if n < 0:
        raise ValueError("no instruments")
    c.showPage()
    c.save()
    return buffer.getvalue()


def _ids(request: HttpRequest) -> list[int]:
    """The ticked ids (``ids``), in order, each once; a text that is not an id answers 404."""
    ids: list[int] = []
    for raw in request.POST.getlist("ids"):
        try:
            pk = int(raw)
        except ValueError as exc:
            raise Http404 from exc
        if pk not in ids:
            ids.append(pk)
    return ids


@require_POST
def instrument_labels(request: HttpRequest) -> HttpResponse:
    """The label sheet of the ticked instruments of the owner's own list."""
    if not scope_of(request.user).is_owner:
        raise Http404
    ids = _ids(request)
    if not ids or len(ids) > LABELS_MAX:
        # Back to the list, which shows why (a form of checkboxes has no field to put the message on).
        if ids:
            messages.error(request, _("一次最多打印 %(n)d 个标签，请分批勾选") % {"n": LABELS_MAX})
        else:
            messages.error(request, _("请先勾选要打印标签的器具"))
        return redirect("instruments:list")
    found = {
        i.pk: i
        for i in selectors.instruments_visible_to(request.user).select_related("catalog_item").filter(pk__in=ids)
    }
    if len(found) != len(ids):
        raise Http404
    content = label_sheet(found[pk] for pk in ids)
    day = clock.today().isoformat()
    return download(content, PDF, (f"labels-{day}.pdf", _("器具标签-%(day)s.pdf") % {"day": day}))
