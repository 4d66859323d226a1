"""Wrote the version-1 certificate files of this folder, once, with the code of the day (issue 12).

NEVER RUN THIS AGAIN to make tests/verification/test_certificate_v1.py pass. The files stand for certificates
already issued and handed to owners, who keep them for years and check them offline: if today's code cannot read or
verify them, today's code is wrong (or it needs a reader for version 1 beside the new one), never the files. A new
format version gets files of its own (``make_v2.py``, ``certificate_v2_*``), written by a script of its own, and
these stay.

What it wrote, from in-memory records (no database) through the same functions that issue a certificate:
``services.verdict_points`` (the verdict), ``metrology.due.due_date``, ``services.certificate_number``, ``documents.certificate_document``
(the document), ``signing.sign_canonical`` (the signature, as ``services._issue`` signs), ``documents.signed_file``
(the JSON download, serialised as ``certificate_views.signed_json_bytes`` does), ``dcc.certificate_xml`` (the XML)
and ``keys.write_public_keys_file`` (the published keys, as ``manage.py export_public_keys`` writes them):

- ``certificate_v1_verification.{json,xml}``: a 检定证书 (JD) that supersedes an earlier number;
- ``certificate_v1_failure_notice.{json,xml}``: a 检定结果通知书 (TZ), one point outside its MPE;
- ``certificate_v1_calibration.{json,xml}``: a 校准证书 (JZ) with U and k, no verdict;
- ``public_keys_v1.json``: the key that signed them (``jiliang-public-keys`` version 1).

The signing key is derived from a fixed, public seed (below): it signs these test files and nothing else; it is
not, and must never become, a key any installation trusts.

How it was run, from the repository root: ``JILIANG_DEV=1 .venv/bin/python tests/verification/data/make_v1.py``.
Every import is inside ``main()``: pytest imports this module to look for doctests, and must not run it.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
# Public on purpose: anyone may re-derive this key, so nothing it signs can be mistaken for a real certificate.
SEED = hashlib.sha256(b"jiliang tests: certificate format version 1, never a real key").digest()


def main() -> None:
    sys.path.insert(0, str(ROOT))
    keydir = Path(tempfile.mkdtemp())
    os.environ["DJANGO_SETTINGS_MODULE"] = "jiliang.settings"
    os.environ["JILIANG_DEV"] = "1"
    os.environ["JILIANG_PUBLIC_BASE_URL"] = "https://jiliang.example.gov.cn"
    os.environ["JILIANG_SIGNING_KEY_FILE"] = str(keydir / "signing.pem")
    os.environ["JILIANG_TRUSTED_KEYS_FILE"] = str(keydir / "public-keys.json")

    import base64
    import json
    from datetime import date
    from decimal import Decimal

    import django
    from cryptography.hazmat.primitives import serialization

    django.setup()

    from jiliang.catalog.models import CatalogItem, Procedure
    from jiliang.core.models import Organization
    from jiliang.instruments.models import Instrument
    from jiliang.metrology import due, signing, uscc
    from jiliang.people.models import Person
    from jiliang.standards.models import Standard
    from jiliang.verification import keys
    from jiliang.verification.formats import dcc, documents
    from jiliang.verification.models import Certificate, Service, StandardUse, VerificationRecord
    from jiliang.verification.services.records import certificate_number, verdict_points

    key = signing.private_key_from_seed(SEED)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    (keydir / "signing.pem").write_bytes(pem)

    institute = Organization(
        name="云川市计量测试所",
        kind=Organization.Kind.INSTITUTE,
        credit_code=uscc.make_code("12210900", "MB1234567"),
        short_code="YCJL",
        address="云川市南湖区计量路 1 号",
    )
    owner = Organization(
        name="南湖县沙河集贸市场",
        kind=Organization.Kind.OWNER,
        credit_code=uscc.make_code("92210921", "MA0K12345"),
        address="南湖县沙河镇集贸街 8 号",
    )
    verifier = Person(organization=institute, name="王建国")
    checker = Person(organization=institute, name="李秀英")
    approver = Person(organization=institute, name="张明")
    scales = CatalogItem(
        code="02", item="非自动衡器", kind="电子计价秤(数字指示秤)", mode=CatalogItem.Mode.PERIODIC, interval_months=12
    )
    standard = Standard(
        holder=institute,
        name="F1等级砝码标准装置",
        code="03113107",
        measurand="质量",
        certificate_number="[2024]云量标证字第017号",
    )
    jjg539 = Procedure(code="JJG 539", name="数字指示秤", kind=Procedure.Kind.JJG)

    def issue(
        name,
        *,
        kind,
        sequence,
        instrument,
        procedure,
        performed_on,
        points,
        resolution,
        unit,
        supersedes=None,
        expanded_uncertainty="",
        coverage_factor=None,
        place="云川市计量测试所 质量实验室",
    ):
        rows, conclusion = verdict_points(kind=kind, points=points, resolution=resolution)
        item = instrument.catalog_item
        next_due = None
        if conclusion == VerificationRecord.Conclusion.PASS and item is not None:  # as services.records._issue decides
            next_due = due.due_date(performed_on, item.mode, item.interval_months)
        record = VerificationRecord(
            instrument=instrument,
            kind=kind,
            institute=institute,
            procedure=procedure,
            performed_on=performed_on,
            place=place,
            temperature="20.5 ℃",
            humidity="45 %RH",
            conditions="",
            conclusion=conclusion,
            expanded_uncertainty=expanded_uncertainty,
            coverage_factor=coverage_factor,
            unit=unit,
            resolution=resolution,
            verifier=verifier,
            checker=checker,
            approver=approver,
            next_due_on=next_due,
        )
        uses = [
            StandardUse(
                standard=standard,
                performed_on=performed_on,
                certificate_numbers="[2024]云量标证字第017号；YCJL-2025-JZ-000311",
            )
        ]
        certificate_kind = {
            VerificationRecord.Conclusion.PASS: Certificate.Kind.VERIFICATION,
            VerificationRecord.Conclusion.FAIL: Certificate.Kind.FAILURE_NOTICE,
            VerificationRecord.Conclusion.CALIBRATED: Certificate.Kind.CALIBRATION,
        }[conclusion]
        number = certificate_number(institute, performed_on.year, certificate_kind, sequence)
        # A fixed token of the shape secrets.token_urlsafe(24) gives, so the files are the same on every run.
        token = base64.urlsafe_b64encode(hashlib.sha256(number.encode()).digest()[:24]).decode()
        document = documents.certificate_document(
            number=number,
            kind=certificate_kind,
            issued_on=performed_on,
            valid_until=next_due,
            token=token,
            record=record,
            points=rows,
            uses=uses,
            supersedes=Certificate(number=supersedes) if supersedes else None,
        )
        signature, kid = signing.sign_canonical(document, key)
        certificate = Certificate(
            number=number, kind=certificate_kind, document=document, signature=signature, key_id=kid
        )
        signed = json.dumps(documents.signed_file(certificate), ensure_ascii=False, indent=2).encode("utf-8")
        (HERE / f"certificate_v1_{name}.json").write_bytes(signed)
        (HERE / f"certificate_v1_{name}.xml").write_bytes(dcc.certificate_xml(certificate))
        return kid

    counter = Instrument(
        owner=owner,
        catalog_item=scales,
        name="电子计价秤",
        manufacturer="上海友声衡器有限公司",
        model="ACS-15",
        serial_number="YS2023-004417",
        accuracy_class="Ⅲ级",
        measuring_range="(0.04～15) kg",
    )
    kid = issue(
        "verification",
        kind=Service.VERIFICATION,
        sequence=128,
        instrument=counter,
        procedure=jjg539,
        performed_on=date(2026, 3, 12),
        resolution="0.005",
        unit="kg",
        supersedes="YCJL-2026-JD-000097",
        points=[
            {"label": "最小秤量", "reference": "0.040", "indicated": "0.040", "mpe": "0.0025"},
            {"label": "500e", "reference": "2.500", "indicated": "2.505", "mpe": "0.005"},
            {"label": "2000e", "reference": "10.000", "indicated": "10.005", "mpe": "0.0075"},
            {"label": "最大秤量", "reference": "15.000", "indicated": "14.995", "mpe": "0.0075"},
        ],
    )
    platform = Instrument(
        owner=owner,
        catalog_item=scales,
        name="电子台秤",
        manufacturer="宁波柯力传感科技股份有限公司",
        model="TCS-150",
        serial_number="KL-1500-2291",
        accuracy_class="Ⅲ级",
        measuring_range="(1～150) kg",
    )
    issue(
        "failure_notice",
        kind=Service.VERIFICATION,
        sequence=9,
        instrument=platform,
        procedure=jjg539,
        performed_on=date(2026, 3, 12),
        resolution="0.05",
        unit="kg",
        points=[
            {"label": "最小秤量", "reference": "1.00", "indicated": "1.00", "mpe": "0.05"},
            {"label": "最大秤量", "reference": "150.00", "indicated": "150.20", "mpe": "0.10"},
        ],
    )
    balance = Instrument(
        owner=owner,
        catalog_item=None,
        name="电子天平",
        manufacturer="常州精衡天平仪器有限公司",
        model="ME4002",
        serial_number="CZ-ME-77812",
        accuracy_class="Ⅱ级",
        measuring_range="(0.5～4200) g",
    )
    issue(
        "calibration",
        kind=Service.CALIBRATION,
        sequence=42,
        instrument=balance,
        procedure=None,
        performed_on=date(2026, 3, 13),
        resolution="0.01",
        unit="g",
        expanded_uncertainty="0.03 g",
        coverage_factor=Decimal("2.00"),
        points=[
            {"label": "100 g", "reference": "100.00", "indicated": "100.02"},
            {"label": "2000 g", "reference": "2000.00", "indicated": "1999.97"},
        ],
    )
    keys.write_public_keys_file(
        HERE / "public_keys_v1.json",
        keys.public_keys_document({kid: signing.b64(signing.public_key_raw(key))}, current=kid),
    )


if __name__ == "__main__":
    main()
