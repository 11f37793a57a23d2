"""The e-licence library of 示范市: licence types for the codes the demo catalogue uses (the type's
`short_code` is the catalogue's code: YYZZ, JHZ, …), a seal key per issuing department, and
licences for the demo population and enterprises — a 营业执照 (and for food businesses a 食品经营许可证)
for every legal person, 居民身份证 and 社会保障卡 for a share of adults, some 结婚证, 出生医学证明,
残疾人证 and 不动产权证书. Each type has its visual layout (版式, LAYOUTS); the fields the seed does not
set itself get plausible values from tongban.demo.licence_fields. Deterministic (fixed seed);
skipped when the types exist.

Call `seed_licences()` after the city (departments, persons, legal persons) is built.
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction

from tongban.accounts.models import LegalPerson, Person
from tongban.demo.city import city_map_plan, departments_load
from tongban.demo.licence_fields import holder_of_legal_person, holder_of_person, licence_field_values
from tongban.licences import services
from tongban.licences.models import LicenceType

SEED = "2026:licences"
LAYOUTS = {  # short code -> layout (licences/documents/<layout>.html)
    "YYZZ": "business_licence",
    "SPJYXKZ": "permit",
    "GGCSWSXKZ": "permit",
    "DLYSJYXKZ": "permit",
    "YPJYXKZ": "permit",
    "PWXKZ": "permit",
    "JMSFZ": "card",
    "JZZ": "card",
    "SBK": "card",
    "CJRZ": "card",
    "JKZM": "card",
    "JHZ": "certificate",
    "LHZ": "certificate",
    "CSYXZM": "certificate",
    "BDCQZ": "certificate",
    "YFJZZ": "certificate",
    "WFZJLZM": "certificate",
    "JSZGZS": "certificate",
}


def _f(name: str, label: str, kind: str = "text", required: bool = True) -> dict:
    return {"name": name, "label": label, "type": kind, "required": required}


# short code, name, defining department key, issuing department keys ("~x": every county's x too),
# holder kind, validity years (None: open-ended), fields
TYPES = [
    (
        "YYZZ",
        "营业执照",
        "amr",
        ["amr", "~amr"],
        "legal",
        None,
        [
            _f("company_type", "类型"),
            _f("legal_representative", "法定代表人"),
            _f("registered_capital", "注册资本（万元）", "integer"),
            _f("established_on", "成立日期", "date"),
            _f("address", "住所"),
            _f("scope", "经营范围"),
        ],
    ),
    (
        "SPJYXKZ",
        "食品经营许可证",
        "amr",
        ["amr", "~amr"],
        "legal",
        5,
        [_f("operator", "经营者名称"), _f("address", "经营场所"), _f("main_form", "主体业态"), _f("items", "经营项目")],
    ),
    (
        "GGCSWSXKZ",
        "公共场所卫生许可证",
        "nhc",
        ["nhc"],
        "legal",
        4,
        [
            _f("unit", "单位名称"),
            _f("address", "地址"),
            _f("item", "许可项目"),
            _f("area", "经营面积（平方米）", "integer"),
        ],
    ),
    (
        "DLYSJYXKZ",
        "道路运输经营许可证",
        "transport",
        ["transport"],
        "legal",
        6,
        [
            _f("operator", "业户名称"),
            _f("address", "地址"),
            _f("scope", "经营范围"),
            _f("vehicles", "车辆数", "integer", False),
        ],
    ),
    (
        "YPJYXKZ",
        "药品经营许可证",
        "amr",
        ["amr"],
        "legal",
        5,
        [
            _f("operator", "企业名称"),
            _f("address", "注册地址"),
            _f("scope", "经营范围"),
            _f("quality_officer", "质量负责人"),
        ],
    ),
    (
        "PWXKZ",
        "排污许可证",
        "eco",
        ["eco"],
        "legal",
        5,
        [_f("unit", "单位名称"), _f("industry", "行业类别"), _f("outlets", "排放口数量", "integer")],
    ),
    (
        "JMSFZ",
        "居民身份证",
        "psb",
        ["psb"],
        "natural",
        20,
        [_f("sex", "性别"), _f("ethnicity", "民族"), _f("birth_date", "出生", "date"), _f("address", "住址")],
    ),
    ("JZZ", "居住证", "psb", ["psb"], "natural", 1, [_f("address", "居住地址"), _f("registered_at", "户籍地")]),
    (
        "SBK",
        "社会保障卡",
        "hrss",
        ["hrss", "~hrss"],
        "natural",
        10,
        [_f("card_number", "卡号"), _f("bank", "服务银行")],
    ),
    (
        "JHZ",
        "结婚证",
        "ca",
        ["ca", "~ca"],
        "natural",
        None,
        [
            _f("spouse_name", "配偶姓名"),
            _f("spouse_id", "配偶身份证件号"),
            _f("registered_on", "登记日期", "date"),
            _f("certificate_number", "结婚证字号"),
        ],
    ),
    (
        "LHZ",
        "离婚证",
        "ca",
        ["ca", "~ca"],
        "natural",
        None,
        [_f("former_spouse", "原配偶姓名"), _f("registered_on", "登记日期", "date")],
    ),
    (
        "CSYXZM",
        "出生医学证明",
        "nhc",
        ["nhc"],
        "natural",
        None,
        [
            _f("birth_date", "出生时间", "date"),
            _f("birth_place", "出生地点"),
            _f("mother_name", "母亲姓名"),
            _f("father_name", "父亲姓名", required=False),
            _f("weight_g", "体重（克）", "integer"),
        ],
    ),
    ("CJRZ", "残疾人证", "dpf", ["dpf"], "natural", 10, [_f("category", "残疾类别"), _f("grade", "残疾等级")]),
    (
        "BDCQZ",
        "不动产权证书",
        "nr",
        ["nr"],
        "natural",
        None,
        [
            _f("location", "坐落"),
            _f("unit_number", "不动产单元号"),
            _f("use", "用途"),
            _f("area", "面积（平方米）", "integer"),
            _f("right_type", "权利类型"),
        ],
    ),
    (
        "JKZM",
        "健康证明",
        "nhc",
        ["nhc"],
        "natural",
        1,
        [_f("occupation", "从业类别"), _f("exam_on", "体检日期", "date")],
    ),
    (
        "YFJZZ",
        "预防接种证",
        "nhc",
        ["nhc"],
        "natural",
        None,
        [_f("child_name", "儿童姓名"), _f("birth_date", "出生日期", "date")],
    ),
    ("WFZJLZM", "无犯罪记录证明", "psb", ["psb"], "natural", 1, [_f("purpose", "用途")]),
    ("JSZGZS", "教师资格证书", "edu", ["edu"], "natural", None, [_f("level", "资格种类"), _f("subject", "任教学科")]),
]


@dataclass
class LicenceSeedReport:
    types: int = 0
    licences: int = 0
    skipped: bool = False


def licences_exist() -> bool:
    return LicenceType.objects.filter(short_code="YYZZ").exists()


def seed_licences() -> LicenceSeedReport:
    """Types, seal keys (created with the first signature of each department) and licences."""
    if licences_exist():
        return LicenceSeedReport(skipped=True)
    departments = departments_load(city_map_plan())
    report = LicenceSeedReport()
    types = {}
    with transaction.atomic():
        for number, (short, name, definer, issuers, holder, years, fields) in enumerate(TYPES, start=1):
            ids = [departments[key].pk for key in _issuer_keys(issuers, departments)]
            types[short] = services.licence_type_define(
                actor=None,
                short_code=short,
                code=f"{departments[definer].uscc}{number:03d}",
                name=name,
                defining_department_id=departments[definer].pk,
                issuing_department_ids=ids,
                holder_kind=holder,
                fields=fields,
                validity_years=years,
                template=f"licences/documents/{LAYOUTS[short]}.html",
                registers_holder=short == "YYZZ",  # 设立登记: the licence of the entity it creates
            )
            report.types += 1
    rng = random.Random(SEED)
    report.licences += _enterprise_licences(rng, types, departments)
    report.licences += _personal_licences(rng, types, departments)
    return report


def _issuer_keys(keys: list[str], departments: dict) -> list[str]:
    found = []
    for key in keys:
        if key.startswith("~"):
            found += [k for k in departments if k.endswith("." + key[1:]) and k.count(".") == 1]
        else:
            found.append(key)
    return found


def _issue(rng, types, short: str, department, *, person=None, legal=None, data: dict, valid_from: dt.date) -> None:
    """Issue with `data`; the type's other fields get plausible values for the holder."""
    holder = holder_of_legal_person(legal) if legal else holder_of_person(person)
    filled = licence_field_values(rng, type_code=short, fields=types[short].fields, holder=holder, given=data)
    services.licence_issue(
        actor=None,
        type_code=short,
        data={**data, **filled},
        issuer_department_id=department.pk,
        holder_person_id=person.pk if person else None,
        holder_legal_person_id=legal.pk if legal else None,
        valid_from=valid_from,
    )


def _enterprise_licences(rng: random.Random, types, departments) -> int:
    legal_persons = LegalPerson.objects.select_related("legal_representative").order_by("id")
    with transaction.atomic():  # one commit: the audit chain is sealed and events dispatched once
        return sum(_licences_of(rng, types, departments, legal) for legal in legal_persons)


def _licences_of(rng: random.Random, types, departments, legal) -> int:
    """A company's 营业执照, and a 食品经营许可证 for food businesses (and some others)."""
    founded = legal.established_on or dt.date(2020, 1, 1)
    _issue(
        rng,
        types,
        "YYZZ",
        departments["amr"],
        legal=legal,
        valid_from=founded,
        data={"legal_representative": legal.legal_representative.real_name, "established_on": founded.isoformat()},
    )
    if not ("餐" in legal.name or "食" in legal.name or rng.random() < 0.15):
        return 1
    start = max(founded, dt.date.today() - dt.timedelta(days=rng.randrange(30, 1800)))
    _issue(
        rng,
        types,
        "SPJYXKZ",
        departments["amr"],
        legal=legal,
        valid_from=start,
        data={"operator": legal.name},
    )
    return 2


def _personal_licences(rng: random.Random, types, departments) -> int:
    count = 0
    adults = list(Person.objects.filter(birth_date__lt=dt.date(2006, 1, 1)).order_by("id")[:400])
    children = list(Person.objects.filter(birth_date__gte=dt.date(2016, 1, 1)).order_by("id")[:40])
    with transaction.atomic():
        for index, person in enumerate(adults):
            if index % 2 == 0:
                _issue(
                    rng,
                    types,
                    "JMSFZ",
                    departments["psb"],
                    person=person,
                    valid_from=dt.date(2015 + index % 10, 3, 1),
                    data={"sex": person.get_sex_display(), "birth_date": person.birth_date.isoformat()},
                )
                count += 1
            if index % 3 == 0:
                _issue(
                    rng,
                    types,
                    "SBK",
                    departments["hrss"],
                    person=person,
                    valid_from=dt.date(2018, 6, 1),
                    data={"card_number": f"H{person.pk:09d}"},
                )
                count += 1
        for index in range(0, min(len(adults) - 1, 60), 2):
            husband, wife = adults[index], adults[index + 1]
            day = dt.date(2010 + index % 14, 5, 20)
            for holder, spouse in ((husband, wife), (wife, husband)):
                _issue(
                    rng,
                    types,
                    "JHZ",
                    departments["ca"],
                    person=holder,
                    valid_from=day,
                    data={
                        "spouse_name": spouse.real_name,
                        "spouse_id": spouse.masked_id_number,
                        "registered_on": day.isoformat(),
                        "certificate_number": f"J341900-{day.year}-{index:06d}",
                    },
                )
                count += 1
        for index, child in enumerate(children):
            mother = adults[(index * 7) % len(adults)] if adults else None
            _issue(
                rng,
                types,
                "CSYXZM",
                departments["nhc"],
                person=child,
                valid_from=child.birth_date,
                data={"birth_date": child.birth_date.isoformat(), "mother_name": mother.real_name if mother else ""},
            )
            count += 1
        for person in adults[::25]:
            _issue(
                rng,
                types,
                "CJRZ",
                departments["dpf"],
                person=person,
                valid_from=dt.date(2022, 1, 1),
                data={},
            )
            _issue(
                rng,
                types,
                "BDCQZ",
                departments["nr"],
                person=person,
                valid_from=dt.date(2019, 9, 1),
                data={},
            )
            count += 2
    return count
