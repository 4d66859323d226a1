"""What every PDF the platform prints shares: the font, the ink, text escaped for reportlab's paragraphs, and the
A4 document with its margins and metadata.

The font is Noto Sans SC (``settings.JILIANG_PDF_FONT`` / ``JILIANG_PDF_FONT_BOLD``), embedded as a TrueType subset
(reportlab's ``TTFont``), so that Chinese prints and its text extracts. Loading the 10 MB font takes a few hundred
milliseconds, so it is registered once per process.
"""

from __future__ import annotations

import threading
from typing import IO, Any

from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import BaseDocTemplate

PDF = "application/pdf"
FONT = "NotoSansSC"
FONT_BOLD = "NotoSansSC-Bold"
PAGE_W, PAGE_H = A4
INK = colors.HexColor("#1f2329")
MUTED = colors.HexColor("#5b6472")

_font_lock = threading.Lock()


def register_fonts() -> None:
    """Register the CJK fonts with reportlab, once per process (loading them is slow)."""
    with _font_lock:
        registered = pdfmetrics.getRegisteredFontNames()
        if FONT not in registered:
            pdfmetrics.registerFont(TTFont(FONT, settings.JILIANG_PDF_FONT))
        if FONT_BOLD not in registered:
            pdfmetrics.registerFont(TTFont(FONT_BOLD, settings.JILIANG_PDF_FONT_BOLD))


def esc(value: Any) -> str:
    """``value`` as text for a reportlab ``Paragraph``, which reads a small XML: & < > escaped.

    >>> esc("A<B & C")
    'A&lt;B &amp; C'
    """
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def a4_document(
    buffer: IO[bytes],
    *,
    margin: float,
    title: str,
    author: str,
    subject: str,
    template: type[BaseDocTemplate] = BaseDocTemplate,
    **kwargs: Any,
) -> BaseDocTemplate:
    """An A4 document (``template``, reportlab's ``BaseDocTemplate`` or a subclass) with the same ``margin`` on every
    side and the metadata a PDF reader shows; the fonts are registered first."""
    register_fonts()
    return template(
        buffer,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=title,
        author=author,
        subject=subject,
        **kwargs,
    )
