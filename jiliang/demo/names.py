"""Names and places of the demo's cities (延安市, 阜新市) and the words their synthetic organizations are made of.

The cities, their county-level divisions (real names and GB/T 2260 codes) and what the demo calls their bureaus and
institutes come from ``data/cities.toml`` (see the notes there on what is real and what is assumed); the
organizations below the bureaus and every person are invented from the word lists here. Tuples, not sets, keep
every choice in a fixed order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import datafile

DATA_FILE = datafile.DATA_DIR / "cities.toml"


@dataclass(frozen=True)
class County:
    code: str
    name: str
    short: str
    # Pinyin initials, used in institute short codes (certificate number prefixes).
    initials: str
    urban: bool
    # Relative share of the city's owners located in this county.
    weight: int
    # Sub-districts (街道) of an urban district, or towns and townships (镇、乡) of a county.
    places: tuple[str, ...]
    # The city's number-plate prefix (taxis).
    plate: str = ""


@dataclass(frozen=True)
class City:
    key: str
    name: str
    short: str
    code: str
    province: str
    province_code: str
    # One-character abbreviation of the province (陕, 辽): qualification and assessment certificate numbers.
    province_short: str
    provincial_institute: str
    provincial_prefix: str
    plate: str
    bureau: str
    institute: str
    institute_code: str
    # The shipped plan (``indicators.Plan.code``) the city is scored against.
    plan: str
    login: str
    share: int
    birthplaces: tuple[str, ...]
    counties: tuple[County, ...]

    @property
    def seat(self) -> County:
        """The district the city's bureau and institute sit in (the first listed)."""
        return self.counties[0]


_CITY_KEYS = {
    **{
        name: str
        for name in (
            "name",
            "short",
            "code",
            "province",
            "province_code",
            "province_short",
            "provincial_institute",
            "provincial_prefix",
            "plate",
            "bureau",
            "institute",
            "institute_code",
            "plan",
            "login",
        )
    },
    "share": int,
    "birthplaces": list,
    "counties": list,
}
_COUNTY_KEYS = {
    "code": str,
    "name": str,
    "short": str,
    "initials": str,
    "urban": bool,
    "weight": int,
    "places": list,
}


def load(path: Path = DATA_FILE) -> dict[str, City]:
    """The cities by key, in the file's order; every key known and typed, every division code in its city's."""
    data = datafile.read(path, {"city"})
    cities: dict[str, City] = {}
    for key, row in data["city"].items():
        fields = datafile.fields(row, _CITY_KEYS, f"city.{key}")
        counties = []
        for i, county_row in enumerate(fields.pop("counties")):
            where = f"city.{key}, county {i + 1}"
            county = datafile.fields(county_row, _COUNTY_KEYS, where)
            county["places"] = datafile.strings(county["places"], where)
            if county["code"][:4] != fields["code"][:4] or len(county["code"]) != 6:
                raise ValueError(f"{where}: division code {county['code']} is not in {fields['code']}")
            counties.append(County(**county, plate=fields["plate"]))
        fields["birthplaces"] = datafile.strings(fields["birthplaces"], f"city.{key}")
        cities[key] = City(key=key, counties=tuple(counties), **fields)
    codes = [c.code for city in cities.values() for c in city.counties] + [city.code for city in cities.values()]
    if len(set(codes)) != len(codes):
        raise ValueError(f"{path.name}: division codes repeat")
    return cities


CITIES: dict[str, City] = load()


ROADS = (
    "人民路",
    "解放路",
    "建设大街",
    "中华路",
    "新华街",
    "文化路",
    "胜利路",
    "和平街",
    "光明路",
    "工业街",
    "滨河路",
    "朝阳街",
    "迎宾大道",
    "长江路",
    "黄河街",
    "育才路",
    "友谊街",
    "青年路",
    "兴华路",
    "站前路",
    "府前街",
    "健康路",
    "学府路",
    "商业街",
    "北环路",
    "南环路",
    "东风路",
    "西山路",
    "园林路",
    "幸福街",
    "振兴路",
    "繁荣街",
    "团结路",
    "红旗街",
    "光华路",
    "永安街",
    "民主路",
    "平安大街",
    "铁路街",
    "环城路",
)

VILLAGES = (
    "王家",
    "李家",
    "张家",
    "刘家",
    "前进",
    "红星",
    "东风",
    "新立",
    "胜利",
    "太平",
    "永兴",
    "五里",
    "三合",
    "双河",
    "北沟",
    "南营",
    "后屯",
    "马场",
    "杨树林",
    "石佛",
    "黄土坎",
    "大榆树",
    "小河沿",
    "二道岭",
)

COMMUNITIES = (
    "阳光",
    "和平",
    "幸福",
    "长青",
    "东苑",
    "西苑",
    "金桥",
    "锦华",
    "文苑",
    "春晖",
    "龙湾",
    "丽景",
    "康乐",
    "翠湖",
    "泰和",
    "安居",
    "福源",
    "新村",
    "馨园",
    "北湖",
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔向汤"
)
GIVEN_CHARS = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉梅辉鑫建国晓东红海燕志刚淑珍宇波斌宁林春雪丹"
    "立新凤英文博子涵思远浩然欣怡佳琪雨婷俊杰宏伟德胜慧敏"
)
MOBILE_PREFIXES = ("130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155", "158")

# Words that make up invented company and shop names.
TRADE_WORDS = (
    "恒信",
    "鑫源",
    "华兴",
    "永泰",
    "宏达",
    "金鼎",
    "瑞丰",
    "盛世",
    "天成",
    "隆基",
    "兴业",
    "昌盛",
    "东方",
    "北辰",
    "正阳",
    "长城",
    "海川",
    "中天",
    "富源",
    "广厦",
    "汇通",
    "吉祥",
    "安泰",
    "新宇",
    "博远",
    "华宇",
    "泰丰",
    "嘉禾",
    "益民",
    "亿达",
    "宏伟",
    "凯旋",
    "锦程",
    "众鑫",
    "利民",
    "远航",
    "聚福",
    "龙腾",
    "同心",
    "云海",
)
INDUSTRIES = (
    "化工",
    "机械制造",
    "食品",
    "建材",
    "水泥",
    "钢铁",
    "纺织",
    "制药",
    "热电",
    "粮油",
    "塑料制品",
    "电子科技",
    "汽车零部件",
    "煤业",
    "矿业",
    "饲料",
    "乳业",
    "酿酒",
    "造纸",
    "玻璃",
    "铸造",
    "新材料",
    "液压设备",
    "环保科技",
    "物流",
    "石油化工",
    "肉类加工",
    "木业",
    "服装",
    "印务",
)
COMPANY_FORMS = ("有限公司", "有限责任公司", "股份有限公司")
SUPERMARKET_BRANDS = (
    "家家乐",
    "惠民",
    "万家福",
    "佳和",
    "乐购多",
    "百信",
    "好又多",
    "联华",
    "大润丰",
    "金百合",
    "便民",
    "新世纪",
    "福满家",
    "鲜多多",
    "一品",
    "天天鲜",
)
GLASSES_BRANDS = ("明视", "亮睛", "视康", "清晰", "晶亮", "明眸", "目光", "爱视", "精工", "视界", "瞳享", "镜美")
# The first is "<city short>石化" (see owners._open_name).
PETROL_BRANDS = ("{city}石化", "北方石油", "通达能源", "长运石化", "路通", "恒泰能源")
TAXI_WORDS = ("通达", "顺风", "安运", "畅行", "金桥", "捷运", "迅达", "安达", "宏运", "鑫马", "平安", "祥和")
PRIVATE_HOSPITAL_WORDS = ("仁爱", "康宁", "博爱", "和平", "安康", "惠民", "同心", "仁和", "济民", "康泰")

# After the city's name: 延安市第一人民医院 ….
CITY_HOSPITALS = (
    "第一人民医院",
    "第二人民医院",
    "第三人民医院",
    "中心医院",
    "中医院",
    "妇幼保健院",
    "传染病医院",
    "口腔医院",
    "精神卫生中心",
    "肿瘤医院",
)
COUNTY_HOSPITALS = ("人民医院", "中医院", "妇幼保健院")

DEPARTMENTS = (
    "门诊部",
    "急诊科",
    "心内科",
    "呼吸内科",
    "普外科",
    "骨科",
    "儿科",
    "妇产科",
    "体检中心",
    "ICU",
    "手术室",
    "放射科",
    "超声科",
    "检验科",
    "眼科",
    "药剂科",
)
FACTORY_PLACES = (
    "锅炉房",
    "一车间",
    "二车间",
    "三车间",
    "空压站",
    "储罐区",
    "地磅房",
    "质检中心",
    "配电室",
    "原料库",
    "成品库",
    "污水处理站",
)
SCHOOL_PLACES = ("医务室", "食堂", "物理实验室", "化学实验室", "生物实验室", "锅炉房")
