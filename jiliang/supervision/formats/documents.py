"""The enforcement documents as PDF (``jiliang-enforcement-document`` version 1): 责令改正通知书, 立案审批表,
行政处罚告知书, 行政处罚决定书, 送达回证, 结案报告 — one layout for all, as layouts vary by province (supervision.md
§3: "names as used; layouts vary").

A document is its bureau's name, its title, its number, the party, numbered sections of text, the articles it
cites (from the legal-basis library, each with its law, article and wording), an optional table of label/value rows
(a service receipt), and the bureau and date at the foot. The PDF embeds the CJK font, so its text extracts; its
metadata carries the number.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Frame, PageTemplate, Paragraph, Spacer, Table, TableStyle

from jiliang.core.web.pdf import FONT, FONT_BOLD, INK, MUTED, PAGE_H, PAGE_W, a4_document, esc, register_fonts

FORMAT = "jiliang-enforcement-document"
VERSION = 1
MARGIN = 22 * mm


@dataclass(frozen=True)
class Citation:
    law: str
    article: str
    text: str


@dataclass(frozen=True)
class Document:
    bureau: str
    title: str
    number: str
    party: str
    sections: Sequence[tuple[str, str]]  # (heading, text); an empty heading prints the text alone
    issued_on: date
    citations: Sequence[Citation] = ()
    rows: Sequence[tuple[str, str]] = field(default_factory=tuple)  # a label/value table (送达回证)
    footnote: str = ""


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=18, textColor=INK, wordWrap="CJK")
    return {
        "body": base,
        "bureau": ParagraphStyle(
            "bureau", parent=base, fontName=FONT_BOLD, fontSize=15, leading=22, alignment=TA_CENTER
        ),
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=20, leading=30, alignment=TA_CENTER),
        "number": ParagraphStyle("number", parent=base, alignment=TA_RIGHT, textColor=MUTED),
        "heading": ParagraphStyle("heading", parent=base, fontName=FONT_BOLD, spaceBefore=6),
        "cite": ParagraphStyle("cite", parent=base, fontSize=9.5, leading=14, leftIndent=8, textColor=MUTED),
        "foot": ParagraphStyle("foot", parent=base, alignment=TA_RIGHT),
        "note": ParagraphStyle("note", parent=base, fontSize=8.5, leading=12, textColor=MUTED),
    }


def render(document: Document) -> bytes:
    """The document as PDF bytes."""
    register_fonts()
    styles = _styles()
    story: list[Flowable] = [
        Paragraph(esc(document.bureau), styles["bureau"]),
        Paragraph(esc(document.title), styles["title"]),
        Paragraph(esc(document.number), styles["number"]),
        Spacer(1, 4 * mm),
        Paragraph(esc(f"当事人：{document.party}"), styles["body"]),
        Spacer(1, 2 * mm),
    ]
    for heading, text in document.sections:
        if heading:
            story.append(Paragraph(esc(heading), styles["heading"]))
        for line in str(text).splitlines() or [""]:
            story.append(Paragraph(esc(line), styles["body"]))
    if document.rows:
        cell = ParagraphStyle("cell", parent=styles["body"], fontSize=10, leading=15)
        table = Table(
            [[Paragraph(esc(label), cell), Paragraph(esc(value), cell)] for label, value in document.rows],
            colWidths=[40 * mm, PAGE_W - 2 * MARGIN - 40 * mm],
        )
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, INK), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story += [Spacer(1, 3 * mm), table]
    if document.citations:
        story.append(Paragraph("依据", styles["heading"]))
        for citation in document.citations:
            story.append(Paragraph(esc(f"{citation.law}{citation.article}：{citation.text}"), styles["cite"]))
    story += [
        Spacer(1, 10 * mm),
        Paragraph(esc(document.bureau), styles["foot"]),
        Paragraph(
            esc(f"{document.issued_on.year}年{document.issued_on.month}月{document.issued_on.day}日"), styles["foot"]
        ),
    ]
    if document.footnote:
        story += [Spacer(1, 6 * mm), Paragraph(esc(document.footnote), styles["note"])]

    buffer = io.BytesIO()
    doc = a4_document(
        buffer, margin=MARGIN, title=f"{document.title} {document.number}", author=document.bureau, subject=FORMAT
    )
    frame = Frame(MARGIN, MARGIN, PAGE_W - 2 * MARGIN, PAGE_H - 2 * MARGIN, id="body")

    def number_pages(canvas, doc_) -> None:  # type: ignore[no-untyped-def]
        canvas.setFont(FONT, 8)
        canvas.setFillColor(MUTED)
        canvas.drawCentredString(PAGE_W / 2, MARGIN / 2, f"{document.number} · 第 {doc_.page} 页")

    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=number_pages)])
    doc.build(story)
    return buffer.getvalue()


__all__ = ["FORMAT", "VERSION", "Citation", "Document", "render"]
