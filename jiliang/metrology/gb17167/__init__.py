"""GB 17167-2006 《用能单位能源计量器具配备和管理通则》: configuration rates and accuracy classes of the energy
meters of one energy-using unit, and conversion to tonnes of coal equivalent (GB/T 2589-2020).

What is confirmed (the project's reference notes, docs/reference/gb17167.md): the standard is in force since
2007-01-01, clauses 4.3.2-4.3.5 and 4.3.8 are mandatory; 能源计量器具配备率 = installed ÷ required × 100 %; three
levels are checked: the unit's inputs and outputs (进出用能单位, ``unit``), its main secondary units
(进出主要次级用能单位, ``secondary``) and its main equipment (主要用能设备, ``equipment``). A secondary unit or a
device is *main* for an energy when its consumption reaches the limit of Table 1 or Table 2.

**Tables 1-4 are unconfirmed** (from memory). They are data, in ``data/gb17167_2006.json``, with the confidence of
each table and of each conflicting value; ``check`` reports the confidence of every table it used. An
administrator's corrected copy is passed as ``tables=tables_from_data(...)``.

How ``check`` counts, per energy and level: every metering point of the unit's boundary is required; a point of a
secondary unit (or a device) is required when that unit's (device's) consumption of the point's energy reaches
Table 1 (Table 2); seasonal-heating steam or hot water is exempt at secondary units (Table 3 note). A required point
counts as installed when at least one meter is on it, so a meter on a point that is not required does not raise the
rate. The rate passes when installed × 100 ≥ Table 3's rate × required, compared exactly (unrounded). Every meter's
class is judged against Table 4, and a meter whose verification or calibration is not valid fails.

Worked example (ours): a plant with one metered electricity supply, a workshop of 50 kW (main: Table 1 limit
10 kW) with its own meter, and a 2 t/h coal boiler (main: Table 2 limit 1 t/h) without a coal scale:

>>> plant = EnergyUsingUnit(
...     name="示例工厂",
...     electricity_user_class="III",
...     points=(MeteringPoint("electricity", (Meter("E1", "ac_energy_meter", "1.0", valid=True),), "进线"),),
...     secondary_units=(
...         SecondaryUnit("一车间", {"electricity": 50}, (MeteringPoint("electricity", (Meter("E2", "ac_energy_meter", "1.0", valid=True),)),)),
...     ),
...     equipment=(Equipment("1号锅炉", {"coal": 2}, (MeteringPoint("coal"),)),),
... )
>>> result = check(plant)
>>> [(r.level, r.energy, r.required, r.installed, r.rate, r.required_rate, r.passed) for r in result.rates]
[('unit', 'electricity', 1, 1, 100.0, 100.0, True), ('secondary', 'electricity', 1, 1, 100.0, 100.0, True), ('equipment', 'coal', 1, 0, 0.0, 90.0, False)]
>>> result.passed, [(t.key, t.confidence) for t in result.tables][:2]
(False, [('table1', 'unconfirmed'), ('table2', 'unconfirmed')])
>>> round(to_tce(10_000, "electricity", "kWh"), 4)  # 10 000 kWh × 0.1229 kgce/kWh
1.229

The package: ``tables`` (Tables 1-4 and the electricity user classes, loaded from data), ``configuration`` (the
input of a check and the check itself), ``tce`` (GB/T 2589-2020 coefficients and the conversion). Import the names
from ``jiliang.metrology.gb17167``.
"""

from __future__ import annotations

from ..shipped import DATA_DIR
from .configuration import (
    UNDETERMINED,
    CheckResult,
    EnergyUsingUnit,
    Equipment,
    Meter,
    MeteringPoint,
    MeterResult,
    RateResult,
    Reason,
    SecondaryUnit,
    check,
    parse_accuracy_class,
)
from .tables import (
    CONFIDENCES,
    TABLES_FILE,
    ClassRequirement,
    EnergyType,
    Gb17167Tables,
    Level,
    Limit,
    TableInfo,
    UserClass,
    default_tables,
    electricity_user_class,
    tables_from_data,
)
from .tce import TCE_FILE, TceCoefficient, TceTable, default_tce_table, tce_coefficient, tce_table_from_data, to_tce

__all__ = [
    "CONFIDENCES",
    "DATA_DIR",
    "TABLES_FILE",
    "TCE_FILE",
    "UNDETERMINED",
    "CheckResult",
    "ClassRequirement",
    "EnergyType",
    "EnergyUsingUnit",
    "Equipment",
    "Gb17167Tables",
    "Level",
    "Limit",
    "Meter",
    "MeterResult",
    "MeteringPoint",
    "RateResult",
    "Reason",
    "SecondaryUnit",
    "TableInfo",
    "TceCoefficient",
    "TceTable",
    "UserClass",
    "check",
    "default_tables",
    "default_tce_table",
    "electricity_user_class",
    "parse_accuracy_class",
    "tables_from_data",
    "tce_coefficient",
    "tce_table_from_data",
    "to_tce",
]
