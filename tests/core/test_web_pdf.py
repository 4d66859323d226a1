"""core.web.pdf: the embedded CJK font, escaped paragraph text and the A4 document every PDF starts from."""

from __future__ import annotations

import io

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

from jiliang.core.web.pdf import FONT, FONT_BOLD, PAGE_H, PAGE_W, a4_document, esc, register_fonts


def test_esc_makes_text_safe_for_a_paragraph():
    assert esc("A<B> & C") == "A&lt;B&gt; &amp; C"
    assert esc(12) == "12"


def test_the_fonts_are_registered_once():
    register_fonts()
    register_fonts()
    names = pdfmetrics.getRegisteredFontNames()
    assert FONT in names and FONT_BOLD in names


class _Marked(BaseDocTemplate):
    def __init__(self, buffer, *, mark: str, **kwargs) -> None:
        super().__init__(buffer, **kwargs)
        self.mark = mark


def test_an_a4_document_has_its_margins_metadata_and_chinese_text_that_extracts():
    buffer = io.BytesIO()
    doc = a4_document(
        buffer, margin=20, title="检定证书 JL-1", author="市计量测试所", subject="JL-1", creator="jiliang"
    )
    assert doc.pagesize == A4 == (PAGE_W, PAGE_H)
    assert (doc.leftMargin, doc.rightMargin, doc.topMargin, doc.bottomMargin) == (20, 20, 20, 20)
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height)
    doc.addPageTemplates([PageTemplate(frames=[frame])])
    doc.build([Paragraph(esc("电子计价秤 <合格> & 有效"), ParagraphStyle("p", fontName=FONT))])

    reader = PdfReader(io.BytesIO(buffer.getvalue()))
    assert reader.metadata.title == "检定证书 JL-1"
    assert reader.metadata.author == "市计量测试所"
    assert "电子计价秤 <合格> & 有效" in reader.pages[0].extract_text()


def test_a_document_template_of_ones_own_takes_its_own_arguments():
    doc = a4_document(io.BytesIO(), margin=18, title="t", author="a", subject="s", template=_Marked, mark="第 1 页")
    assert isinstance(doc, _Marked) and doc.mark == "第 1 页"
