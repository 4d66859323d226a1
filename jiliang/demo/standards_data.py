"""What the demo city's institutes keep: measurement-standard templates with their scope and equipment.

The templates are data, in ``data/standards.toml`` (its head says what each key means); this module reads them once,
checks them, and hands them to :mod:`jiliang.demo.institutes` as the tuples below.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import datafile

STD = "standard"
AUX = "ancillary"

DATA_FILE = datafile.DATA_DIR / "standards.toml"


@dataclass(frozen=True)
class Equip:
    role: str
    name: str
    model: str
    maker: str
    # Recalibration interval of the piece, months.
    months: int
    # Accuracy stated on its certificate.
    accuracy: str
    # Key of the city standard that calibrates it; "" means the template's own rule (see Template.parent).
    by: str = ""


@dataclass(frozen=True)
class Template:
    key: str
    code: str
    name: str
    measurand: str
    measuring_range: str
    uncertainty: str
    # Catalog items (codes of CatalogItem) whose verification this standard supports.
    items: tuple[str, ...]
    # Procedure codes (JJG/JJF) of its scope.
    procedures: tuple[str, ...]
    equipment: tuple[Equip, ...]
    # Also kept by (most) county institutes; their standard equipment is then calibrated by the city's one.
    counties: bool = False
    # Key of the city standard that calibrates this city standard's equipment; "" means an external authority.
    parent: str = ""
    highest: bool = False


@dataclass(frozen=True)
class StandardsData:
    templates: tuple[Template, ...]
    # City templates the city keeps twice, with a second range: key → (code, measuring range, uncertainty).
    second_ranges: dict[str, tuple[str, str, str]]
    # Catalog items no public standard of the city covers.
    uncovered_items: tuple[str, ...]
    # Names of the regulations (JJG/JJF) the templates use, for the Procedure rows the catalog did not create.
    procedure_names: dict[str, str]


_EQUIP_KEYS = {"role": str, "name": str, "model": str, "maker": str, "months": int, "accuracy": str, "by": str}
_TEMPLATE_KEYS = {
    **{name: str for name in ("key", "code", "name", "measurand", "measuring_range", "uncertainty", "parent")},
    **{name: list for name in ("items", "procedures", "equipment", "shared")},
    "counties": bool,
    "highest": bool,
}
_OPTIONAL = {"by", "parent", "shared", "counties", "highest"}


def _equip(row: Any, where: str) -> Equip:
    piece = Equip(**datafile.fields(row, _EQUIP_KEYS, where, _OPTIONAL))
    if piece.role not in (STD, AUX):
        raise ValueError(f"{where}: role must be {STD!r} or {AUX!r}, got {piece.role!r}")
    return piece


def load(path: Path = DATA_FILE) -> StandardsData:
    """Read and check the templates: every key known, every ``shared``, ``by``, ``parent`` and second range naming
    something that exists, keys unique."""
    data = datafile.read(path, {"uncovered_items", "equipment", "template", "second_ranges", "procedures"})
    shared = {key: _equip(row, f"equipment.{key}") for key, row in data.get("equipment", {}).items()}
    templates = []
    for index, row in enumerate(data["template"]):
        where = f"template {row.get('key', index + 1) if isinstance(row, dict) else index + 1}"
        fields = datafile.fields(row, _TEMPLATE_KEYS, where, _OPTIONAL)
        names = datafile.strings(fields.pop("shared", []), where)
        missing = [name for name in names if name not in shared]
        if missing:
            raise ValueError(f"{where}: shared equipment {missing} is not in [equipment]")
        own = [_equip(piece, f"{where}, equipment {i + 1}") for i, piece in enumerate(fields.pop("equipment"))]
        # Shared pieces after the template's own, as they always were: the demo's random draws walk them in order.
        fields["equipment"] = (*own, *(shared[name] for name in names))
        fields["items"] = datafile.strings(fields["items"], where)
        fields["procedures"] = datafile.strings(fields["procedures"], where)
        templates.append(Template(**fields))
    keys = [t.key for t in templates]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{path.name}: template keys repeat: {sorted({k for k in keys if keys.count(k) > 1})}")
    for t in templates:
        wrong = [name for name in (t.parent, *(piece.by for piece in t.equipment)) if name and name not in keys]
        if wrong:
            raise ValueError(f"template {t.key}: parent or by names no template: {wrong}")
    second_ranges: dict[str, tuple[str, str, str]] = {}
    for key, value in data.get("second_ranges", {}).items():
        if key not in keys or len(value) != 3:
            raise ValueError(f"second_ranges.{key}: expected [code, range, uncertainty] of a template, got {value!r}")
        code, measuring_range, uncertainty = datafile.strings(value, f"second_ranges.{key}")
        second_ranges[key] = (code, measuring_range, uncertainty)
    procedure_names = data.get("procedures", {})
    datafile.strings(list(procedure_names.values()), "procedures")
    return StandardsData(
        templates=tuple(templates),
        second_ranges=second_ranges,
        uncovered_items=datafile.strings(data.get("uncovered_items", []), "uncovered_items"),
        procedure_names=dict(procedure_names),
    )


_DATA = load()
TEMPLATES: tuple[Template, ...] = _DATA.templates
SECOND_RANGES: dict[str, tuple[str, str, str]] = _DATA.second_ranges
UNCOVERED_ITEMS: tuple[str, ...] = _DATA.uncovered_items
PROCEDURE_NAMES: dict[str, str] = _DATA.procedure_names
