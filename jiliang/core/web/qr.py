"""QR codes of the platform's public links (a certificate's check, an instrument's public page), for pages and
PDFs. segno makes them; the links are the platform's own (percent-safe), so the SVG can go into a page as is."""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe
from reportlab.lib import colors
from reportlab.pdfgen import canvas as pdfcanvas

INK = "#1f2329"


def svg(url: str, *, scale: int = 3) -> SafeString:
    """The QR code of ``url`` as inline SVG for a page."""
    return mark_safe(segno.make(url, error="m").svg_inline(scale=scale, dark=INK))  # noqa: S308 (segno's own SVG)


def draw(c: pdfcanvas.Canvas, url: str, x: float, y: float, side: float) -> None:
    """The QR code of ``url`` as vector squares (no image) on a PDF canvas, lower-left corner at (x, y)."""
    qr = segno.make(url, error="m", micro=False)
    rows = list(qr.matrix_iter(scale=1, border=2))
    cell = side / len(rows)
    c.saveState()
    c.setFillColor(colors.white)
    c.rect(x, y, side, side, stroke=0, fill=1)
    c.setFillColor(colors.black)
    for r, row in enumerate(rows):
        for col, dark in enumerate(row):
            if dark:
                c.rect(x + col * cell, y + side - (r + 1) * cell, cell, cell, stroke=0, fill=1)
    c.restoreState()
