"""The certificate's documents: the PDF (text, embedded CJK font, QR, the three kinds) and the DCC-like XML."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings
from pypdf import PdfReader

from jiliang.metrology import signing
from jiliang.verification.formats import dcc, documents
from jiliang.verification.formats.pdf import certificate_pdf
from jiliang.verification.services.certificates import certificate_revoke
from tests.builders.verification import correct_certificate, issue_certificate

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(settings.BASE_DIR) / "artifacts" / "certificates"
NS = {"d": dcc.NAMESPACE}


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    # Extracted CJK text may come with spaces between glyphs; compare without any whitespace.
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))


def _save_png(pdf: bytes, name: str) -> Path:
    """Page 1 as a PNG under artifacts/certificates/ (pdftoppm from poppler-utils)."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: no PNG of the first page")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
    prefix = ARTIFACTS / name
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(ARTIFACTS / f"{name}.pdf"),
            str(prefix),
        ],
        check=True,
        timeout=60,
    )
    png = prefix.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return png


def test_the_verification_certificate_pdf_holds_the_title_number_and_fields(bench):
    certificate = issue_certificate(bench)
    started = time.perf_counter()
    pdf = certificate_pdf(certificate)
    first = time.perf_counter() - started
    # Again, with the font registered (as in a running server): the render time per certificate.
    started = time.perf_counter()
    assert certificate_pdf(certificate)[:5] == b"%PDF-"
    again = time.perf_counter() - started
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    assert "检定证书" in text
    assert certificate.number in text
    for expected in ("送检单位", bench.instruments[0].owner.name, "PS-1", "王检定", "李核验", "张批准", "扫码查验"):
        assert re.sub(r"\s+", "", expected) in text, expected
    # The results page: the standard used with its certificate number, the readings with their verdict.
    assert bench.standard.certificate_number.replace(" ", "") in text
    assert "10.004" in text and "合格" in text
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    print(f"certificate_pdf: first {first * 1000:.0f} ms (font loading included), then {again * 1000:.0f} ms")
    _save_png(pdf, "verification")


def test_the_cjk_font_is_embedded_as_a_truetype_subset(bench):
    pdf = certificate_pdf(issue_certificate(bench))
    reader = PdfReader(io.BytesIO(pdf))
    embedded = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            targets = [d.get_object() for d in descendants] if descendants else [font]
            for target in targets:
                descriptor = target.get("/FontDescriptor")
                if descriptor is not None and "/FontFile2" in descriptor.get_object():
                    embedded.add(str(target["/BaseFont"]))
    assert any("NotoSansSC" in name for name in embedded), embedded


def test_the_qr_code_encodes_the_public_check_url(bench):
    certificate = issue_certificate(bench)
    url = documents.public_check_url(certificate.token)
    assert certificate.token in url and url.startswith(settings.JILIANG_PUBLIC_BASE_URL.rstrip("/"))
    # The PDF states nothing the signed document does not: the document carries the same URL.
    assert certificate.document["public_check"] == url


def test_a_failure_notice_has_its_own_title_and_no_valid_until(bench):
    certificate = issue_certificate(bench, item=1, passed=False)
    pdf = certificate_pdf(certificate)
    text = _text(pdf)
    assert "检定结果通知书" in text and certificate.number in text
    assert "不合格" in text
    assert "有效期至" not in text
    _save_png(pdf, "failure_notice")


def test_a_calibration_certificate_has_its_own_title_and_states_u_and_k(bench):
    certificate = issue_certificate(
        bench,
        kind="calibration",
        expanded_uncertainty="0.8 g",
        coverage_factor="2",
        points=[{"label": "1 kg", "reference": "1", "indicated": "1.0004"}],
    )
    pdf = certificate_pdf(certificate)
    text = _text(pdf)
    assert "校准证书" in text and certificate.number in text
    assert "U=0.8g" in text and "k=2" in text
    assert "检定结论" not in text
    _save_png(pdf, "calibration")


def test_a_superseding_certificate_names_the_old_one_and_the_old_pdf_is_overprinted(bench):
    old = issue_certificate(bench)
    new = correct_certificate(bench, old, reason="温度记录有误", temperature="21.0 ℃")
    text = _text(certificate_pdf(new))
    assert f"本证书替代{old.number}" in text
    assert "21.0℃" in text
    old.refresh_from_db()
    assert "已被替代" in _text(certificate_pdf(old))


def test_a_revoked_certificate_pdf_is_overprinted(bench):
    certificate = issue_certificate(bench)
    certificate_revoke(actor=bench.institute_user, certificate_id=certificate.pk, reason="器具信息登记错误")
    certificate.refresh_from_db()
    assert "已撤销" in _text(certificate_pdf(certificate))


def test_the_xml_follows_the_dcc_structure_and_holds_number_points_and_signature(bench):
    certificate = issue_certificate(bench)
    root = ET.fromstring(dcc.certificate_xml(certificate))  # noqa: S314 (our own output)
    assert root.tag == f"{{{dcc.NAMESPACE}}}digitalCalibrationCertificate"
    assert root.get("schemaVersion") == dcc.VERSION
    core = root.find("d:administrativeData/d:coreData", NS)
    assert core.findtext("d:uniqueIdentifier", namespaces=NS) == certificate.number
    assert core.findtext("d:countryCodeISO3166_1", namespaces=NS) == "CN"
    assert core.findtext("d:usedLangCodeISO639_1", namespaces=NS) == "zh"
    item = root.find("d:administrativeData/d:items/d:item", NS)
    assert item.findtext("d:identifications/d:identification/d:value", namespaces=NS) == "PS-1"
    roles = [p.findtext("d:role", namespaces=NS) for p in root.findall("d:administrativeData/d:respPersons/*", NS)]
    assert roles == ["verifier", "checker", "approver"]
    points = root.findall("d:measurementResults/d:measurementResult/d:results/d:result", NS)
    assert [p.findtext("d:indicated", namespaces=NS) for p in points] == ["1.001", "10.004"]
    assert [p.findtext("d:passed", namespaces=NS) for p in points] == ["true", "true"]
    equipment = root.findall("d:measurementResults/d:measurementResult/d:measuringEquipments/*", NS)
    assert bench.standard.certificate_number in equipment[0].findtext("d:certificates", namespaces=NS)
    statement = root.find("d:administrativeData/d:statements/d:statement", NS)
    assert statement.findtext("d:conformity", namespaces=NS) == "pass"
    assert statement.findtext("d:nextDueDate", namespaces=NS) == certificate.document["next_due_on"]
    signature = root.find("d:signature", NS)
    assert signature.findtext("d:keyId", namespaces=NS) == certificate.key_id
    assert signature.findtext("d:value", namespaces=NS) == certificate.signature
    assert signature.findtext("d:signedContent", namespaces=NS) == f"{signing.FORMAT}/{signing.CANONICAL_VERSION}"


def test_the_calibration_xml_carries_u_and_k(bench):
    certificate = issue_certificate(
        bench,
        kind="calibration",
        expanded_uncertainty="0.8 g",
        coverage_factor="2",
        points=[{"reference": "1", "indicated": "1.0004"}],
    )
    root = ET.fromstring(dcc.certificate_xml(certificate))  # noqa: S314 (our own output)
    result = root.find("d:measurementResults/d:measurementResult/d:results/d:result", NS)
    assert result.findtext("d:expandedUncertainty", namespaces=NS) == "0.8 g"
    assert result.findtext("d:coverageFactor", namespaces=NS) == "2"
    assert result.find("d:passed", NS) is None
    statement = root.find("d:administrativeData/d:statements/d:statement", NS)
    assert statement.findtext("d:conformity", namespaces=NS) == "notStated"


def test_long_texts_and_many_points_stay_on_the_page(bench):
    """A long owner name, model and procedure, 40 readings: nothing runs off the page, the readings continue on the
    following pages with their header (checked by eye on the PNG artifact; here: every value is in the text)."""
    from jiliang.catalog.models import Procedure
    from jiliang.core.models import Organization
    from jiliang.instruments.models import Instrument

    instrument = bench.instruments[0]
    Organization.objects.filter(pk=instrument.owner_id).update(
        name="阜新市甲县农贸市场管理服务中心第二分市场（东区）联合经营部"
    )
    Instrument.objects.filter(pk=instrument.pk).update(
        manufacturer="上海某某衡器制造有限公司苏州分公司",
        model="ACS-30JE(防作弊型)",
        measuring_range="(0~30) kg",
        accuracy_class="Ⅲ级",
    )
    procedure = Procedure.objects.filter(code="JJG 539-2016").first() or Procedure.objects.create(
        code="JJG 539-2016", name="数字指示秤检定规程", kind=Procedure.Kind.JJG
    )
    points = [
        {"label": f"{n} kg", "reference": f"{n}.000", "indicated": f"{n}.001", "mpe": "0.005"} for n in range(1, 41)
    ]
    certificate = issue_certificate(bench, points=points, procedure_id=procedure.pk)
    pdf = certificate_pdf(certificate)
    text = _text(pdf)
    assert "JJG539-2016数字指示秤检定规程" in text
    assert "40.001" in text and "（以下空白）" in text
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert pages >= 3
    assert f"第{pages}页共{pages}页" in text
    _save_png(pdf, "long_texts")
