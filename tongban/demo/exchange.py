"""The data-resource catalogue of 示范市: about twenty resources from the departments that hold the
data the catalogue's materials refer to, and the registry rows behind them.

Resource codes match the catalogue's shared-data references (MATERIALS in tongban.demo.catalogue:
`shared=population.household`, `civil.cremation`, `medical.insured`, `social.contribution`,
`housing.contract_filing`, `population.kinship`): every such material names a resource here and a
field of it. The 法人库 (`legal_entity`) stands in for the 营业执照 (licence type YYZZ).

Registries: an extension row of the population base for every person of the demo city (household
address and number, relation to the head, kinship), an extension row of the legal-entity base for
every demo legal person, and department datasets keyed by the demo people's ID numbers (marriage
and cremation, medical and social insurance, housing fund, disability, school roll, real estate …)
and credit codes (tax credit, food and discharge permits). Every resource is registered and
published through the catalogue services by the demo administrator; rows are written by the
registry upsert the imports use. Each provider department gets a data officer, `<key>.data`
(password as every demo account), who may import into its resources.

Deterministic (one random.Random seeded per phase); a few seconds at the small scale.
"""

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from tongban.accounts import services as accounts
from tongban.accounts.bulk import user_password_set_bulk
from tongban.accounts.models import LegalPerson, Mandate, Person, Post, User
from tongban.demo.city import CITY_CODE, CITY_PREFIX, DEMO_PASSWORD, rng_for
from tongban.exchange import imports, services
from tongban.exchange.models import DataResource
from tongban.licences.selectors import LIBRARY_FIELDS, library_holder_fields
from tongban.org.models import Department

Say = Callable[[str], None]

PERSONS_MAX = 5_000  # extension rows for the small city's people (the bulk million needs none)
LEGAL_MAX = 1_000
SOURCE = "演示数据"

# Field specs: name, label, type, sensitivity ("p" public, "i" internal, "s" sensitive), required.
LEVELS = {"p": "public", "i": "internal", "s": "sensitive"}
LEVEL_CODES = {level: code for code, level in LEVELS.items()}
PERSON_BASE = (
    ("id_number", "公民身份号码", "id_number", "s", True),
    ("name", "姓名", "string", "s", True),
    ("sex", "性别", "string", "i", False),
    ("birth_date", "出生日期", "date", "s", False),
    ("region_code", "居住地区划代码", "string", "i", False),
    ("region_name", "居住地", "string", "i", False),
    ("phone", "手机号码", "string", "s", False),
)
PERSON_KEY = (("id_number", "公民身份号码", "id_number", "s", True), ("name", "姓名", "string", "s", False))
ENTITY_KEY = (("uscc", "统一社会信用代码", "uscc", "p", True), ("name", "名称", "string", "p", False))


@dataclass(frozen=True)
class ResourceSpec:
    code: str
    name: str
    provider: str  # department key (tongban.demo.city)
    description: str
    fields: tuple
    sharing: str = DataResource.CONDITIONAL
    frequency: str = "daily"
    key_kind: str = "id_number"
    served_by: str = DataResource.HOSTED
    licence_type_code: str = ""
    not_shared_reason: str = ""
    endpoint_url: str = ""


RESOURCES = (
    ResourceSpec(
        "population",
        "人口基础信息（人口库）",
        "psb",
        "全市户籍和常住人口的身份、户籍信息；户籍地址、户号、与户主关系和亲属关系由公安机关户政部门维护。",
        (
            *PERSON_BASE,
            ("household", "户籍地址", "string", "s", False),
            ("household_number", "户号", "string", "i", False),
            ("head_relation", "与户主关系", "string", "i", False),
            ("kinship", "亲属关系", "string", "s", False),
        ),
        frequency="realtime",
        served_by=DataResource.POPULATION,
    ),
    ResourceSpec(
        "legal_entity",
        "法人基础信息（法人库）",
        "amr",
        "在本市登记的企业、个体工商户、社会组织和机关事业单位的登记信息，可替代营业执照使用。",
        (
            ("uscc", "统一社会信用代码", "uscc", "p", True),
            ("name", "名称", "string", "p", True),
            ("kind", "主体类型", "string", "p", False),
            ("legal_representative", "法定代表人", "string", "p", False),
            ("address", "住所", "string", "p", False),
            ("established_on", "成立日期", "date", "p", False),
            ("region_code", "住所区划代码", "string", "p", False),
            ("region_name", "住所区划", "string", "p", False),
            ("registered_capital", "注册资本（万元）", "decimal", "p", False),
            ("business_scope", "经营范围", "string", "p", False),
            ("status", "登记状态", "string", "p", False),
        ),
        sharing=DataResource.UNCONDITIONAL,
        frequency="realtime",
        key_kind="uscc",
        served_by=DataResource.LEGAL_ENTITY,
        licence_type_code="YYZZ",
    ),
    ResourceSpec(
        "licence_library",
        "电子证照库（按证照标识）",
        "data",
        "全市各部门签发的电子证照：证照类型、持证主体、颁发机构、有效期、当前状态和签章验证结果，按证照标识查询。",
        tuple(
            (name, label, kind, LEVEL_CODES[level], name == "licence") for name, label, kind, level in LIBRARY_FIELDS
        ),
        sharing=DataResource.UNCONDITIONAL,
        frequency="realtime",
        key_kind="licence",
        served_by=DataResource.LICENCES,
    ),
    *(
        ResourceSpec(
            f"licence_library_holder_{key_kind}",
            f"电子证照库（按{by}）",
            "data",
            f"按{by}查询{whose}名下的全部电子证照（含已撤销、注销、失效的）：证照标识、类型、状态代码和名称、"
            "颁发机构、有效期至和签章验证结果。",
            tuple(
                (name, label, kind, LEVEL_CODES[level], name == key_kind)
                for name, label, kind, level in library_holder_fields(key_kind)
            ),
            frequency="realtime",
            key_kind=key_kind,
            served_by=DataResource.LICENCES,
        )
        for key_kind, by, whose in (
            ("id_number", "持证人公民身份号码", "自然人"),
            ("uscc", "持证单位统一社会信用代码", "法人和其他组织"),
        )
    ),
    ResourceSpec(
        "civil",
        "婚姻登记和殡葬服务信息",
        "ca",
        "婚姻登记机关登记的结婚、离婚信息，殡仪馆出具的遗体火化信息。",
        (
            *PERSON_KEY,
            ("marriage", "婚姻状况", "string", "s", False),
            ("married_on", "结婚登记日期", "date", "i", False),
            ("spouse_name", "配偶姓名", "string", "s", False),
            ("cremation", "遗体火化证明编号", "string", "i", False),
            ("cremated_on", "火化日期", "date", "i", False),
        ),
    ),
    ResourceSpec(
        "assistance",
        "社会救助对象信息",
        "ca",
        "最低生活保障、特困供养、临时救助对象及救助金额。",
        (
            *PERSON_KEY,
            ("assistance_type", "救助类别", "string", "s", True),
            ("monthly_amount", "月救助金额（元）", "decimal", "s", False),
            ("since", "纳入日期", "date", "i", False),
        ),
        frequency="monthly",
    ),
    ResourceSpec(
        "medical",
        "基本医疗保险参保信息",
        "hsa",
        "职工和城乡居民基本医疗保险参保状态、险种和参保日期。",
        (
            *PERSON_KEY,
            ("insured", "参保状态", "string", "i", True),
            ("insurance_type", "险种", "string", "i", False),
            ("insured_since", "参保日期", "date", "i", False),
        ),
    ),
    ResourceSpec(
        "social",
        "社会保险缴费信息",
        "hrss",
        "养老、失业、工伤保险的缴费单位、累计缴费月数和最近缴费年月。",
        (
            *PERSON_KEY,
            ("contribution", "缴费状态", "string", "i", True),
            ("employer_uscc", "缴费单位统一社会信用代码", "uscc", "i", False),
            ("months", "累计缴费月数", "integer", "i", False),
            ("last_paid", "最近缴费年月", "string", "i", False),
        ),
        frequency="monthly",
    ),
    ResourceSpec(
        "employment",
        "就业失业登记信息",
        "hrss",
        "就业创业证、失业登记和就业困难人员认定信息。",
        (
            *PERSON_KEY,
            ("employment_status", "就业状态", "string", "i", True),
            ("card_number", "就业创业证编号", "string", "i", False),
            ("hard_to_employ", "就业困难人员", "boolean", "s", False),
        ),
    ),
    ResourceSpec(
        "housing",
        "商品房和存量房网签备案信息",
        "hud",
        "房屋买卖合同网签备案编号、备案日期和房屋坐落。",
        (
            *PERSON_KEY,
            ("contract_filing", "网签备案编号", "string", "i", True),
            ("filed_on", "备案日期", "date", "i", False),
            ("location", "房屋坐落", "string", "s", False),
            ("area", "建筑面积（平方米）", "decimal", "i", False),
        ),
    ),
    ResourceSpec(
        "realestate",
        "不动产登记信息",
        "nr",
        "不动产权证书号、权利人、坐落、面积和抵押状态。",
        (
            *PERSON_KEY,
            ("certificate", "不动产权证书号", "string", "i", True),
            ("location", "坐落", "string", "s", False),
            ("area", "面积（平方米）", "decimal", "i", False),
            ("mortgaged", "是否抵押", "boolean", "i", False),
        ),
    ),
    ResourceSpec(
        "hpf",
        "住房公积金缴存信息",
        "hpf",
        "个人住房公积金账户状态、缴存单位和月缴存额。",
        (
            *PERSON_KEY,
            ("account_status", "账户状态", "string", "i", True),
            ("employer_uscc", "缴存单位统一社会信用代码", "uscc", "i", False),
            ("monthly_deposit", "月缴存额（元）", "decimal", "s", False),
        ),
        frequency="monthly",
    ),
    ResourceSpec(
        "disability",
        "残疾人基础信息",
        "dpf",
        "持证残疾人的残疾类别、等级和残疾人证号。",
        (
            *PERSON_KEY,
            ("category", "残疾类别", "string", "s", True),
            ("grade", "残疾等级", "string", "s", True),
            ("card_number", "残疾人证号", "string", "s", False),
        ),
    ),
    ResourceSpec(
        "school",
        "中小学学籍信息",
        "edu",
        "在校中小学生的学校、年级和学籍状态。",
        (
            *PERSON_KEY,
            ("school", "就读学校", "string", "i", True),
            ("grade", "年级", "string", "i", False),
            ("roll_status", "学籍状态", "string", "i", False),
        ),
        frequency="weekly",
    ),
    ResourceSpec(
        "birth",
        "出生医学证明信息",
        "nhc",
        "本市助产机构签发的出生医学证明编号和出生信息。",
        (
            *PERSON_KEY,
            ("certificate", "出生医学证明编号", "string", "i", True),
            ("born_on", "出生日期", "date", "s", False),
            ("hospital", "助产机构", "string", "i", False),
        ),
    ),
    ResourceSpec(
        "veterans",
        "退役军人信息",
        "veterans",
        "退役军人的入伍、退役时间和安置方式。",
        (
            *PERSON_KEY,
            ("enlisted_on", "入伍日期", "date", "s", False),
            ("discharged_on", "退役日期", "date", "s", True),
            ("placement", "安置方式", "string", "i", False),
        ),
        frequency="monthly",
    ),
    ResourceSpec(
        "criminal_record",
        "违法犯罪记录信息",
        "psb",
        "公安机关掌握的违法犯罪记录。",
        (*PERSON_KEY, ("record", "记录摘要", "string", "s", True)),
        sharing=DataResource.NOT_SHARED,
        not_shared_reason="《中华人民共和国刑事诉讼法》第二百八十六条、《公安机关办理犯罪记录查询工作规定》：仅按规定出具查询结果，不予共享",
    ),
    ResourceSpec(
        "tax_credit",
        "纳税信用等级信息",
        "tax",
        "纳税人年度纳税信用等级（A、B、M、C、D）。",
        (
            *ENTITY_KEY,
            ("credit_grade", "纳税信用等级", "string", "p", True),
            ("year", "评价年度", "integer", "p", True),
        ),
        sharing=DataResource.UNCONDITIONAL,
        frequency="yearly",
        key_kind="uscc",
    ),
    ResourceSpec(
        "food_licence",
        "食品经营许可信息",
        "amr",
        "食品经营许可证编号、经营项目和有效期。",
        (
            *ENTITY_KEY,
            ("licence_number", "许可证编号", "string", "p", True),
            ("business_items", "经营项目", "string", "p", False),
            ("valid_until", "有效期至", "date", "p", False),
        ),
        sharing=DataResource.UNCONDITIONAL,
        key_kind="uscc",
        licence_type_code="SPJYXKZ",
    ),
    ResourceSpec(
        "discharge_permit",
        "排污许可信息",
        "eco",
        "排污单位的排污许可证编号、行业类别和有效期。",
        (
            *ENTITY_KEY,
            ("permit_number", "排污许可证编号", "string", "p", True),
            ("industry", "行业类别", "string", "p", False),
            ("valid_until", "有效期至", "date", "p", False),
        ),
        sharing=DataResource.UNCONDITIONAL,
        key_kind="uscc",
        frequency="weekly",
    ),
    ResourceSpec(
        "transport_licence",
        "道路运输经营许可信息",
        "transport",
        "道路旅客和货物运输经营许可证号与经营范围。",
        (
            *ENTITY_KEY,
            ("licence_number", "经营许可证号", "string", "p", True),
            ("scope", "经营范围", "string", "p", False),
        ),
        key_kind="uscc",
        frequency="weekly",
    ),
    ResourceSpec(
        "power_account",
        "用电户信息",
        "power",
        "供电公司营销系统中的用电户号、户名和欠费情况，由供电公司接口实时提供。",
        (
            ("address", "用电地址", "string", "i", True),
            ("account_number", "用电户号", "string", "i", True),
            ("holder", "户名", "string", "s", False),
            ("arrears", "是否欠费", "boolean", "i", False),
        ),
        frequency="realtime",
        key_kind="address",
        served_by=DataResource.REMOTE,
        endpoint_url="http://127.0.0.1:8901/power/accounts",
    ),
)


def exchange_exists() -> bool:
    return DataResource.objects.filter(code="population").exists()


def exchange_build(*, say: Say = print) -> dict[str, int]:
    """Register, publish and fill the catalogue, unless present; returns counts."""
    if exchange_exists():
        return {}
    admin = User.objects.get(username="admin")
    departments = {d.name: d for d in Department.objects.filter(region_id=CITY_CODE)}
    by_key = _department_keys(departments)
    counts: dict[str, int] = {}
    with transaction.atomic():
        for spec in RESOURCES:
            services.resource_create(
                actor=admin,
                code=spec.code,
                name=spec.name,
                provider_id=by_key[spec.provider].pk,
                description=spec.description,
                fields=[
                    {"name": n, "label": label, "type": t, "sensitivity": LEVELS[s], "required": r}
                    for n, label, t, s, r in spec.fields
                ],
                sharing=spec.sharing,
                not_shared_reason=spec.not_shared_reason,
                frequency=spec.frequency,
                key_kind=spec.key_kind,
                served_by=spec.served_by,
                licence_type_code=spec.licence_type_code,
                endpoint_url=spec.endpoint_url,
                is_active=True,
            )
        counts["resources"] = len(RESOURCES)
        counts["records"] = registries_fill()
        counts["officers"] = data_officers_build(by_key)
    counts["departments"] = len({spec.provider for spec in RESOURCES})
    return counts


def _department_keys(departments: dict[str, Department]) -> dict[str, Department]:
    from tongban.demo.city import CITY_DEPARTMENTS

    return {key: departments[name] for key, name, _ in CITY_DEPARTMENTS if name in departments}


def data_officers_build(by_key: dict[str, Department]) -> int:
    """A data officer (post `data`) for each provider department: `<key>.data`."""
    rng = rng_for("exchange_officers")
    surnames, given = "王李张刘陈杨赵黄周吴", "建华秀英志强丽娟明辉海燕桂兰"
    user_ids = []
    for key in sorted({spec.provider for spec in RESOURCES}):
        if User.objects.filter(username=f"{key}.data").exists():
            continue
        staff = accounts.staff_create(
            actor=None,
            username=f"{key}.data",
            password=None,
            real_name=rng.choice(surnames) + rng.choice(given) + rng.choice(given),
            department_id=by_key[key].pk,
            post_codes=[Post.DATA],
            scope_region_code=CITY_CODE,
            scope_department_ids=[by_key[key].pk],
            check_password=False,
        )
        user_ids.append(staff.user_id)
    user_password_set_bulk(user_ids=user_ids, password=DEMO_PASSWORD)
    return len(user_ids)


# ---------------------------------------------------------------- registry rows


def registries_fill() -> int:
    persons = list(
        Person.objects.filter(region__code__startswith=CITY_PREFIX)
        .select_related("region")
        .order_by("id")[:PERSONS_MAX]
    )
    entities = list(
        LegalPerson.objects.filter(region__code__startswith=CITY_PREFIX)
        .select_related("region", "legal_representative")
        .order_by("id")[:LEGAL_MAX]
    )
    resources = {r.code: r for r in DataResource.objects.filter(code__in=[s.code for s in RESOURCES])}
    employers = [e.uscc for e in entities if e.kind == "enterprise"] or [""]
    today = timezone.localdate()
    fillers = {
        "population": _population_rows(persons),
        "legal_entity": _entity_rows(entities),
        "civil": _civil_rows(persons, today),
        "assistance": _assistance_rows(persons, today),
        "medical": _medical_rows(persons, today),
        "social": _social_rows(persons, employers, today),
        "employment": _employment_rows(persons, today),
        "housing": _housing_rows(persons, today),
        "realestate": _realestate_rows(persons),
        "hpf": _hpf_rows(persons, employers, today),
        "disability": _disability_rows(persons),
        "school": _school_rows(persons, today),
        "birth": _birth_rows(persons, today),
        "veterans": _veteran_rows(persons, today),
        "tax_credit": _tax_rows(entities, today),
        "food_licence": _food_rows(entities, today),
        "discharge_permit": _discharge_rows(entities, today),
        "transport_licence": _transport_rows(entities),
    }
    now, written = timezone.now(), 0
    for code, rows in fillers.items():
        rows = list(rows)
        for start in range(0, len(rows), 500):
            inserted, _ = imports.records_upsert(resources[code], rows[start : start + 500], source=SOURCE, now=now)
            written += inserted
    return written


Row = tuple[str, dict]


SCHOOLS = ("实验", "第一", "第二", "育才", "光明")


def _place(person: Person) -> str:
    return person.region.name if person.region else ""


def _adult(person: Person, today: dt.date, years: int = 18) -> bool:
    return (today - person.birth_date).days >= years * 365


def _population_rows(persons: list[Person]) -> Iterator[Row]:
    """Households of one to four people living in the same village, the first as the head."""
    rng = rng_for("exchange_population")
    relations = ("配偶", "子", "女", "父亲", "母亲")
    by_village: dict[str, list[Person]] = {}
    for person in persons:
        by_village.setdefault(person.region_id or "", []).append(person)
    number = 0
    for village, people in sorted(by_village.items()):
        index = 0
        while index < len(people):
            size = rng.choice((1, 2, 2, 3, 3, 4))
            members = people[index : index + size]
            index += size
            number += 1
            head = members[0]
            address = f"{_place(head)}{rng.randint(1, 180)}号{rng.randint(1, 6)}栋{rng.randint(101, 1802)}室"
            household_number = f"{village[:6]}{number:06d}"
            for position, member in enumerate(members):
                relation = "户主" if position == 0 else rng.choice(relations)
                others = "；".join(f"{rng.choice(relations)}：{m.real_name}" for m in members if m is not member)
                yield (
                    member.id_number,
                    {
                        "household": address,
                        "household_number": household_number,
                        "head_relation": relation,
                        "kinship": others or "无同户亲属",
                    },
                )


def _entity_rows(entities: list[LegalPerson]) -> Iterator[Row]:
    rng = rng_for("exchange_entities")
    scopes = (
        "餐饮服务；食品销售",
        "技术开发、技术咨询、技术服务",
        "日用百货零售",
        "道路货物运输",
        "建筑工程施工",
        "养老服务",
    )
    for entity in entities:
        yield (
            entity.uscc,
            {
                "registered_capital": f"{rng.choice((10, 50, 100, 200, 500, 1000))}.00",
                "business_scope": rng.choice(scopes),
                "status": rng.choice(("存续", "存续", "存续", "存续", "吊销", "注销"))
                if entity.kind != "public"
                else "存续",
            },
        )


def _day(rng, start: dt.date, end: dt.date) -> str:
    return (start + dt.timedelta(days=rng.randint(0, max((end - start).days, 0)))).isoformat()


def _civil_rows(persons: list[Person], today: dt.date) -> Iterator[Row]:
    rng = rng_for("exchange_civil")
    for person in persons:
        if not _adult(person, today, 22):
            continue
        roll = rng.random()
        data = {"id_number": person.id_number, "name": person.real_name}
        if roll < 0.65:
            data |= {
                "marriage": "已婚",
                "married_on": _day(rng, person.birth_date + dt.timedelta(days=22 * 365), today),
                "spouse_name": "配偶" + person.real_name[0],
            }
        elif roll < 0.75:
            data |= {"marriage": "离婚"}
        else:
            data |= {"marriage": "未婚"}
        if person.birth_date.year < 1950 and rng.random() < 0.08:
            data |= {
                "cremation": f"HH{person.id_number[:6]}{rng.randint(100000, 999999)}",
                "cremated_on": _day(rng, today - dt.timedelta(days=700), today),
            }
        yield person.id_number, data


def _assistance_rows(persons: list[Person], today: dt.date) -> Iterator[Row]:
    rng = rng_for("exchange_assistance")
    kinds = (("最低生活保障", 690), ("特困人员供养", 900), ("临时救助", 1500))
    for person in persons:
        if rng.random() < 0.03:
            kind, amount = rng.choice(kinds)
            yield (
                person.id_number,
                {
                    "id_number": person.id_number,
                    "name": person.real_name,
                    "assistance_type": kind,
                    "monthly_amount": f"{amount}.00",
                    "since": _day(rng, today - dt.timedelta(days=1500), today),
                },
            )


def _medical_rows(persons: list[Person], today: dt.date) -> Iterator[Row]:
    rng = rng_for("exchange_medical")
    for person in persons:
        if rng.random() < 0.95:
            working = _adult(person, today) and person.birth_date.year > 1965 and rng.random() < 0.6
            yield (
                person.id_number,
                {
                    "id_number": person.id_number,
                    "name": person.real_name,
                    "insured": "正常参保" if rng.random() < 0.97 else "暂停参保",
                    "insurance_type": "职工基本医疗保险" if working else "城乡居民基本医疗保险",
                    "insured_since": _day(rng, max(person.birth_date, dt.date(2000, 1, 1)), today),
                },
            )


def _social_rows(persons: list[Person], employers: list[str], today: dt.date) -> Iterator[Row]:
    rng = rng_for("exchange_social")
    for person in persons:
        if _adult(person, today) and person.birth_date.year > 1962 and rng.random() < 0.7:
            yield (
                person.id_number,
                {
                    "id_number": person.id_number,
                    "name": person.real_name,
                    "contribution": rng.choice(("正常缴费", "正常缴费", "正常缴费", "中断缴费")),
                    "employer_uscc": rng.choice(employers) or None,
                    "months": rng.randint(6, 360),
                    "last_paid": f"{today.year}-{max(today.month - 1, 1):02d}",
                },
            )


def _employment_rows(persons: list[Person], today: dt.date) -> Iterator[Row]:
    rng = rng_for("exchange_employment")
    for person in persons:
        if _adult(person, today) and person.birth_date.year > 1965 and rng.random() < 0.25:
            status = rng.choice(("就业", "就业", "失业登记", "灵活就业"))
            yield (
                person.id_number,
                {
                    "id_number": person.id_number,
                    "name": person.real_name,
                    "employment_status": status,
                    "card_number": f"{person.id_number[:6]}{rng.randint(10**9, 10**10 - 1)}",
                    "hard_to_employ": status == "失业登记" and rng.random() < 0.3,
                },
            )


def _housing_rows(persons: list[Person], today: dt.date) -> Iterator[Row]:
    rng = rng_for("exchange_housing")
    for person in persons:
        if _adult(person, today, 25) and rng.random() < 0.08:
            yield (
                person.id_number,
                {
                    "id_number": person.id_number,
                    "name": person.real_name,
                    "contract_filing": f"WQ{today.year}{rng.randint(10**7, 10**8 - 1)}",
                    "filed_on": _day(rng, today - dt.timedelta(days=120), today),
                    "location": f"{_place(person)}{rng.randint(1, 60)}号楼{rng.randint(101, 2602)}室",
                    "area": f"{rng.randint(45, 160)}.{rng.randint(0, 99):02d}",
                },
            )


def _realestate_rows(persons: list[Person]) -> Iterator[Row]:
    rng = rng_for("exchange_realestate")
    for person in persons:
        if rng.random() < 0.3 and person.birth_date.year < 2000:
            yield (
                person.id_number,
                {
                    "id_number": person.id_number,
                    "name": person.real_name,
                    "certificate": f"皖（{rng.randint(2016, 2025)}）示范市不动产权第{rng.randint(1, 99999):07d}号",
                    "location": f"{_place(person)}{rng.randint(1, 60)}号楼{rng.randint(101, 2602)}室",
                    "area": f"{rng.randint(45, 180)}.{rng.randint(0, 99):02d}",
                    "mortgaged": rng.random() < 0.35,
                },
            )


def _hpf_rows(persons: list[Person], employers: list[str], today: dt.date) -> Iterator[Row]:
    rng = rng_for("exchange_hpf")
    for person in persons:
        if _adult(person, today, 20) and person.birth_date.year > 1965 and rng.random() < 0.4:
            yield (
                person.id_number,
                {
                    "id_number": person.id_number,
                    "name": person.real_name,
                    "account_status": rng.choice(("正常", "正常", "正常", "封存")),
                    "employer_uscc": rng.choice(employers) or None,
                    "monthly_deposit": f"{rng.randint(200, 3000)}.00",
                },
            )


def _disability_rows(persons: list[Person]) -> Iterator[Row]:
    rng = rng_for("exchange_disability")
    kinds = ("视力残疾", "听力残疾", "言语残疾", "肢体残疾", "智力残疾", "精神残疾")
    for person in persons:
        if rng.random() < 0.02:
            kind = rng.randrange(len(kinds))
            grade = rng.randint(1, 4)
            yield (
                person.id_number,
                {
                    "id_number": person.id_number,
                    "name": person.real_name,
                    "category": kinds[kind],
                    "grade": f"{'一二三四'[grade - 1]}级",
                    "card_number": f"{person.id_number}{kind + 1}{grade}",
                },
            )


def _school_rows(persons: list[Person], today: dt.date) -> Iterator[Row]:
    rng = rng_for("exchange_school")
    grades = ("一年级", "二年级", "三年级", "四年级", "五年级", "六年级", "初一", "初二", "初三")
    for person in persons:
        age = today.year - person.birth_date.year
        if 6 <= age <= 14:
            yield (
                person.id_number,
                {
                    "id_number": person.id_number,
                    "name": person.real_name,
                    "school": f"示范市{rng.choice(SCHOOLS)}{'小学' if age <= 11 else '中学'}",
                    "grade": grades[min(age - 6, len(grades) - 1)],
                    "roll_status": "在读",
                },
            )


def _birth_rows(persons: list[Person], today: dt.date) -> Iterator[Row]:
    rng = rng_for("exchange_birth")
    for person in persons:
        if today.year - person.birth_date.year <= 10:
            yield (
                person.id_number,
                {
                    "id_number": person.id_number,
                    "name": person.real_name,
                    "certificate": f"S{person.birth_date.year % 100:02d}{rng.randint(10**8, 10**9 - 1)}",
                    "born_on": person.birth_date.isoformat(),
                    "hospital": rng.choice(("示范市人民医院", "示范市妇幼保健院", "城东区人民医院")),
                },
            )


def _veteran_rows(persons: list[Person], today: dt.date) -> Iterator[Row]:
    rng = rng_for("exchange_veterans")
    for person in persons:
        if person.sex == "M" and _adult(person, today, 25) and rng.random() < 0.04:
            enlisted = person.birth_date + dt.timedelta(days=365 * 18 + rng.randint(0, 700))
            yield (
                person.id_number,
                {
                    "id_number": person.id_number,
                    "name": person.real_name,
                    "enlisted_on": enlisted.isoformat(),
                    "discharged_on": min(enlisted + dt.timedelta(days=365 * rng.randint(2, 12)), today).isoformat(),
                    "placement": rng.choice(("自主就业", "安排工作", "退休", "供养")),
                },
            )


def _tax_rows(entities: list[LegalPerson], today: dt.date) -> Iterator[Row]:
    rng = rng_for("exchange_tax")
    for entity in entities:
        if entity.kind in ("enterprise", "individual"):
            grade = rng.choice("AABBBBMMCD")
            yield entity.uscc, {"uscc": entity.uscc, "name": entity.name, "credit_grade": grade, "year": today.year - 1}


def _food_rows(entities: list[LegalPerson], today: dt.date) -> Iterator[Row]:
    rng = rng_for("exchange_food")
    for entity in entities:
        if entity.kind in ("enterprise", "individual") and rng.random() < 0.3:
            yield (
                entity.uscc,
                {
                    "uscc": entity.uscc,
                    "name": entity.name,
                    "licence_number": f"JY{rng.choice('123')}{entity.uscc[2:8]}{rng.randint(10**6, 10**7 - 1)}",
                    "business_items": rng.choice(
                        ("预包装食品销售", "热食类食品制售", "冷食类食品制售；预包装食品销售")
                    ),
                    "valid_until": (today + dt.timedelta(days=rng.randint(30, 1800))).isoformat(),
                },
            )


def _discharge_rows(entities: list[LegalPerson], today: dt.date) -> Iterator[Row]:
    rng = rng_for("exchange_discharge")
    for entity in entities:
        if entity.kind == "enterprise" and rng.random() < 0.1:
            yield (
                entity.uscc,
                {
                    "uscc": entity.uscc,
                    "name": entity.name,
                    "permit_number": f"{entity.uscc}{rng.randint(1, 9):03d}",
                    "industry": rng.choice(("食品制造业", "金属制品业", "汽车修理与维护", "印刷业")),
                    "valid_until": (today + dt.timedelta(days=rng.randint(60, 1800))).isoformat(),
                },
            )


def _transport_rows(entities: list[LegalPerson]) -> Iterator[Row]:
    rng = rng_for("exchange_transport")
    for entity in entities:
        if entity.kind in ("enterprise", "individual") and rng.random() < 0.08:
            yield (
                entity.uscc,
                {
                    "uscc": entity.uscc,
                    "name": entity.name,
                    "licence_number": f"皖交运管许可示字{rng.randint(10**8, 10**9 - 1)}号",
                    "scope": rng.choice(("普通货运", "道路旅客运输", "货物专用运输（集装箱）")),
                },
            )


# ---------------------------------------------------------------- 免提交, shown on a real case

SHOWCASE_ITEM = "一次性创业补贴"
FOUNDER = "founder"
SHOWCASE_FETCHED = ("M0002", "M0003")  # 户口簿 from the population base, 营业执照 from the 法人库


def exemption_showcase_build() -> str | None:
    """A founder (`founder`, the legal representative of one demo company) applies online for
    一次性创业补贴: the platform fetches their 户口簿 (population base) and their company's 营业执照
    (the e-licence library, or the 法人库 where the library holds none), they upload the rest.
    Returns the case number (None when it exists already). The lookups then show on their "who
    looked at my data" page and in the call log, and reviewers see both snapshots."""
    from tongban.cases import services as cases
    from tongban.cases.models import Case
    from tongban.catalog.models import ItemVersion
    from tongban.demo.cases import PDF

    version = (
        ItemVersion.objects.filter(status=ItemVersion.PUBLISHED, name=SHOWCASE_ITEM, for_persons=True)
        .order_by("item_id")
        .first()
    )
    user = _founder()
    if version is None or Case.objects.filter(filed_by=user, item_id=version.item_id).exists():
        return None
    case = cases.case_draft_start(actor=user, item_id=version.item_id)
    cases.case_draft_save(
        actor=user, case_id=case.pk, answers={}, eligibility={"confirmed": True, "confirmed_at": "demo"}
    )
    for material in case.materials.exclude(standard_code__in=SHOWCASE_FETCHED):
        cases.case_file_add(
            actor=user, case_id=case.pk, material_id=material.pk, name=f"{material.name[:40]}.pdf", content=PDF
        )
    return cases.case_submit(actor=user, case_id=case.pk).number


def _founder() -> User:
    """The demo account of a person who stands for exactly one company (so the platform knows
    whose 营业执照 to fetch), registered as anyone would."""
    user = User.objects.filter(username=FOUNDER).first()
    if user is not None:
        return user
    person = (
        Person.objects.filter(user__isnull=True, mandates__status=Mandate.ACTIVE, region__code__startswith=CITY_PREFIX)
        .annotate(companies=Count("mandates"))
        .filter(companies=1)
        .order_by("id")
        .first()
    )
    user = accounts.person_register(
        real_name=person.real_name, id_number=person.id_number, phone=person.phone, password=DEMO_PASSWORD
    )
    return accounts.user_rename(user=user, username=FOUNDER)
