"""Reading the shipped catalog CSV (see data/README.md for its source)."""

from __future__ import annotations

import csv
from pathlib import Path

CATALOG_CSV = Path(__file__).resolve().parent / "data" / "catalog-2020.csv"


def catalog_rows(path: Path = CATALOG_CSV) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = []
        for raw in csv.DictReader(fh):
            rows.append(
                {
                    "code": raw["code"].strip(),
                    "item": raw["item"].strip(),
                    "kind": raw["kind"].strip(),
                    "supervision": raw["supervision"].strip(),
                    "usages": raw["usages"].strip(),
                    "mode": raw["mode"].strip(),
                    "interval_months": int(raw["interval_months"]) if raw["interval_months"].strip() else None,
                    "procedure": raw["procedure"].strip(),
                    "key_controlled": raw["key_controlled"].strip() == "yes",
                    "confidence": raw["confidence"].strip(),
                    "note": raw["note"].strip(),
                }
            )
        return rows
