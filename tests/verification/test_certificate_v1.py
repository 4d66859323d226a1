"""Certificates issued in version 1 of the formats keep verifying and reading the same, whatever the code becomes.

The files in ``tests/verification/data/`` were written once by ``make_v1.py`` with the code of the day: a 检定证书,
a 检定结果通知书 and a 校准证书 as their owners download them (the signed JSON, ``jiliang-certificate`` version 1,
and the DCC-like XML, ``urn:jiliang:dcc-like:1``), and the published key that signed them. Owners keep such files
for years and check them offline. When a test here fails, the change broke certificates already issued: keep a
reader for version 1, and give a new format a new version with files of its own — never rewrite these files.
"""

from __future__ import annotations

import hashlib
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.core.management import call_command

from jiliang.metrology import signing
from jiliang.verification import keys
from jiliang.verification.formats import dcc, documents
from jiliang.verification.models import Certificate

DATA = Path(__file__).resolve().parent / "data"
KINDS = ("verification", "failure_notice", "calibration")
PUBLIC_KEYS = DATA / "public_keys_v1.json"
KEY_ID = "b04b6947ed649e05"
NS = {"d": "urn:jiliang:dcc-like:1"}

# The bytes as committed: a file that changes is no longer the one an owner holds (and make_v1.py was re-run).
SHA256 = {
    "certificate_v1_verification.json": "39b34b62dffcaf2892ce29d13d0eb7cb3e0ef413074f9f9c77e210391e9d45ca",
    "certificate_v1_verification.xml": "9bd7dec4fc7b6c6aadb8152e47df74a94bdff302e0f7a6e83a51517b96041220",
    "certificate_v1_failure_notice.json": "9803894a6721b2a61fa80e4393626bc12ba51a6cb1ecb4a02e917b1f2c7d28fe",
    "certificate_v1_failure_notice.xml": "715dcc441c3568b739d23c7803e092df2acadab8000a0a7960206b2d254778a5",
    "certificate_v1_calibration.json": "3a58dd99813320f6c9f5b7236af5265c7da46eaeb9242b1eb2dfb50e5a49b384",
    "certificate_v1_calibration.xml": "ccc692521abf62116cce8056677729f7140c5c57b824a1c87b46cde421ee454e",
    "public_keys_v1.json": "3058f3875d8ba2eb2f2446321538095786786d538d701d1f858c83b6ca509f7a",
}


def signed(kind: str) -> dict:
    return signing.loads((DATA / f"certificate_v1_{kind}.json").read_bytes().decode("utf-8"))


def trusted() -> dict[str, str]:
    return keys.read_public_keys_file(PUBLIC_KEYS)


def xml_root(kind: str) -> ET.Element:
    return ET.fromstring((DATA / f"certificate_v1_{kind}.xml").read_bytes())  # noqa: S314 (our own committed file)


def text(element: ET.Element, path: str) -> str | None:
    found = element.find(path, NS)
    return None if found is None else found.text


@pytest.mark.parametrize("name", sorted(SHA256))
def test_committed_files_are_the_ones_written_for_version_1(name):
    assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == SHA256[name]


def test_the_published_keys_file_names_the_one_key_that_signed():
    assert trusted() == {KEY_ID: "zOq/3RJgZYNvShNdk0zn/oPNquQdmQdnyYPuWTvSvjI="}


@pytest.mark.parametrize("kind", KINDS)
def test_a_version_1_signed_file_verifies_against_the_published_key(kind):
    file = signed(kind)

    result = signing.verify_signed(file, trusted_keys=trusted())

    assert result.valid, result.reason
    assert result.key_id == KEY_ID
    assert file["signature"]["canonical_form"] == "jiliang-certificate/1"
    assert (file["certificate"]["format"], file["certificate"]["version"]) == ("jiliang-certificate", "1")
    assert file["certificate"]["kind"] == kind


@pytest.mark.parametrize("kind", KINDS)
def test_a_version_1_file_changed_by_one_field_no_longer_verifies(kind):
    """The check above can fail: the signature still covers every field of the committed document."""
    file = signed(kind)
    file["certificate"]["owner"]["name"] = "另一家使用单位"

    result = signing.verify_signed(file, trusted_keys=trusted())

    assert not result.valid
    assert result.reason == "the signature does not match the document"


@pytest.mark.parametrize("kind", KINDS)
def test_a_version_1_file_verifies_only_against_a_trusted_key(kind):
    assert signing.verify_signed(signed(kind), trusted_keys={}).reason == f"key {KEY_ID} is not one of the trusted keys"


@pytest.mark.parametrize("kind", KINDS)
def test_the_offline_command_says_a_version_1_file_is_valid(kind):
    out = io.StringIO()

    call_command(
        "verify_certificate",
        str(DATA / f"certificate_v1_{kind}.json"),
        "--public-key-file",
        str(PUBLIC_KEYS),
        "--offline",
        stdout=out,
    )

    assert f"number: {signed(kind)['certificate']['number']}" in out.getvalue()
    assert "VALID: the signature matches the document" in out.getvalue()


def stored(kind: str) -> Certificate:
    """The certificate as the platform keeps it: the signed document, the signature and the key id."""
    file = signed(kind)
    return Certificate(
        number=file["certificate"]["number"],
        kind=file["certificate"]["kind"],
        document=file["certificate"],
        signature=file["signature"]["value"],
        key_id=file["signature"]["key_id"],
    )


@pytest.mark.parametrize("kind", KINDS)
def test_todays_json_download_of_a_version_1_certificate_is_the_committed_file(kind, settings, tmp_path):
    settings.JILIANG_SIGNING_KEY_FILE = str(tmp_path / "no-signing-key.pem")
    settings.JILIANG_TRUSTED_KEYS_FILE = str(PUBLIC_KEYS)

    download = json.dumps(documents.signed_file(stored(kind)), ensure_ascii=False, indent=2).encode("utf-8")

    assert download == (DATA / f"certificate_v1_{kind}.json").read_bytes()


@pytest.mark.parametrize("kind", KINDS)
def test_todays_xml_of_a_version_1_certificate_is_the_committed_file(kind):
    """The XML is made again from the stored document at every download: a change to it changes what owners of
    old certificates receive, so it needs a new ``schemaVersion`` and files of its own."""
    assert dcc.certificate_xml(stored(kind)) == (DATA / f"certificate_v1_{kind}.xml").read_bytes()


@pytest.mark.parametrize("kind", KINDS)
def test_the_version_1_xml_says_what_the_signed_json_says(kind):
    file = signed(kind)
    doc = file["certificate"]
    root = xml_root(kind)
    admin = root.find("d:administrativeData", NS)
    core = admin.find("d:coreData", NS)
    item = admin.find("d:items/d:item", NS)
    result_set = root.find("d:measurementResults/d:measurementResult", NS)
    results = doc["results"]

    assert root.tag == "{urn:jiliang:dcc-like:1}digitalCalibrationCertificate"
    assert root.get("schemaVersion") == "1"
    assert text(admin, "d:dccSoftware/d:software/d:documentFormat") == "jiliang-certificate/1"
    assert text(core, "d:uniqueIdentifier") == doc["number"]
    assert text(core, "d:certificateKind") == doc["kind"]
    assert text(core, "d:issueDate") == doc["issued_on"]
    assert text(core, "d:beginPerformanceDate") == text(core, "d:endPerformanceDate") == doc["performed_on"]
    assert text(core, "d:performanceLocation") == doc["conditions"]["place"]
    assert text(core, "d:previousReport") == doc["supersedes"]
    assert text(core, "d:publicCheck") == doc["public_check"]
    instrument = doc["instrument"]
    assert text(item, "d:name") == instrument["name"]
    assert text(item, "d:manufacturer/d:name") == instrument["manufacturer"]
    assert text(item, "d:model") == instrument["model"]
    assert text(item, "d:measuringRange") == instrument["measuring_range"]
    assert text(item, "d:accuracyClass") == instrument["accuracy_class"]
    assert text(item, "d:catalogCode") == instrument["catalog_code"]
    assert text(item, "d:catalogKind") == instrument["catalog_kind"]
    assert text(item, "d:identifications/d:identification/d:value") == instrument["serial_number"]
    lab = admin.find("d:calibrationLaboratory/d:contact", NS)
    assert (text(lab, "d:name"), text(lab, "d:creditCode"), text(lab, "d:code")) == (
        doc["institute"]["name"],
        doc["institute"]["credit_code"],
        doc["institute"]["code"],
    )
    persons = {text(p, "d:role"): text(p, "d:person/d:name") for p in admin.findall("d:respPersons/d:respPerson", NS)}
    assert persons == doc["signatories"]
    customer = admin.find("d:customer", NS)
    assert (text(customer, "d:name"), text(customer, "d:creditCode"), text(customer, "d:address")) == (
        doc["owner"]["name"],
        doc["owner"]["credit_code"],
        doc["owner"]["address"],
    )
    statement = admin.find("d:statements/d:statement", NS)
    assert text(statement, "d:conformity") == {"pass": "pass", "fail": "fail"}.get(results["conclusion"], "notStated")
    assert text(statement, "d:nextDueDate") == doc["next_due_on"]
    assert text(statement, "d:validUntil") == doc["valid_until"]

    assert text(result_set, "d:name") == results["service"]
    method = result_set.find("d:usedMethods/d:usedMethod", NS)
    if doc["procedure"] is None:
        assert method is None
    else:
        assert (text(method, "d:name"), text(method, "d:norm")) == (doc["procedure"]["name"], doc["procedure"]["code"])
    equipment = [
        {"name": text(e, "d:name"), "code": text(e, "d:identification"), "certificates": text(e, "d:certificates")}
        for e in result_set.findall("d:measuringEquipments/d:measuringEquipment", NS)
    ]
    assert equipment == doc["standards"]
    conditions = {
        c.get("type"): text(c, "d:value") for c in result_set.findall("d:influenceConditions/d:influenceCondition", NS)
    }
    assert conditions == {k: v for k, v in doc["conditions"].items() if k != "place" and v}
    table = result_set.find("d:results", NS)
    assert (table.get("unit"), table.get("resolution")) == (results["unit"], results["resolution"])
    rows = table.findall("d:result", NS)
    assert [row.get("index") for row in rows] == [str(i) for i in range(1, len(results["points"]) + 1)]
    for row, point in zip(rows, results["points"], strict=True):
        assert text(row, "d:label") == point["label"]
        assert text(row, "d:reference") == point["reference"]
        assert text(row, "d:indicated") == point["indicated"]
        assert text(row, "d:error") == point["error"]
        if results["service"] == "calibration":
            assert text(row, "d:expandedUncertainty") == results["expanded_uncertainty"]
            assert text(row, "d:coverageFactor") == results["coverage_factor"]
        else:
            assert text(row, "d:mpe") == point["mpe"]
            assert text(row, "d:passed") == ("true" if point["passed"] else "false")

    signature = root.find("d:signature", NS)
    assert text(signature, "d:algorithm") == file["signature"]["algorithm"] == "Ed25519"
    assert text(signature, "d:signedContent") == file["signature"]["canonical_form"]
    assert text(signature, "d:keyId") == file["signature"]["key_id"]
    assert text(signature, "d:value") == file["signature"]["value"]


def test_the_three_files_cover_a_pass_a_failure_and_a_calibration():
    """What the XML test above walks through: a superseding certificate, a point outside its MPE, U and k."""
    verification, failure, calibration = (signed(kind)["certificate"] for kind in KINDS)

    assert verification["results"]["conclusion"] == "pass" and verification["supersedes"]
    assert failure["results"]["conclusion"] == "fail"
    assert [p["passed"] for p in failure["results"]["points"]] == [True, False]
    assert calibration["results"]["conclusion"] == "calibrated"
    assert calibration["results"]["coverage_factor"] == "2"
    assert calibration["procedure"] is None and calibration["valid_until"] is None
