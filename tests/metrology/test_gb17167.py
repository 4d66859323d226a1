"""GB 17167-2006 energy meter configuration and tce conversion (jiliang.metrology.gb17167).

Source of every expected value: the project's reference notes on GB 17167-2006 and GB/T 2589-2020
(docs/reference/gb17167.md), copied here as literals so that the shipped data is checked against them.
"""

from decimal import Decimal

import pint
import pytest

from jiliang.metrology import gb17167 as g
from jiliang.metrology.gb17167 import (
    EnergyUsingUnit,
    Equipment,
    Meter,
    MeteringPoint,
    SecondaryUnit,
    check,
    to_tce,
)

TABLES = g.default_tables()


def metered(energy, *meters, name="", seasonal_heating=False):
    return MeteringPoint(energy, tuple(meters), name, seasonal_heating)


def meter(meter_id, instrument="ac_energy_meter", accuracy_class="0.5", use=None, valid=True):
    return Meter(meter_id, instrument, accuracy_class, use, valid)


def row(result, level, energy):
    (found,) = [r for r in result.rates if r.level == level and r.energy == energy]
    return found


# --- the shipped tables are the reference notes' tables

# gb17167.md, Table 1 (a secondary unit is main from) and Table 2 (a device is main equipment from).
TABLE_1 = {
    "electricity": (10, "kW"),
    "coal": (100, "t/a"),
    "coke": (100, "t/a"),
    "crude_oil": (40, "t/a"),
    "refined_oil": (40, "t/a"),
    "lpg": (40, "t/a"),
    "heavy_oil": (80, "t/a"),
    "residual_oil": (80, "t/a"),
    "coal_gas": (10_000, "m³/a"),
    "natural_gas": (10_000, "m³/a"),
    "steam": (5_000, "GJ/a"),
    "hot_water": (5_000, "GJ/a"),
    "water": (5_000, "t/a"),
    "other": (2_926, "GJ/a"),
}
TABLE_2 = {
    "electricity": (100, "kW"),
    "coal": (1, "t/h"),
    "coke": (1, "t/h"),
    "crude_oil": (Decimal("0.5"), "t/h"),
    "refined_oil": (Decimal("0.5"), "t/h"),
    "lpg": (Decimal("0.5"), "t/h"),
    "heavy_oil": (1, "t/h"),
    "residual_oil": (1, "t/h"),
    "coal_gas": (100, "m³/h"),
    "natural_gas": (100, "m³/h"),
    "steam": (7, "MW"),
    "hot_water": (7, "MW"),
    "water": (1, "t/h"),
    "other": (Decimal("29.26"), "MW"),
}
# gb17167.md, Table 3: unit in/out, main secondary units, main equipment (None: —).
TABLE_3 = {
    "electricity": (100, 100, 95),
    "coal": (100, 100, 90),
    "coke": (100, 100, 90),
    "crude_oil": (100, 100, 90),
    "refined_oil": (100, 100, 95),
    "heavy_oil": (100, 100, 90),
    "residual_oil": (100, 100, 90),
    "natural_gas": (100, 100, 90),
    "lpg": (100, 100, 90),
    "coal_gas": (100, 90, 80),
    "steam": (100, 80, 70),
    "water": (100, 95, 80),
    "waste_energy": (90, 80, None),
}
# gb17167.md, Table 4: (instrument, use) → class.
TABLE_4 = {
    ("weighing_instrument", "fuel_static"): Decimal("0.1"),
    ("weighing_instrument", "fuel_dynamic"): Decimal("0.5"),
    ("ac_energy_meter", "user_class_I"): Decimal("0.5"),
    ("ac_energy_meter", "user_class_II"): Decimal("0.5"),
    ("ac_energy_meter", "user_class_III"): Decimal("1.0"),
    ("ac_energy_meter", "user_class_IV"): Decimal("2.0"),
    ("ac_energy_meter", "user_class_V"): Decimal("2.0"),
    ("dc_energy_meter", "in_out"): Decimal("2.0"),
    ("oil_flow_meter", "refined_oil"): Decimal("0.5"),
    ("oil_flow_meter", "heavy_residual_oil"): Decimal("1.0"),
    ("gas_flow_meter", "coal_gas"): Decimal("2.0"),
    ("gas_flow_meter", "natural_gas"): Decimal("2.0"),
    ("gas_flow_meter", "steam"): Decimal("2.5"),
    ("water_flow_meter", "pipe_le_250mm"): Decimal("2.5"),
    ("water_flow_meter", "pipe_gt_250mm"): Decimal("1.5"),
    ("temperature_instrument", "energy"): Decimal("2.0"),
    ("temperature_instrument", "mass_computation"): Decimal("1.0"),
    ("pressure_instrument", "energy"): Decimal("2.0"),
    ("pressure_instrument", "mass_computation"): Decimal("1.0"),
}


@pytest.mark.parametrize(("energy", "expected"), TABLE_1.items())
def test_table_1_limits_are_the_reference_values(energy, expected):
    limit = TABLES.limit(energy, "secondary")
    assert (limit.value, limit.unit) == expected


@pytest.mark.parametrize(("energy", "expected"), TABLE_2.items())
def test_table_2_limits_are_the_reference_values(energy, expected):
    limit = TABLES.limit(energy, "equipment")
    assert (limit.value, limit.unit) == expected


@pytest.mark.parametrize(("energy", "expected"), TABLE_3.items())
def test_table_3_rates_are_the_reference_values(energy, expected):
    assert tuple(TABLES.required_rate(energy, level) for level in ("unit", "secondary", "equipment")) == expected


def test_table_4_classes_are_the_reference_values():
    assert {(r.instrument, r.use): r.accuracy_class for r in TABLES.table4} == TABLE_4


def test_the_tables_are_shipped_as_unconfirmed_with_their_conflicts_marked():
    # gb17167.md: "Every table below is unconfirmed"; Table 1 electricity 10 (conflict: or 100); Table 4 class I
    # 0.5 (conflict: 0.2).
    assert {key: info.confidence for key, info in TABLES.info.items()} == dict.fromkeys(TABLES.info, "unconfirmed")
    assert TABLES.table1["electricity"].confidence == "conflict"
    assert TABLES.info["table1"].conflicts == ("electricity: 10 kW (or 100)",)
    assert TABLES.info["table4"].conflicts == ("ac_energy_meter user_class_I: 0.5 (or 0.2)",)


# --- required, installed, rate (gb17167.md: 配备率 = installed ÷ required × 100 %; compare unrounded rates)


def test_a_secondary_unit_is_main_from_the_table_1_limit_on():
    unit = EnergyUsingUnit(
        "u",
        secondary_units=(
            SecondaryUnit("at the limit", {"electricity": 10}, (metered("electricity"),)),
            SecondaryUnit("just below", {"electricity": 9.99}, (metered("electricity"),)),
        ),
    )
    assert row(check(unit), "secondary", "electricity").required == 1


def test_a_device_is_main_equipment_from_the_table_2_limit_on():
    unit = EnergyUsingUnit(
        "u",
        equipment=(
            Equipment("boiler", {"coal": 1}, (metered("coal"),)),
            Equipment("small boiler", {"coal": 0.99}, (metered("coal"),)),
            Equipment("motor", {"electricity": 99}, (metered("electricity"),)),
        ),
    )
    result = check(unit)
    assert row(result, "equipment", "coal").required == 1
    electricity = row(result, "equipment", "electricity")
    assert (electricity.required, electricity.passed, electricity.reason) == (0, None, "nothing_required")


def test_rates_are_compared_unrounded():
    # Main equipment, electricity: Table 3 asks 95 %. 18 of 19 is 94.74 %, which would round to 95 %: it fails.
    # 19 of 20 is exactly 95 %: it passes (no binary floating-point slip).
    def unit_with(installed, total):
        devices = tuple(
            Equipment(
                f"M{i}", {"electricity": 150}, (metered("electricity", *([meter(f"m{i}")] if i < installed else [])),)
            )
            for i in range(total)
        )
        return EnergyUsingUnit("u", equipment=devices)

    short = row(check(unit_with(18, 19)), "equipment", "electricity")
    assert (short.required, short.installed, short.required_rate, short.passed) == (19, 18, 95.0, False)
    assert short.rate == pytest.approx(1800 / 19)
    exact = row(check(unit_with(19, 20)), "equipment", "electricity")
    assert (exact.rate, exact.passed) == (95.0, True)


def test_every_boundary_point_of_the_unit_is_required_at_100_percent():
    unit = EnergyUsingUnit(
        "u",
        points=(metered("natural_gas", meter("G1", "gas_flow_meter", "1.5")), metered("natural_gas", name="bypass")),
    )
    gas = row(check(unit), "unit", "natural_gas")
    assert (gas.required, gas.installed, gas.rate, gas.required_rate, gas.passed) == (2, 1, 50.0, 100.0, False)


def test_a_meter_on_a_point_that_is_not_required_does_not_raise_the_rate():
    unit = EnergyUsingUnit(
        "u",
        equipment=(
            Equipment("big", {"water": 5}, (metered("water"),)),
            Equipment(
                "small",
                {"water": Decimal("0.2")},
                (metered("water", meter("W1", "water_flow_meter", "2", use="pipe_le_250mm")),),
            ),
        ),
    )
    water = row(check(unit), "equipment", "water")
    assert (water.points, water.required, water.installed, water.rate) == (2, 1, 0, 0.0)


def test_seasonal_heating_steam_need_not_be_metered_at_secondary_units():
    # gb17167.md, Table 3 notes: seasonal heating steam/hot water need not be metered at secondary units.
    unit = EnergyUsingUnit(
        "u",
        secondary_units=(
            SecondaryUnit("office", {"steam": 6_000}, (metered("steam", seasonal_heating=True),)),
            SecondaryUnit("dryer", {"steam": 6_000}, (metered("steam"),)),
        ),
    )
    steam = row(check(unit), "secondary", "steam")
    assert (steam.required, steam.installed, steam.required_rate, steam.passed) == (1, 0, 80.0, False)


def test_waste_energy_on_main_equipment_has_no_required_rate():
    # gb17167.md, Table 3: recoverable waste energy, main equipment: —.
    unit = EnergyUsingUnit("u", equipment=(Equipment("kiln", {"waste_energy": 50}, (metered("waste_energy"),)),))
    waste = row(check(unit), "equipment", "waste_energy")
    assert (waste.required, waste.rate, waste.required_rate, waste.passed, waste.reason) == (
        1,
        0.0,
        None,
        None,
        "no_required_rate",
    )


def test_hot_water_is_judged_on_the_steam_row_of_table_3():
    assert TABLES.required_rate("hot_water", "secondary") == TABLES.required_rate("steam", "secondary") == 80


# --- accuracy classes (Table 4) and validity


def test_an_ac_meter_of_a_class_iii_user_must_be_class_1_or_better():
    unit = EnergyUsingUnit(
        "u",
        electricity_user_class="III",
        points=(
            metered("electricity", meter("good", accuracy_class="0.5S")),
            metered("electricity", meter("poor", accuracy_class="2.0")),
        ),
    )
    result = check(unit)
    classes = {m.meter: (m.required_class, m.class_passed) for m in result.meters}
    assert classes == {"good": (Decimal("1.0"), True), "poor": (Decimal("1.0"), False)}
    assert result.passed is False
    assert "electricity_user_classes" in [t.key for t in result.tables]


def test_a_class_i_user_is_judged_on_0_5_and_the_verdict_shows_the_conflict():
    unit = EnergyUsingUnit(
        "u", electricity_user_class="I", points=(metered("electricity", meter("E", accuracy_class="0.5S")),)
    )
    result = check(unit)
    assert result.meters[0].required_class == Decimal("0.5")
    assert result.passed is True
    table4 = next(t for t in result.tables if t.key == "table4")
    assert (table4.confidence, table4.conflicts) == ("unconfirmed", ("ac_energy_meter user_class_I: 0.5 (or 0.2)",))


def test_flow_meters_take_their_row_from_the_metered_energy():
    unit = EnergyUsingUnit(
        "u",
        points=(
            metered("heavy_oil", meter("O1", "oil_flow_meter", "1.0")),
            metered("steam", meter("S1", "gas_flow_meter", "2.5")),
            metered("refined_oil", meter("O2", "oil_flow_meter", "1.0")),
        ),
    )
    result = {m.meter: (m.use, m.required_class, m.class_passed) for m in check(unit).meters}
    assert result == {
        "O1": ("heavy_residual_oil", Decimal("1.0"), True),
        "S1": ("steam", Decimal("2.5"), True),
        "O2": ("refined_oil", Decimal("0.5"), False),
    }


def test_an_ac_meter_inside_the_plant_is_not_covered_by_table_4():
    unit = EnergyUsingUnit(
        "u",
        secondary_units=(
            SecondaryUnit("w", {"electricity": 20}, (metered("electricity", meter("E", accuracy_class="2.0")),)),
        ),
    )
    (result,) = check(unit).meters
    assert (result.required_class, result.class_passed, result.reasons) == (None, None, ("not_at_level",))


def test_a_meter_whose_use_cannot_be_decided_leaves_the_verdict_open():
    unit = EnergyUsingUnit("u", points=(metered("water", meter("W", "water_flow_meter", "2.5")),))
    result = check(unit)
    assert result.meters[0].reasons == ("use_ambiguous",)
    assert (result.passed, result.undetermined) == (None, ("W",))


def test_an_ac_meter_on_a_unit_without_a_user_class_leaves_the_verdict_open():
    result = check(EnergyUsingUnit("u", points=(metered("electricity", meter("E")),)))
    assert result.meters[0].reasons == ("user_class_missing",)
    assert result.passed is None


def test_a_meter_whose_verification_has_expired_fails_the_unit():
    # gb17167.md, "What a check reports": whether each meter's verification/calibration is valid.
    unit = EnergyUsingUnit(
        "u",
        electricity_user_class="IV",
        points=(metered("electricity", meter("E", accuracy_class="2.0", valid=False)),),
    )
    result = check(unit)
    assert result.meters[0].class_passed is True
    assert result.meters[0].reasons == ("not_valid",)
    assert result.passed is False


def test_a_meter_of_unknown_validity_leaves_the_verdict_open():
    unit = EnergyUsingUnit("u", electricity_user_class="IV", points=(metered("electricity", meter("E", valid=None)),))
    assert check(unit).passed is None


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # gb17167.md, electricity user classes: I ≥ 5 000 000 kWh a month or ≥ 10 000 kVA; II ≥ 1 000 000 kWh or
        # ≥ 2 000 kVA; III ≥ 100 000 kWh or ≥ 315 kVA; IV < 315 kVA; V single-phase.
        ({"monthly_kwh": 5_000_000}, "I"),
        ({"capacity_kva": 10_000}, "I"),
        ({"monthly_kwh": 4_999_999}, "II"),
        ({"capacity_kva": 2_000}, "II"),
        ({"monthly_kwh": 100_000}, "III"),
        ({"capacity_kva": 315}, "III"),
        ({"capacity_kva": 314}, "IV"),
        ({"monthly_kwh": 99_999, "capacity_kva": 2_500}, "II"),
        ({"single_phase": True}, "V"),
    ],
)
def test_the_electricity_user_class_follows_the_reference_thresholds(kwargs, expected):
    assert g.electricity_user_class(**kwargs) == expected


def test_the_verdict_lists_every_table_used_with_its_edition_and_confidence():
    result = check(EnergyUsingUnit("u", points=(metered("water"),)))
    assert [(t.key, t.standard, t.edition, t.confidence) for t in result.tables] == [
        ("table1", "GB 17167-2006", "2006", "unconfirmed"),
        ("table2", "GB 17167-2006", "2006", "unconfirmed"),
        ("table3", "GB 17167-2006", "2006", "unconfirmed"),
        ("table4", "GB 17167-2006", "2006", "unconfirmed"),
    ]


def test_corrected_tables_from_an_administrator_are_used_instead_of_the_shipped_ones():
    import json

    data = json.loads(g.TABLES_FILE.read_text(encoding="utf-8"))
    data["tables"]["table1"]["rows"]["electricity"] = {"limit": 100, "unit": "kW", "confidence": "confirmed"}
    corrected = g.tables_from_data(data)
    unit = EnergyUsingUnit("u", secondary_units=(SecondaryUnit("w", {"electricity": 50}, (metered("electricity"),)),))
    assert row(check(unit), "secondary", "electricity").required == 1
    assert row(check(unit, tables=corrected), "secondary", "electricity").required == 0
    assert corrected.info["table1"].conflicts == ()


# --- bad input


def test_an_unknown_energy_type_is_refused_with_its_name():
    with pytest.raises(ValueError, match="unknown energy type 'electric'; known: electricity, coal"):
        check(EnergyUsingUnit("u", points=(metered("electric"),)))
    with pytest.raises(ValueError, match="unknown energy type 'gas'"):
        check(EnergyUsingUnit("u", equipment=(Equipment("x", {"gas": 1}),)))


def test_a_point_whose_owner_has_no_consumption_for_its_energy_is_refused():
    with pytest.raises(ValueError, match="secondary unit 'w': no consumption given for 'steam'"):
        check(EnergyUsingUnit("u", secondary_units=(SecondaryUnit("w", {"electricity": 20}, (metered("steam"),)),)))


@pytest.mark.parametrize(
    ("bad_meter", "message"),
    [
        (meter("E", accuracy_class="good"), "accuracy class 'good' is not a class number"),
        (meter("E", use="user_class_VI"), "use 'user_class_VI' unknown for ac_energy_meter"),
    ],
)
def test_a_bad_meter_is_refused_with_the_reason(bad_meter, message):
    with pytest.raises(ValueError, match=message):
        check(EnergyUsingUnit("u", electricity_user_class="III", points=(metered("electricity", bad_meter),)))


def test_a_meter_id_used_twice_is_refused():
    with pytest.raises(ValueError, match="meter id 'E' is used twice"):
        check(EnergyUsingUnit("u", points=(metered("water", meter("E")), metered("water", meter("E")))))


def test_an_unknown_electricity_user_class_is_refused():
    with pytest.raises(ValueError, match="unknown electricity user class 'VI'"):
        check(EnergyUsingUnit("u", electricity_user_class="VI", points=(metered("electricity", meter("E")),)))


def test_a_user_class_needs_consumption_capacity_or_single_phase():
    with pytest.raises(ValueError, match="monthly consumption"):
        g.electricity_user_class()


# --- tonnes of coal equivalent (gb17167.md: GB/T 2589-2020 conversion)


def test_one_tce_is_29_3076_gj():
    # gb17167.md: 1 tce = 29.3076 GJ (confirmed definition: 7 000 kcal/kg).
    assert to_tce(29.3076, "heat", "GJ") == pytest.approx(1, rel=1e-12)
    assert to_tce(1, "heat", "GJ") == pytest.approx(1 / 29.3076, rel=1e-12)


def test_7000_international_kilocalories_are_29_3076_megajoules():
    # Recomputed independently with pint: the definition uses the international table calorie (4.1868 J).
    ureg = pint.UnitRegistry()
    assert ureg.Quantity(7000 * 1000, "international_calorie").to("MJ").magnitude == pytest.approx(29.3076, abs=1e-9)
    assert g.default_tce_table().kj_per_kgce == Decimal("29307.6")


@pytest.mark.parametrize(
    ("energy", "value", "per"),
    [
        # gb17167.md: electricity (equivalent value) 0.1229 kgce/kWh; raw coal 0.7143 kgce/kg; natural gas
        # 1.2143 kgce/m³; diesel 1.4571 kgce/kg; gasoline 1.4714 kgce/kg.
        ("electricity", "0.1229", "kWh"),
        ("raw_coal", "0.7143", "kg"),
        ("natural_gas", "1.2143", "m³"),
        ("diesel", "1.4571", "kg"),
        ("gasoline", "1.4714", "kg"),
    ],
)
def test_the_reference_coefficients_are_shipped_as_unconfirmed_data(energy, value, per):
    coefficient = g.tce_coefficient(energy)
    assert (coefficient.value, coefficient.per, coefficient.confidence) == (Decimal(value), per, "unconfirmed")
    assert (coefficient.standard, coefficient.edition) == ("GB/T 2589-2020", "2020")


@pytest.mark.parametrize("energy", ["electricity", "raw_coal", "natural_gas", "diesel", "gasoline"])
def test_each_coefficient_is_its_calorific_value_over_7000_kcal(energy):
    # Recomputed: kgce per unit = net calorific value (kcal per unit) ÷ 7 000 kcal/kgce, to four decimals
    # (860 kcal/kWh → 0.1229; 5 000 kcal/kg → 0.7143; 8 500 kcal/m³ → 1.2143; 10 200 → 1.4571; 10 300 → 1.4714).
    coefficient = g.tce_coefficient(energy)
    assert (coefficient.calorific_value_kcal / 7000).quantize(Decimal("0.0001")) == coefficient.value


def test_the_natural_gas_range_is_7700_to_9310_kcal():
    # gb17167.md: natural gas 1.2143 kgce/m³ (1.1000–1.3300).
    low, high = g.tce_coefficient("natural_gas").range
    assert (low, high) == (Decimal("1.1"), Decimal("1.33"))
    assert ((7700 / Decimal(7000)).quantize(Decimal("0.0001")), (9310 / Decimal(7000)).quantize(Decimal("0.0001"))) == (
        low,
        high,
    )


def test_quantities_in_other_units_are_converted_first():
    assert to_tce(1, "electricity", "MWh") == pytest.approx(0.1229)
    assert to_tce(10, "raw_coal", "t") == pytest.approx(7.143)
    assert to_tce(1000, "natural_gas", "m**3") == pytest.approx(1.2143)
    assert to_tce(3.6, "heat", "MJ") == pytest.approx(3.6e-3 / 29.3076)


def test_a_measured_coefficient_replaces_the_reference_value():
    assert to_tce(1000, "natural_gas", "m³", coefficient="1.3000") == pytest.approx(1.3)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((1, "coal", "t"), "unknown energy type 'coal' for conversion to coal equivalent"),
        ((1, "electricity", "parsec_per_fortnight_blah"), "unknown unit"),
        ((1, "electricity", "m³"), "cannot be converted to 'kWh'"),
        (("lots", "electricity", "kWh"), "quantity must be a number"),
    ],
)
def test_bad_tce_input_raises_a_value_error_naming_the_problem(args, message):
    with pytest.raises(ValueError, match=message):
        to_tce(*args)
