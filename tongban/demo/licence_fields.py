"""Plausible values for the fields of the demo's licences (照面信息): what the seed writes on the
licences it issues and what the demo's issuing officers enter when a case completes — a business
scope that fits the enterprise's name, an address in 示范市, a capital, dates, names, numbers — by
the field's name, else by its label, else by its kind. Deterministic: every value comes from the
caller's seeded random.Random.

`licence_field_values(rng, type_code=…, fields=…, holder=…, given=…)` returns the fields that
`given` leaves empty.
"""

import datetime as dt
import functools
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from tongban.demo.city import CITY_CODE, CITY_NAME, ROADS, CityMap, city_map_plan


@dataclass(frozen=True)
class Holder:
    """What the demo knows of a licence's holder when it makes up the licence's fields."""

    name: str
    legal_kind: str = ""  # LegalPerson.kind; empty for a person
    representative: str = ""
    address: str = ""
    established_on: dt.date | None = None
    sex: str = ""  # Person.sex: M or F
    birth_date: dt.date | None = None
    region_code: str = ""


def holder_of_legal_person(legal) -> Holder:
    return Holder(
        name=legal.name,
        legal_kind=legal.kind,
        representative=legal.legal_representative.real_name if legal.legal_representative_id else "",
        address=legal.address,
        established_on=legal.established_on,
        region_code=legal.region_id or "",
    )


def holder_of_person(person) -> Holder:
    return Holder(
        name=person.real_name, sex=person.sex, birth_date=person.birth_date, region_code=person.region_id or ""
    )


@dataclass(frozen=True)
class Draw:
    rng: random.Random
    type_code: str
    holder: Holder
    today: dt.date
    values: dict  # the licence's values so far (given and drawn), for fields that go together


# ---------------------------------------------------------------- vocabulary

GENERAL_CLAUSE = "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
LICENSED_CLAUSE = (
    "（依法须经批准的项目，经相关部门批准后方可开展经营活动，具体经营项目以相关部门批准文件或许可证件为准）"
)
SCOPES = (  # words of the holder's name -> 经营范围 (业务范围 for social organisations)
    (
        ("餐饮", "饭", "面馆", "小吃", "烧烤", "早餐"),
        "许可项目：餐饮服务；食品销售；食品互联网销售。一般项目：餐饮管理；外卖递送服务；农副产品销售；"
        "食用农产品零售；日用百货销售。" + LICENSED_CLAUSE,
    ),
    (
        ("食品", "副食", "粮油", "茶叶", "水果", "烟酒"),
        "许可项目：食品销售；食品生产；烟草制品零售。一般项目：食用农产品批发；食用农产品零售；"
        "初级农产品收购；粮油仓储服务；互联网销售（除销售需要许可的商品）。" + LICENSED_CLAUSE,
    ),
    (
        ("科技", "信息技术", "电子", "手机"),
        "一般项目：技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；软件开发；信息系统集成服务；"
        "信息技术咨询服务；数据处理和存储支持服务；计算机软硬件及辅助设备零售；通讯设备销售；"
        "电子产品销售；网络设备销售；物联网技术服务。" + GENERAL_CLAUSE,
    ),
    (
        ("物流",),
        "许可项目：道路货物运输（不含危险货物）。一般项目：国内货物运输代理；普通货物仓储服务"
        "（不含危险化学品等需许可审批的项目）；装卸搬运；供应链管理服务；国内集装箱货物运输代理；"
        "信息咨询服务（不含许可类信息咨询服务）。" + LICENSED_CLAUSE,
    ),
    (
        ("建筑", "建材", "五金", "装饰"),
        "许可项目：建设工程施工；住宅室内装饰装修。一般项目：建筑材料销售；建筑装饰材料销售；五金产品零售；"
        "五金产品批发；金属材料销售；卫生洁具销售；电线、电缆经营；劳务服务（不含劳务派遣）。" + LICENSED_CLAUSE,
    ),
    (
        ("文化传媒", "广告", "书画", "文化艺术"),
        "一般项目：组织文化艺术交流活动；广告设计、代理；广告制作；广告发布；企业形象策划；会议及展览服务；"
        "摄像及视频制作服务；图文设计制作；礼仪服务；文艺创作。" + GENERAL_CLAUSE,
    ),
    (
        ("养老", "康复", "健康管理", "社会工作", "社区服务"),
        "养老服务；居家养老服务；康复辅具适配服务；健康咨询服务（不含诊疗服务）；家政服务；"
        "老年人、残疾人养护服务；社会工作服务；心理咨询服务。",
    ),
    (
        ("劳务派遣",),
        "许可项目：劳务派遣服务；职业中介活动。一般项目：人力资源服务（不含职业中介活动、劳务派遣服务）；"
        "劳务服务（不含劳务派遣）；企业管理咨询；装卸搬运；家政服务。" + LICENSED_CLAUSE,
    ),
    (
        ("幼儿园", "学校", "培训", "教育", "青少年"),
        "学前教育；儿童早期教育服务；青少年校外活动组织；教育咨询服务（不含涉许可审批的教育培训活动）；"
        "文化艺术培训（不含学科类培训）。",
    ),
    (
        ("新能源",),
        "一般项目：太阳能发电技术服务；光伏设备及元器件销售；储能技术服务；合同能源管理；电池销售；"
        "充电桩销售；集中式快速充电站；新兴能源技术研发。" + GENERAL_CLAUSE,
    ),
    (
        ("医药",),
        "许可项目：药品零售；药品批发；第三类医疗器械经营。一般项目：第一类医疗器械销售；第二类医疗器械销售；"
        "保健食品（预包装）销售；消毒剂销售（不含危险化学品）；日用口罩（非医用）销售。" + LICENSED_CLAUSE,
    ),
    (
        ("农业", "农资"),
        "一般项目：农业科学研究和试验发展；谷物种植；蔬菜种植；农作物种子经营（仅限不再分装的包装种子）；"
        "肥料销售；农业机械服务；农副产品销售；农业专业及辅助性活动。" + GENERAL_CLAUSE,
    ),
    (
        ("环保",),
        "一般项目：环保咨询服务；大气污染治理；水污染治理；固体废物治理；土壤污染治理与修复服务；"
        "环境保护专用设备销售；资源再生利用技术研发。" + GENERAL_CLAUSE,
    ),
    (
        ("机械", "汽车"),
        "一般项目：通用设备制造（不含特种设备制造）；机械设备销售；机械零件、零部件加工；汽车销售；"
        "汽车零配件零售；机动车修理和维护；二手车经销。" + GENERAL_CLAUSE,
    ),
    (
        ("房地产", "物业"),
        "许可项目：房地产开发经营。一般项目：物业管理；房地产经纪；住房租赁；非居住房地产租赁；停车场服务；"
        "园林绿化工程施工；家政服务。" + LICENSED_CLAUSE,
    ),
    (
        ("酒店",),
        "许可项目：住宿服务；餐饮服务。一般项目：酒店管理；会议及展览服务；洗染服务；停车场服务；"
        "日用百货销售。" + LICENSED_CLAUSE,
    ),
    (
        ("服装", "商贸", "超市", "便利", "文具", "家电"),
        "一般项目：日用百货销售；服装服饰零售；鞋帽零售；针纺织品销售；家用电器销售；文具用品零售；"
        "化妆品零售；食品销售（仅销售预包装食品）。" + GENERAL_CLAUSE,
    ),
    (
        ("家政",),
        "一般项目：家政服务；养老服务；病人陪护服务；专业保洁、清洗、消毒服务；家用电器安装服务；"
        "家具安装和维修服务。" + GENERAL_CLAUSE,
    ),
    (
        ("理发", "美容"),
        "许可项目：理发服务；生活美容服务。一般项目：美甲服务；化妆品零售。" + LICENSED_CLAUSE,
    ),
    (
        ("修理", "维修"),
        "一般项目：机动车修理和维护；汽车零配件零售；轮胎销售；家用电器修理；日用电器修理；通讯设备修理。"
        + GENERAL_CLAUSE,
    ),
    (
        ("协会", "商会", "促进会"),
        "业务范围：行业自律、业务培训、信息交流、咨询服务、组织会员开展交流合作活动、承办政府部门委托事项。",
    ),
)
DEFAULT_SCOPE = (
    "一般项目：企业管理咨询；信息咨询服务（不含许可类信息咨询服务）；市场营销策划；日用百货销售；"
    "办公用品销售；会议及展览服务。" + GENERAL_CLAUSE
)
TRANSPORT_SCOPES = ("道路普通货物运输", "道路普通货物运输；货物专用运输（集装箱）", "县际班车客运；县内包车客运")
DRUG_SCOPES = (
    "中药饮片、中成药、化学药制剂、抗生素制剂、生化药品、生物制品（除疫苗）",
    "中成药、化学药制剂、抗生素制剂、生化药品（零售）",
)
FOOD_FORMS = (
    ("餐饮服务经营者（小型餐馆）", "热食类食品制售；冷食类食品制售；自制饮品制售（不含自酿酒）"),
    ("餐饮服务经营者（中型餐馆）", "热食类食品制售；冷食类食品制售；糕点类食品（不含裱花蛋糕）制售"),
    ("食品销售经营者（便利店）", "预包装食品（含冷藏冷冻食品）销售；散装食品（不含冷藏冷冻食品）销售"),
    ("单位食堂（职工食堂）", "热食类食品制售"),
)
PUBLIC_PLACES = ("住宿业（宾馆）", "沐浴场所", "美容店", "理发店", "游泳场所（室内）", "商场（超市）")
POLLUTING_INDUSTRIES = (
    "金属表面处理及热处理加工",
    "塑料制品业",
    "农副食品加工业",
    "污水处理及其再生利用",
    "汽车修理与维护",
)
BANKS = ("中国工商银行示范市分行", "中国农业银行示范市分行", "中国建设银行示范市分行", "示范农村商业银行")
HOSPITALS = ("示范市妇幼保健院", "示范市人民医院", "示范市中医院", "示范市城东区人民医院")
ORIGINS = ("安徽省阜阳市颍州区", "河南省周口市川汇区", "江苏省徐州市铜山区", "山东省菏泽市牡丹区", "湖北省黄冈市黄州区")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
GIVEN_MALE = ("建国", "志强", "伟", "磊", "军", "勇", "浩然", "子轩", "明", "俊杰", "文博", "国华", "海涛", "鹏")
GIVEN_FEMALE = ("秀英", "丽", "静", "敏", "桂英", "婷", "雨涵", "欣怡", "红梅", "晓燕", "佳怡", "慧", "玉兰", "洁")

Maker = Callable[[Draw], object]


def business_scope(name: str) -> str:
    """The 经营范围 that fits an enterprise called `name`."""
    return next((scope for words, scope in SCOPES if any(word in name for word in words)), DEFAULT_SCOPE)


def company_type(holder: Holder) -> str:
    if holder.legal_kind == "individual":
        return "个体工商户"
    if holder.legal_kind == "social":
        return "社会团体" if any(word in holder.name for word in ("协会", "商会", "促进会")) else "民办非企业单位"
    if "股份" in holder.name:
        return "股份有限公司（非上市、自然人投资或控股）"
    return "有限责任公司（自然人投资或控股）"


def person_name(rng: random.Random, *, surname: str = "", sex: str = "") -> str:
    sex = sex or rng.choice("MF")
    return (surname or rng.choice(SURNAMES)) + rng.choice(GIVEN_MALE if sex == "M" else GIVEN_FEMALE)


@functools.lru_cache(maxsize=1)
def _city_map() -> CityMap:
    return city_map_plan()


def demo_address(rng: random.Random, region_code: str = "") -> str:
    """A street address in 示范市, in the holder's village or community when it has one."""
    plan = _city_map()
    place = CITY_NAME + plan.place(region_code) if region_code in plan.villages else CITY_NAME
    return f"{place}{rng.choice(ROADS)}{rng.randrange(1, 300)}号"


def _past(draw: Draw, most_days: int, least_days: int = 0) -> str:
    return (draw.today - dt.timedelta(days=draw.rng.randint(least_days, most_days))).isoformat()


def _address(draw: Draw) -> str:
    return draw.holder.address or demo_address(draw.rng, draw.holder.region_code)


def _scope(draw: Draw) -> str:
    if draw.type_code == "DLYSJYXKZ":
        return draw.rng.choice(TRANSPORT_SCOPES)
    if draw.type_code == "YPJYXKZ":
        return draw.rng.choice(DRUG_SCOPES)
    return business_scope(draw.holder.name)


def _food_form(draw: Draw) -> str:
    eating = any(word in draw.holder.name for word in ("餐", "饭", "面馆", "小吃", "烧烤", "早餐"))
    return (FOOD_FORMS[draw.rng.randrange(2)] if eating else draw.rng.choice(FOOD_FORMS))[0]


def _food_items(draw: Draw) -> str:
    """The 经营项目 that go with the licence's 主体业态."""
    form = draw.values.get("main_form") or _food_form(draw)
    return next((items for name, items in FOOD_FORMS if name == form), FOOD_FORMS[0][1])


def _surname(draw: Draw) -> str:
    return draw.holder.name[:1] if not draw.holder.legal_kind and draw.holder.name else ""


def _property_location(draw: Draw) -> str:
    building = (
        f"{draw.rng.randint(1, 18)}幢{draw.rng.randint(1, 3)}单元{draw.rng.randint(1, 26)}0{draw.rng.randint(1, 4)}室"
    )
    return demo_address(draw.rng, draw.holder.region_code) + building


def _unit_number(draw: Draw) -> str:
    """不动产单元号: county, cadastral zone and sub-zone, parcel (GB…), building and unit (F…)."""
    region = (draw.holder.region_code or CITY_CODE)[:6]
    zone, sub, parcel = draw.rng.randint(1, 20), draw.rng.randint(1, 60), draw.rng.randint(1, 99999)
    building, unit = draw.rng.randint(1, 9999), draw.rng.randint(1, 9999)
    return f"{region}{zone:03d}{sub:03d}GB{parcel:05d}F{building:04d}{unit:04d}"


def _masked_id(draw: Draw) -> str:
    return f"3419{draw.rng.choice('020304')}{draw.rng.randint(0, 9)}{'*' * 8}{draw.rng.randint(0, 9999):04d}"


BY_NAME: dict[str, Maker] = {  # field name (as the 18 demo types name them) -> value
    "company_type": lambda d: company_type(d.holder),
    "legal_representative": lambda d: d.holder.representative or person_name(d.rng),
    "registered_capital": lambda d: d.rng.choice((10, 30, 50, 100, 100, 200, 300, 500, 1000)),
    "established_on": lambda d: d.holder.established_on.isoformat() if d.holder.established_on else _past(d, 3650),
    "address": _address,
    "scope": _scope,
    "operator": lambda d: d.holder.name,
    "unit": lambda d: d.holder.name,
    "main_form": _food_form,
    "items": _food_items,
    "item": lambda d: d.rng.choice(PUBLIC_PLACES),
    "area": lambda d: d.rng.randrange(60, 1500, 10) if d.type_code != "BDCQZ" else d.rng.randint(56, 168),
    "vehicles": lambda d: d.rng.randint(2, 40),
    "quality_officer": lambda d: person_name(d.rng),
    "industry": lambda d: d.rng.choice(POLLUTING_INDUSTRIES),
    "outlets": lambda d: d.rng.randint(1, 4),
    "sex": lambda d: {"M": "男", "F": "女"}.get(d.holder.sex) or d.rng.choice("男女"),
    "ethnicity": lambda d: d.rng.choices(("汉", "回", "满", "壮"), (94, 3, 2, 1))[0],
    "birth_date": lambda d: d.holder.birth_date.isoformat() if d.holder.birth_date else _past(d, 20000, 7000),
    "registered_at": lambda d: d.rng.choice(ORIGINS),
    "card_number": lambda d: f"H{d.rng.randrange(10**8, 10**9)}",
    "bank": lambda d: d.rng.choice(BANKS),
    "spouse_name": lambda d: person_name(d.rng, sex={"M": "F", "F": "M"}.get(d.holder.sex, "")),
    "former_spouse": lambda d: person_name(d.rng, sex={"M": "F", "F": "M"}.get(d.holder.sex, "")),
    "spouse_id": _masked_id,
    "registered_on": lambda d: _past(d, 3650, 30),
    "certificate_number": lambda d: f"J341900-{d.today.year}-{d.rng.randint(1, 999999):06d}",
    "birth_place": lambda d: d.rng.choice(HOSPITALS),
    "mother_name": lambda d: person_name(d.rng, sex="F"),
    "father_name": lambda d: person_name(d.rng, surname=_surname(d), sex="M"),
    "weight_g": lambda d: d.rng.randrange(2600, 4200, 10),
    "category": lambda d: d.rng.choice(("肢体", "视力", "听力", "言语", "智力", "精神")),
    "grade": lambda d: d.rng.choice(("一级", "二级", "三级", "四级")),
    "location": _property_location,
    "unit_number": _unit_number,
    "use": lambda d: d.rng.choice(("城镇住宅用地/住宅", "城镇住宅用地/成套住宅")),
    "right_type": lambda d: "国有建设用地使用权/房屋所有权",
    "occupation": lambda d: d.rng.choice(("食品生产经营", "公共场所服务", "药品生产经营", "生活饮用水供管")),
    "exam_on": lambda d: _past(d, 20, 3),
    "child_name": lambda d: person_name(d.rng, surname=_surname(d)),
    "purpose": lambda d: d.rng.choice(("入职审查", "出国（境）签证申请", "网约车驾驶员从业资格申请", "教师资格认定")),
    "level": lambda d: d.rng.choice(("小学教师资格", "初级中学教师资格", "高级中学教师资格", "幼儿园教师资格")),
    "subject": lambda d: d.rng.choice(("语文", "数学", "英语", "物理", "化学", "音乐", "体育与健康")),
}
BY_LABEL: tuple[tuple[tuple[str, ...], Maker], ...] = (  # words of the label -> value, for other types
    (("范围",), _scope),
    (("名称",), lambda d: d.holder.name),
    (("地址", "住所", "住址", "场所", "坐落"), _address),
    (("姓名",), lambda d: person_name(d.rng)),
    (("银行",), lambda d: d.rng.choice(BANKS)),
)
BY_KIND: dict[str, Maker] = {
    "date": lambda d: _past(d, 30),
    "integer": lambda d: d.rng.randint(1, 100),
    "decimal": lambda d: d.rng.randint(1, 100),
    "boolean": lambda d: False,
}


def licence_field_value(draw: Draw, *, name: str, label: str, kind: str) -> object:
    if name in BY_NAME:
        return BY_NAME[name](draw)
    for words, maker in BY_LABEL:
        if any(word in label for word in words):
            return maker(draw)
    if kind in BY_KIND:
        return BY_KIND[kind](draw)
    if "号" in label:
        return f"{draw.type_code}{draw.today.year}{draw.rng.randint(1, 99999):05d}"
    return "详见许可决定书"


def licence_field_values(
    rng: random.Random,
    *,
    type_code: str,
    fields: list[dict],
    holder: Holder,
    given: dict | None = None,
    today: dt.date | None = None,
) -> dict:
    """Values for the type's fields (`fields`: [{name, label, type}]) that `given` leaves empty."""
    values = {name: value for name, value in (given or {}).items() if value not in (None, "")}
    draw = Draw(rng=rng, type_code=type_code, holder=holder, today=today or timezone.localdate(), values=values)
    drawn = {}
    for spec in fields:
        if spec["name"] not in values:
            value = licence_field_value(draw, name=spec["name"], label=spec.get("label", ""), kind=spec.get("type", ""))
            drawn[spec["name"]] = values[spec["name"]] = value
    return drawn
