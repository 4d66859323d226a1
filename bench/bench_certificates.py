"""Certificate documents per second: PDF (with the embedded CJK font and the QR code), DCC-like XML, signature
check — and, as the baseline in the same run, a one-page PDF with one line of text in the same embedded font.

Uses the certificates ``bench_public_check.build`` inserts (genuine signatures over canonical documents) in a
database of its own (``var/bench/certificates/``). The first PDF of the process pays for loading the 10 MB font;
it is reported apart.

    python bench/bench_certificates.py [--certificates N] [--rounds N]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_public_check  # noqa: E402
import common  # noqa: E402

# Rendering does not touch the database after loading the certificates: SQLite only.
DATABASES = ("sqlite",)


def per_second(fn, items) -> float:
    start = time.perf_counter()
    for item in items:
        fn(item)
    return len(items) / (time.perf_counter() - start)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--certificates", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    common.VAR = common.VAR / "certificates"
    common.setup_django("sqlite")

    from jiliang.metrology import signing
    from jiliang.verification import keys
    from jiliang.verification.formats import documents
    from jiliang.verification.formats.dcc import certificate_xml
    from jiliang.verification.formats.pdf import certificate_pdf
    from jiliang.verification.models import Certificate

    bench_public_check.build(args.certificates)
    certificates = list(
        Certificate.objects.select_related("instrument", "institute", "owner").order_by("id")[: args.certificates]
    )
    common.report("certificates", len(certificates), "rows")

    start = time.perf_counter()
    first = certificate_pdf(certificates[0])
    common.report("first PDF (font loaded in this process)", (time.perf_counter() - start) * 1000, "ms")
    common.report("PDF size", len(first) / 1024, "KiB")

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from jiliang.verification.formats.pdf import FONT, register_fonts

    register_fonts()

    def bare_pdf(_certificate) -> bytes:
        buffer = io.BytesIO()
        page = canvas.Canvas(buffer, pagesize=A4)
        page.setFont(FONT, 14)
        page.drawString(72, 760, "计量器具检定证书")
        page.showPage()
        page.save()
        return buffer.getvalue()

    trusted = keys.trusted_keys()

    def check(certificate) -> bool:
        return signing.verify_signed(documents.signed_file(certificate), trusted_keys=trusted).valid

    figures: dict[str, list[float]] = {"baseline": [], "pdf": [], "xml": [], "signature": []}
    for _round in range(args.rounds):
        figures["baseline"].append(per_second(bare_pdf, certificates))
        figures["pdf"].append(per_second(certificate_pdf, certificates))
        figures["xml"].append(per_second(certificate_xml, certificates))
        figures["signature"].append(per_second(check, certificates))
    baseline = statistics.median(figures["baseline"])
    pdf = statistics.median(figures["pdf"])
    common.report("baseline: one-line PDF, same embedded font", baseline, "/s")
    common.report("certificate PDFs", pdf, "/s", baseline=f"{pdf / baseline:.0%} of the one-line PDF")
    common.report("DCC-like XML", statistics.median(figures["xml"]), "/s")
    common.report("signature checks (signed JSON rebuilt each time)", statistics.median(figures["signature"]), "/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
