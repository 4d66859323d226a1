"""Which instruments each kind of owner holds, with invented manufacturers and plausible models.

Model designations follow the Chinese product-code conventions where one exists (ACS electronic price scales,
TCS platform scales, SCS truck scales, DJY fuel dispensers, LXS rotary-vane water meters, DDZY/DTZY smart
electricity meters, Y-series pressure gauges); manufacturer names are made up.
"""

from __future__ import annotations

from dataclasses import dataclass

from jiliang.core.models import Organization

Category = Organization.Category


@dataclass(frozen=True)
class Kind:
    """One kind of instrument: its catalog row (``None`` when not under mandatory control) and its variants."""

    catalog: str | None
    name: str
    # (manufacturer, serial-number prefix)
    makers: tuple[tuple[str, str], ...]
    # (model, measuring range, accuracy class)
    variants: tuple[tuple[str, str, str], ...]
    # Where it is installed, when the kind decides it (a taxi, a home); otherwise the owner's profile decides.
    location: str = ""


KINDS: dict[str, Kind] = {
    "price_scale": Kind(
        "02",
        "电子计价秤",
        (
            ("上海华衡衡器有限公司", "HH"),
            ("永康金福衡器有限公司", "JF"),
            ("广州粤衡电子衡器有限公司", "YH"),
            ("常州天衡衡器有限公司", "TH"),
        ),
        (("ACS-15", "(0.04～15) kg", "Ⅲ"), ("ACS-30", "(0.1～30) kg", "Ⅲ"), ("ACS-6", "(0.02～6) kg", "Ⅲ")),
    ),
    "analog_scale": Kind(
        "04",
        "案秤",
        (("永康金福衡器有限公司", "JF"), ("山东鲁衡衡器厂", "LH")),
        (("AGT-10", "(0.1～10) kg", "Ⅲ"), ("TGT-100", "(1～100) kg", "Ⅲ")),
    ),
    "platform_scale": Kind(
        "03",
        "电子台秤",
        (("上海华衡衡器有限公司", "HH"), ("常州天衡衡器有限公司", "TH"), ("辽宁北衡称重设备有限公司", "BH")),
        (("TCS-150", "(1～150) kg", "Ⅲ"), ("TCS-300", "(2～300) kg", "Ⅲ"), ("TCS-60", "(0.4～60) kg", "Ⅲ")),
    ),
    "truck_scale": Kind(
        "03",
        "电子汽车衡",
        (("辽宁北衡称重设备有限公司", "BH"), ("河北冀衡衡器有限公司", "JH")),
        (("SCS-60", "(0.4～60) t", "Ⅲ"), ("SCS-100", "(0.4～100) t", "Ⅲ"), ("SCS-150", "(1～150) t", "Ⅲ")),
    ),
    "dynamic_truck_scale": Kind(
        "05",
        "动态公路车辆自动衡器",
        (("河北冀衡衡器有限公司", "JH"),),
        (("DCS-100", "(1～100) t", "2级"), ("DCS-150", "(1～150) t", "2级")),
    ),
    "belt_scale": Kind(
        "06",
        "电子皮带秤",
        (("徐州矿衡称重技术有限公司", "KH"),),
        (("ICS-17A", "(100～800) t/h", "0.5级"), ("ICS-20", "(200～1500) t/h", "1级")),
    ),
    "weights": Kind(
        "47",
        "砝码",
        (("沈阳正衡砝码厂", "ZH"),),
        (("M1-20kg", "20 kg", "M1"), ("M1-5kg", "5 kg", "M1"), ("M2-10kg", "10 kg", "M2")),
    ),
    "fuel_dispenser": Kind(
        "08",
        "燃油加油机",
        (("北京恒力加油机制造有限公司", "HL"), ("浙江长江加油设备有限公司", "CJ"), ("郑州中原加油机有限公司", "ZY")),
        (
            ("DJY-222A", "(5～50) L/min", "0.3级"),
            ("DJY-444A", "(5～50) L/min", "0.3级"),
            ("DJY-121B", "(5～90) L/min", "0.3级"),
        ),
    ),
    "lpg_dispenser": Kind(
        "09",
        "液化石油气加气机",
        (("成都川能加气设备有限公司", "CN"),),
        (("LPG-2A", "(5～50) kg/min", "1.0级"),),
    ),
    "cng_dispenser": Kind(
        "10",
        "压缩天然气加气机",
        (("成都川能加气设备有限公司", "CN"), ("四川蓝天燃气设备有限公司", "LT")),
        (("CNG-B2", "(0～30) kg/min", "1.0级"), ("CNG-S1", "(0～25) kg/min", "1.0级")),
    ),
    "lng_dispenser": Kind(
        "11",
        "液化天然气加气机",
        (("四川蓝天燃气设备有限公司", "LT"),),
        (("LNG-D1", "(3～80) kg/min", "1.5级"),),
    ),
    "ac_charger": Kind(
        "12",
        "交流充电桩",
        (("深圳电享充电设备有限公司", "DX"), ("青岛海能电气有限公司", "HN")),
        (("ACP-7K", "220 V, 32 A", "2级"), ("ACP-11K", "380 V, 16 A", "2级")),
    ),
    "dc_charger": Kind(
        "13",
        "非车载充电机",
        (("深圳电享充电设备有限公司", "DX"), ("青岛海能电气有限公司", "HN")),
        (("DCP-60K", "(200～750) V, 60 kW", "1级"), ("DCP-120K", "(200～1000) V, 120 kW", "1级")),
    ),
    "water_meter": Kind(
        "14",
        "旋翼式水表",
        (("宁波甬水表业有限公司", "YS"), ("辽宁汇通水表有限公司", "HT"), ("湖南湘水计量仪表有限公司", "XS")),
        (("LXS-15E", "Q3=2.5 m³/h", "2级"), ("LXS-20E", "Q3=4 m³/h", "2级"), ("LXS-25E", "Q3=6.3 m³/h", "2级")),
        location="home",
    ),
    "water_meter_mid": Kind(
        "15",
        "旋翼式水表",
        (("宁波甬水表业有限公司", "YS"), ("辽宁汇通水表有限公司", "HT")),
        (("LXS-40E", "Q3=16 m³/h", "2级"), ("LXS-50E", "Q3=25 m³/h", "2级")),
        location="building",
    ),
    "water_meter_large": Kind(
        "16",
        "水平螺翼式水表",
        (("宁波甬水表业有限公司", "YS"), ("湖南湘水计量仪表有限公司", "XS")),
        (("LXLC-80", "Q3=63 m³/h", "2级"), ("LXLC-100", "Q3=100 m³/h", "2级"), ("LXLC-150", "Q3=250 m³/h", "2级")),
        location="building",
    ),
    "gas_meter": Kind(
        "17",
        "膜式燃气表",
        (("重庆山城燃气表有限公司", "SC"), ("浙江钱塘燃气表有限公司", "QT")),
        (
            ("JMB-G2.5", "(0.025～4) m³/h", "1.5级"),
            ("JMB-G1.6", "(0.016～2.5) m³/h", "1.5级"),
            ("JMB-G4", "(0.04～6) m³/h", "1.5级"),
        ),
        location="home",
    ),
    "gas_meter_large": Kind(
        "18",
        "气体涡轮流量计",
        (("浙江钱塘燃气表有限公司", "QT"),),
        (("LWQ-G25", "(2.5～40) m³/h", "1.0级"), ("LWQ-G65", "(5～100) m³/h", "1.0级")),
        location="building",
    ),
    "electricity_meter": Kind(
        "19",
        "智能电能表",
        (("宁波三星电气仪表有限公司", "SX"), ("杭州华立电表有限公司", "HL"), ("深圳科陆电子有限公司", "KL")),
        (
            ("DDZY71-Z", "5(60) A", "2级"),
            ("DDZY71-Z", "10(100) A", "2级"),
            ("DDZY285-Z", "5(60) A", "2级"),
            ("DTZY71", "3×1.5(6) A", "1级"),
        ),
        location="home",
    ),
    "heat_meter": Kind(
        "20",
        "户用超声波热能表",
        (("唐山汇中热能表有限公司", "HZ"), ("沈阳北方热计量仪表有限公司", "BF")),
        (("CRL-G-DN20", "qp=2.5 m³/h", "2级"), ("CRL-G-DN25", "qp=3.5 m³/h", "2级")),
        location="home",
    ),
    "taxi_meter": Kind(
        "21",
        "出租汽车计价器",
        (("沈阳金运计价器有限公司", "JY"), ("广州羊城计价器厂", "YC")),
        (("JJQ-2000A", "0～999.9 元", "±0.2%"), ("JJQ-3000", "0～999.9 元", "±0.2%")),
        location="taxi",
    ),
    "bp_mercury": Kind(
        "22",
        "台式血压计",
        (("江苏康乐医疗器械有限公司", "KL"), ("上海申美医疗器械有限公司", "SM")),
        (("XJ11D", "(0～300) mmHg", "±0.5 kPa"), ("XJ11DW", "(0～300) mmHg", "±0.5 kPa")),
    ),
    "bp_electronic": Kind(
        "23",
        "电子血压计",
        (("江苏康乐医疗器械有限公司", "KL"), ("深圳瑞安医疗电子有限公司", "RA")),
        (("BP-860", "(0～280) mmHg", "±3 mmHg"), ("BP-1320", "(0～299) mmHg", "±3 mmHg")),
    ),
    "tonometer": Kind(
        "24",
        "非接触式眼压计",
        (("天津明目医疗仪器有限公司", "MM"),),
        (("YT-200", "(0～60) mmHg", "±2 mmHg"),),
    ),
    "lensmeter": Kind(
        "25",
        "电脑焦度计",
        (("天津明目医疗仪器有限公司", "MM"), ("上海亮视光学仪器有限公司", "LS")),
        (("JD-860", "(-25～+25) m⁻¹", "±0.06 m⁻¹"), ("JD-600", "(-20～+20) m⁻¹", "±0.06 m⁻¹")),
    ),
    "refractometer": Kind(
        "26",
        "电脑验光仪",
        (("天津明目医疗仪器有限公司", "MM"), ("上海亮视光学仪器有限公司", "LS")),
        (("YG-900", "(-25～+22) m⁻¹", "±0.25 m⁻¹"), ("YG-780", "(-20～+20) m⁻¹", "±0.25 m⁻¹")),
    ),
    "trial_lens": Kind(
        "27",
        "验光镜片箱",
        (("上海亮视光学仪器有限公司", "LS"),),
        (("JPX-232", "232 片", "—"), ("JPX-266", "266 片", "—")),
    ),
    "ecg": Kind(
        "28",
        "心电图机",
        (("深圳瑞安医疗电子有限公司", "RA"), ("北京华康心电设备有限公司", "HK")),
        (("ECG-1203", "(0.05～150) Hz", "—"), ("ECG-3312", "(0.05～250) Hz", "—")),
    ),
    "eeg": Kind(
        "29",
        "脑电图机",
        (("北京华康心电设备有限公司", "HK"),),
        (("EEG-1200", "32 导联", "—"),),
    ),
    "monitor": Kind(
        "30",
        "多参数监护仪",
        (("深圳瑞安医疗电子有限公司", "RA"), ("北京华康心电设备有限公司", "HK")),
        (("PM-7000", "—", "—"), ("PM-9000E", "—", "—")),
    ),
    "oximeter": Kind(
        "31",
        "脉搏血氧饱和度仪",
        (("深圳瑞安医疗电子有限公司", "RA"), ("江苏康乐医疗器械有限公司", "KL")),
        (("SP-20", "(35～100)%", "±2%"), ("SP-60B", "(35～100)%", "±2%")),
    ),
    "ultrasound": Kind(
        "32",
        "彩色多普勒超声诊断仪",
        (("深圳瑞安医疗电子有限公司", "RA"),),
        (("US-6800", "(2～12) MHz", "—"),),
    ),
    "laser": Kind(
        "33",
        "医用激光治疗机",
        (("武汉光谷医用激光有限公司", "GG"),),
        (("CO2-30B", "30 W", "±20%"),),
    ),
    "ct": Kind(
        "34",
        "X 射线计算机体层摄影设备",
        (("沈阳东北医疗影像设备有限公司", "DB"),),
        (("CT-64S", "(80～140) kV", "—"), ("DR-5000", "(40～150) kV", "—")),
    ),
    "thermometer": Kind(
        "01",
        "玻璃体温计",
        (("江苏康乐医疗器械有限公司", "KL"), ("河北华康体温计厂", "WK")),
        (("三角型棒式", "(35～42) ℃", "+0.10/-0.15 ℃"), ("内标式", "(35～42) ℃", "+0.10/-0.15 ℃")),
    ),
    "sound_level_meter": Kind(
        "35",
        "声级计",
        (("杭州声联仪器有限公司", "SL"),),
        (("SL-5633", "(30～130) dB(A)", "2级"), ("SL-6228", "(20～132) dB(A)", "1级")),
    ),
    "gas_alarm": Kind(
        "38",
        "可燃气体检测报警器",
        (("深圳安防电子有限公司", "AF"), ("河南汉威气体检测有限公司", "HW")),
        (("KB-2100", "(0～100)% LEL", "±5% FS"), ("KB-3000", "(0～100)% LEL", "±5% FS")),
    ),
    "toxic_gas_alarm": Kind(
        "39",
        "有毒气体检测报警仪",
        (("河南汉威气体检测有限公司", "HW"),),
        (("DG-CO", "(0～1000) μmol/mol", "±5% FS"), ("DG-H2S", "(0～100) μmol/mol", "±5% FS")),
    ),
    "flue_gas": Kind(
        "42",
        "烟气分析仪",
        (("青岛环仪环境监测设备有限公司", "HY"),),
        (("YQ-3022", "SO₂ (0～5700) mg/m³", "±5%"),),
    ),
    "water_quality": Kind(
        "43",
        "COD 在线自动监测仪",
        (("青岛环仪环境监测设备有限公司", "HY"),),
        (("COD-2000", "(0～1000) mg/L", "±10%"),),
    ),
    "pressure_gauge": Kind(
        "44",
        "一般压力表",
        (("辽宁红旗仪表有限公司", "HQ"), ("上海申江压力表厂", "SJ"), ("西安秦岭仪表有限公司", "QL")),
        (("Y-100", "(0～1.6) MPa", "1.6级"), ("Y-60", "(0～1) MPa", "2.5级"), ("Y-150", "(0～2.5) MPa", "1.6级")),
    ),
    "grain_moisture": Kind(
        "45",
        "谷物水分测定仪",
        (("吉林粮科仪器有限公司", "LK"),),
        (("LDS-1G", "(3～35)%", "±0.5%"),),
    ),
    "radiation": Kind(
        "46",
        "X、γ 辐射剂量当量率仪",
        (("北京核安仪器有限公司", "HA"),),
        (("FH-40G", "(0.1～10⁶) μSv/h", "±15%"),),
    ),
    # Not in the mandatory catalog: kept in the registry, never under mandatory verification.
    "caliper": Kind(
        None,
        "游标卡尺",
        (("哈尔滨量具刃具厂", "HL"), ("桂林广陆量具有限公司", "GL")),
        (("0-150", "(0～150) mm", "0.02 mm"), ("0-300", "(0～300) mm", "0.02 mm")),
    ),
    "micrometer": Kind(
        None,
        "外径千分尺",
        (("哈尔滨量具刃具厂", "HL"),),
        (("0-25", "(0～25) mm", "0.01 mm"), ("25-50", "(25～50) mm", "0.01 mm")),
    ),
    "balance": Kind(
        None,
        "电子天平",
        (("上海精科天平有限公司", "JK"),),
        (("FA2004", "(0～200) g", "Ⅰ"), ("JA5003", "(0～500) g", "Ⅱ")),
    ),
    "centrifuge": Kind(
        None,
        "台式离心机",
        (("湖南湘仪离心机有限公司", "XY"),),
        (("TD5A", "(0～5000) r/min", "±50 r/min"),),
    ),
    "pd_meter": Kind(
        None,
        "瞳距仪",
        (("上海亮视光学仪器有限公司", "LS"),),
        (("PD-82", "(45～82) mm", "±0.5 mm"),),
    ),
}

TRADE, SAFETY, MEDICAL, ENVIRONMENT, OTHER = "trade", "safety", "medical", "environment", "other"


@dataclass(frozen=True)
class Profile:
    """A kind of owner: its category, how large it is, and the instruments it holds (kind, usage, weight)."""

    key: str
    category: str
    # Relative number of instruments an owner of this profile holds, next to others of its category.
    size: float
    mix: tuple[tuple[str, str, int], ...]
    places: tuple[str, ...] = ()


PROFILES: dict[str, Profile] = {
    p.key: p
    for p in (
        Profile(
            "market_fair",
            Category.MARKET_FAIR,
            1.0,
            (
                ("price_scale", TRADE, 80),
                ("analog_scale", TRADE, 6),
                ("platform_scale", TRADE, 8),
                ("weights", TRADE, 3),
            ),
            ("{n}号摊位", "{n}号摊位", "{n}号摊位", "公平秤服务台", "市场管理处"),
        ),
        Profile(
            "supermarket",
            Category.SUPERMARKET,
            1.0,
            (
                ("price_scale", TRADE, 60),
                ("platform_scale", TRADE, 15),
                ("platform_scale", OTHER, 10),
                ("weights", TRADE, 3),
                ("ac_charger", TRADE, 2),
                ("gas_alarm", SAFETY, 5),
                ("pressure_gauge", SAFETY, 5),
            ),
            ("生鲜区", "熟食区", "果蔬区", "收货区", "仓库", "停车场"),
        ),
        Profile(
            "petrol_station",
            Category.PETROL_STATION,
            1.0,
            (
                ("fuel_dispenser", TRADE, 80),
                ("ac_charger", TRADE, 2),
                ("dc_charger", TRADE, 3),
                ("pressure_gauge", SAFETY, 7),
                ("gas_alarm", SAFETY, 8),
            ),
            ("{n}号加油岛", "站房", "储罐区", "卸油口"),
        ),
        Profile(
            "gas_station",
            Category.PETROL_STATION,
            0.8,
            (
                ("cng_dispenser", TRADE, 45),
                ("lng_dispenser", TRADE, 15),
                ("lpg_dispenser", TRADE, 15),
                ("pressure_gauge", SAFETY, 15),
                ("gas_alarm", SAFETY, 10),
            ),
            ("{n}号加气岛", "站房", "储气井区", "压缩机房"),
        ),
        Profile(
            "hospital",
            Category.HOSPITAL,
            1.0,
            (
                ("thermometer", MEDICAL, 20),
                ("bp_electronic", MEDICAL, 15),
                ("bp_mercury", MEDICAL, 8),
                ("monitor", MEDICAL, 15),
                ("oximeter", MEDICAL, 10),
                ("ecg", MEDICAL, 6),
                ("eeg", MEDICAL, 1),
                ("ultrasound", MEDICAL, 4),
                ("ct", MEDICAL, 2),
                ("laser", MEDICAL, 1),
                ("tonometer", MEDICAL, 1),
                ("radiation", SAFETY, 1),
                ("pressure_gauge", SAFETY, 5),
                ("balance", OTHER, 3),
                ("centrifuge", OTHER, 3),
                ("platform_scale", OTHER, 2),
            ),
            (),
        ),
        Profile(
            "township_clinic",
            Category.TOWNSHIP_CLINIC,
            1.0,
            (
                ("thermometer", MEDICAL, 30),
                ("bp_mercury", MEDICAL, 15),
                ("bp_electronic", MEDICAL, 15),
                ("ecg", MEDICAL, 8),
                ("oximeter", MEDICAL, 8),
                ("monitor", MEDICAL, 4),
                ("ultrasound", MEDICAL, 2),
                ("ct", MEDICAL, 1),
                ("pressure_gauge", SAFETY, 3),
                ("platform_scale", OTHER, 2),
            ),
            ("门诊", "预防保健科", "住院部", "检验室", "锅炉房"),
        ),
        Profile(
            "community_clinic",
            Category.COMMUNITY_CLINIC,
            1.0,
            (
                ("thermometer", MEDICAL, 30),
                ("bp_electronic", MEDICAL, 25),
                ("bp_mercury", MEDICAL, 8),
                ("ecg", MEDICAL, 8),
                ("oximeter", MEDICAL, 10),
                ("monitor", MEDICAL, 3),
                ("ultrasound", MEDICAL, 2),
                ("balance", OTHER, 2),
            ),
            ("全科诊室", "预防接种室", "慢病管理室", "治疗室"),
        ),
        Profile(
            "glasses_shop",
            Category.GLASSES_SHOP,
            1.0,
            (
                ("lensmeter", MEDICAL, 35),
                ("refractometer", MEDICAL, 30),
                ("trial_lens", MEDICAL, 20),
                ("tonometer", MEDICAL, 3),
                ("pd_meter", OTHER, 12),
            ),
            ("验光室", "加工室", "营业厅"),
        ),
        Profile(
            "taxi_company",
            Category.TAXI_COMPANY,
            1.0,
            (("taxi_meter", TRADE, 92), ("dc_charger", OTHER, 6), ("pressure_gauge", SAFETY, 2)),
            ("公司停车场", "维修车间"),
        ),
        Profile(
            "factory",
            Category.FACTORY,
            1.0,
            (
                ("pressure_gauge", SAFETY, 45),
                ("pressure_gauge", OTHER, 15),
                ("truck_scale", TRADE, 6),
                ("platform_scale", TRADE, 5),
                ("dynamic_truck_scale", TRADE, 1),
                ("belt_scale", TRADE, 1),
                ("gas_alarm", SAFETY, 8),
                ("toxic_gas_alarm", SAFETY, 4),
                ("flue_gas", ENVIRONMENT, 2),
                ("water_quality", ENVIRONMENT, 1),
                ("sound_level_meter", ENVIRONMENT, 1),
                ("weights", TRADE, 1),
                ("grain_moisture", TRADE, 1),
                ("caliper", OTHER, 10),
                ("micrometer", OTHER, 5),
                ("balance", OTHER, 3),
            ),
            (),
        ),
        Profile(
            "utility_water",
            Category.UTILITY,
            1.5,
            (
                ("water_meter", TRADE, 85),
                ("water_meter_mid", TRADE, 9),
                ("water_meter_large", TRADE, 4),
                ("water_quality", ENVIRONMENT, 1),
                ("pressure_gauge", SAFETY, 1),
            ),
            ("水厂", "加压泵站", "化验室"),
        ),
        Profile(
            "utility_power",
            Category.UTILITY,
            2.0,
            (("electricity_meter", TRADE, 99), ("pressure_gauge", SAFETY, 1)),
            ("变电站", "营业厅"),
        ),
        Profile(
            "utility_gas",
            Category.UTILITY,
            1.0,
            (
                ("gas_meter", TRADE, 92),
                ("gas_meter_large", TRADE, 4),
                ("gas_alarm", SAFETY, 2),
                ("pressure_gauge", SAFETY, 2),
            ),
            ("门站", "调压站", "储配站"),
        ),
        Profile(
            "utility_heat",
            Category.UTILITY,
            0.5,
            (("heat_meter", TRADE, 88), ("pressure_gauge", SAFETY, 10), ("water_meter_large", TRADE, 2)),
            ("热源厂", "换热站"),
        ),
        Profile(
            "school",
            Category.SCHOOL,
            1.0,
            (
                ("thermometer", MEDICAL, 30),
                ("bp_electronic", MEDICAL, 10),
                ("platform_scale", TRADE, 15),
                ("price_scale", TRADE, 5),
                ("balance", OTHER, 25),
                ("caliper", OTHER, 10),
                ("gas_alarm", SAFETY, 2),
                ("pressure_gauge", SAFETY, 3),
            ),
            (),
        ),
    )
}

# Share of the city's owners, and of its instruments, held by each category (utility meters dominate the count,
# as docs/domain.md §6 says: about 10^6 utility meters next to 10^5 periodically verified instruments).
CATEGORY_SHARES: tuple[tuple[str, int, int], ...] = (
    # (category, owners %, instruments %)
    (Category.MARKET_FAIR, 8, 10),
    (Category.SUPERMARKET, 10, 6),
    (Category.PETROL_STATION, 7, 4),
    (Category.HOSPITAL, 2, 6),
    (Category.TOWNSHIP_CLINIC, 4, 3),
    (Category.COMMUNITY_CLINIC, 4, 2),
    (Category.GLASSES_SHOP, 7, 2),
    (Category.TAXI_COMPANY, 2, 3),
    (Category.FACTORY, 47, 19),
    (Category.UTILITY, 1, 42),
    (Category.SCHOOL, 8, 3),
)
