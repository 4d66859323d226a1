"""The certificate as XML following the structure of PTB's Digital Calibration Certificate (DCC).

Format ``urn:jiliang:dcc-like:1`` (version 1; docs/certificates.md maps every element). It follows the DCC's
sections — ``administrativeData`` (software, core data, items, calibration laboratory, responsible persons,
customer, statements) and ``measurementResults`` (used methods, measuring equipment, influence conditions, results)
— in our own namespace. It is *not* an instance of PTB's schema and claims no conformance with it: the element
names inside the sections are ours, and the signature is not an XML signature but the Ed25519 signature of the
canonical JSON document (``jiliang.metrology.signing``), repeated here so a reader can check it against the JSON.

Everything comes from ``certificate.document`` (what was signed).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from jiliang.metrology import signing

from ..models import Certificate

NAMESPACE = "urn:jiliang:dcc-like:1"
VERSION = "1"
SOFTWARE = "jiliang"

_CONFORMITY = {"pass": "pass", "fail": "fail"}


def _q(tag: str) -> str:
    # Elements are built unqualified and the root declares the default namespace (ElementTree's own
    # default_namespace option refuses the unqualified attributes we use).
    return tag


def _sub(parent: ET.Element, tag: str, text: Any = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, _q(tag), {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = str(text)
    return element


def _opt(parent: ET.Element, tag: str, text: Any) -> None:
    """A child only when there is a value (an absent element means "not stated")."""
    if text not in (None, ""):
        _sub(parent, tag, text)


def _administrative(root: ET.Element, doc: dict[str, Any]) -> None:
    admin = _sub(root, "administrativeData")
    software = _sub(_sub(admin, "dccSoftware"), "software")
    _sub(software, "name", SOFTWARE)
    _sub(software, "documentFormat", f"{doc.get('format', signing.FORMAT)}/{doc.get('version', '')}")

    core = _sub(admin, "coreData")
    _sub(core, "countryCodeISO3166_1", "CN")
    _sub(core, "usedLangCodeISO639_1", "zh")
    _sub(core, "mandatoryLangCodeISO639_1", "zh")
    _sub(core, "uniqueIdentifier", doc.get("number"))
    _sub(core, "certificateKind", doc.get("kind"))
    _opt(core, "issueDate", doc.get("issued_on"))
    _opt(core, "beginPerformanceDate", doc.get("performed_on"))
    _opt(core, "endPerformanceDate", doc.get("performed_on"))
    _opt(core, "performanceLocation", (doc.get("conditions") or {}).get("place"))
    _opt(core, "previousReport", doc.get("supersedes"))
    _opt(core, "publicCheck", doc.get("public_check"))

    instrument = doc.get("instrument") or {}
    item = _sub(_sub(admin, "items"), "item")
    _sub(item, "name", instrument.get("name"))
    _sub(_sub(item, "manufacturer"), "name", instrument.get("manufacturer") or "")
    _opt(item, "model", instrument.get("model"))
    _opt(item, "measuringRange", instrument.get("measuring_range"))
    _opt(item, "accuracyClass", instrument.get("accuracy_class"))
    _opt(item, "catalogCode", instrument.get("catalog_code"))
    _opt(item, "catalogKind", instrument.get("catalog_kind"))
    identifications = _sub(item, "identifications")
    identification = _sub(identifications, "identification")
    _sub(identification, "issuer", "manufacturer")
    _sub(identification, "value", instrument.get("serial_number") or "")
    _sub(identification, "name", "出厂编号")

    institute = doc.get("institute") or {}
    lab = _sub(_sub(admin, "calibrationLaboratory"), "contact")
    _sub(lab, "name", institute.get("name"))
    _opt(lab, "creditCode", institute.get("credit_code"))
    _opt(lab, "code", institute.get("code"))

    persons = _sub(admin, "respPersons")
    for role, name in (doc.get("signatories") or {}).items():
        if not name:
            continue
        person = _sub(persons, "respPerson")
        _sub(_sub(person, "person"), "name", name)
        _sub(person, "role", role)

    owner = doc.get("owner") or {}
    customer = _sub(admin, "customer")
    _sub(customer, "name", owner.get("name"))
    _opt(customer, "creditCode", owner.get("credit_code"))
    _opt(customer, "address", owner.get("address"))

    results = doc.get("results") or {}
    statement = _sub(_sub(admin, "statements"), "statement")
    _sub(statement, "conformity", _CONFORMITY.get(results.get("conclusion"), "notStated"))
    _opt(statement, "nextDueDate", doc.get("next_due_on"))
    _opt(statement, "validUntil", doc.get("valid_until"))


def _measurement(root: ET.Element, doc: dict[str, Any]) -> None:
    results = doc.get("results") or {}
    result_set = _sub(_sub(root, "measurementResults"), "measurementResult")
    _sub(result_set, "name", results.get("service"))

    procedure = doc.get("procedure")
    methods = _sub(result_set, "usedMethods")
    if procedure:
        method = _sub(methods, "usedMethod")
        _sub(method, "name", procedure.get("name"))
        _sub(method, "norm", procedure.get("code"))

    equipments = _sub(result_set, "measuringEquipments")
    for standard in doc.get("standards") or []:
        equipment = _sub(equipments, "measuringEquipment")
        _sub(equipment, "name", standard.get("name"))
        _sub(equipment, "identification", standard.get("code"))
        _sub(equipment, "certificates", standard.get("certificates") or "")

    conditions = doc.get("conditions") or {}
    influences = _sub(result_set, "influenceConditions")
    for kind, key in (("temperature", "temperature"), ("humidity", "humidity"), ("other", "other")):
        if conditions.get(key):
            _sub(_sub(influences, "influenceCondition", type=kind), "value", conditions[key])

    calibration = results.get("service") == "calibration"
    points = _sub(
        result_set,
        "results",
        unit=results.get("unit") or None,
        resolution=results.get("resolution") or None,
    )
    for index, point in enumerate(results.get("points") or [], start=1):
        result = _sub(points, "result", index=str(index))
        _opt(result, "label", point.get("label"))
        _sub(result, "reference", point.get("reference"))
        _sub(result, "indicated", point.get("indicated"))
        _sub(result, "error", point.get("error"))
        if calibration:
            _opt(result, "expandedUncertainty", results.get("expanded_uncertainty"))
            _opt(result, "coverageFactor", results.get("coverage_factor"))
        else:
            _opt(result, "mpe", point.get("mpe"))
            if point.get("passed") is not None:
                _sub(result, "passed", "true" if point["passed"] else "false")


def certificate_xml(certificate: Certificate) -> bytes:
    """The certificate in our DCC-like XML (UTF-8, with an XML declaration)."""
    doc = certificate.document
    root = ET.Element(_q("digitalCalibrationCertificate"), {"xmlns": NAMESPACE, "schemaVersion": VERSION})
    _administrative(root, doc)
    _measurement(root, doc)
    signature = _sub(root, "signature")
    _sub(signature, "algorithm", signing.ALGORITHM)
    _sub(signature, "signedContent", f"{signing.FORMAT}/{signing.CANONICAL_VERSION}")
    _sub(
        signature,
        "note",
        "The signature is over the canonical form of the JSON document (docs/certificates.md), not over this XML.",
    )
    _sub(signature, "keyId", certificate.key_id)
    _sub(signature, "value", certificate.signature)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
