"""示范市 (341900000000), the deterministic demo city: region tree, departments, halls, windows,
agency points, staff for every post, a population and a legal-entity base, and the named demo
log-ins. Fictitious but structurally valid: every code passes the national checks.

Determinism: names come from pools that Faker("zh_CN") fills with seed 2026; choices come from one
random.Random per phase, seeded from 2026 and the phase's name, so changing one phase's size (the
tests' smaller population) does not reshuffle the others. Identifiers are unique by construction:
ID sequence numbers count per (county, birth date, sex), phones, credit codes and company names
are derived from the row index through a bijection.

The org tree, staff and demo accounts go through the org/accounts services, so every act is
audited; the two bases go through accounts.bulk, one audited load each. The service catalogue
(tongban.demo.catalogue) goes through the catalogue services, every version published.
"""

import datetime as dt
import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from django.db import transaction
from faker import Faker

from tongban.accounts import services as accounts
from tongban.accounts.bulk import (
    LegalPersonRow,
    PersonRow,
    legal_person_bulk_create,
    person_bulk_create,
    user_password_set_bulk,
)
from tongban.accounts.models import Mandate, Person, Post
from tongban.catalog.models import Item
from tongban.core.identifiers import USCC_ALPHABET, make_id_number, make_uscc
from tongban.demo.catalogue import catalogue_build, catalogue_bulk_build, catalogue_exists
from tongban.org import services as org
from tongban.org.models import AgencyPoint, Department, Region, ServiceHall, Window

SEED = 2026
CITY_CODE = "341900000000"
CITY_NAME = "示范市"
CITY_PREFIX = "3419"
DEMO_PASSWORD = "Demo#2026"

Say = Callable[[str], None]


@dataclass(frozen=True)
class Scale:
    persons: int = 3_000
    legal_persons: int = 300
    bulk_persons: int = 0  # --scale city: loaded after the small city, in its own transactions
    bulk_legal_persons: int = 0
    bulk_items: int = 0  # generated county- and township-level implementations of the catalogue


SCALES = {
    "small": Scale(),
    "city": Scale(bulk_persons=1_000_000, bulk_legal_persons=100_000, bulk_items=5_000),
}


@dataclass
class CityReport:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    skipped: bool = False


def rng_for(phase: str) -> random.Random:
    return random.Random(f"{SEED}:{phase}")  # str seeds hash with SHA-512: stable across runs


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# --- Region tree ----------------------------------------------------------------------------------

COUNTIES = (  # code, name, user-name key, townships (3-digit code, name)
    (
        "341902",
        "城东区",
        "cd",
        (("001", "东华街道"), ("002", "朝阳街道"), ("003", "人民路街道"), ("004", "解放街道"), ("005", "新城街道")),
    ),
    (
        "341903",
        "城西区",
        "cx",
        (("001", "西湖街道"), ("002", "西园街道"), ("003", "长安街道"), ("004", "建设街道"), ("005", "文昌街道")),
    ),
    ("341904", "高新区", "gx", (("001", "创新街道"), ("002", "科学城街道"), ("003", "天河街道"), ("004", "双凤街道"))),
    (
        "341921",
        "示范县",
        "sfx",
        (
            ("101", "城关镇"),
            ("102", "柳河镇"),
            ("103", "双桥镇"),
            ("201", "石门乡"),
            ("202", "青山乡"),
            ("203", "白沙乡"),
        ),
    ),
)
COMMUNITIES_PER_STREET = 7  # codes 001–007 under a street
VILLAGES_PER_TOWN = 9  # codes 201–209 under a town or xiang
COMMUNITY_ROOTS = _words(
    "和平 幸福 光明 团结 胜利 友谊 民主 建国 新华 红星 锦绣 春晖 金桥 翠园 丽景 滨河 桂花 紫薇 明珠 花园 "
    "育才 书香 康乐 安康 永安 长青 松林 竹园 荷塘 月湖 星光 阳光 彩虹 馨苑 怡景 雅居 华苑 兴业 振兴 繁荣 "
    "富民 利民 惠民 安居 乐业 清风 明月 南湖 北苑 东苑 西苑 府前 车站 工农 园林 凤凰 龙泉 玉泉 金鼎 银河 "
    "天鹅 梧桐 香樟 枫林 柳岸 杏林 桃源 梨园 湖滨 江畔 临河 观澜 望江 碧水 青石 白云 紫金 嘉禾 瑞祥 吉祥 "
    "福泰 恒通 鼎盛 科技园 创业 软件园 大学城 高铁 新港 文化 体育 学府 御景 城南 城北 东关 西关 南关 北关 "
    "鼓楼 钟楼"
)
VILLAGE_ROOTS = _words(
    "张庄 李集 王岗 刘营 陈湾 杨楼 赵圩 周寨 孙店 马桥 黄庄 吴郢 高台 郭集 何湾 罗岗 梁庄 宋店 郑楼 谢湾 "
    "韩圩 唐集 冯营 于庄 董岗 程楼 曹集 袁庄 邓店 许岗 傅湾 沈圩 曾楼 彭集 吕庄 苏岗 卢湾 蒋楼 蔡集 贾庄 "
    "丁岗 魏湾 薛楼 叶集 余庄 潘岗 杜湾 戴楼 夏集 钟庄 汪岗 田湾 任楼 姜集 范庄 方岗 石湾 姚楼 谭集 廖庄 "
    "邹岗 熊湾 金楼 陆集 郝庄 孔岗"
)
ROADS = _words(
    "人民路 建设路 解放路 中山路 文化路 幸福路 长江路 黄山路 淮河路 胜利路 和平路 光明路 新华路 友谊路 "
    "花园路 学府路 科技大道 创新大道 滨河路 振兴路 工业路 迎宾大道 站前路 府前街 东风路 朝阳路 长安街 "
    "青年路 园林路 健康路"
)


@dataclass
class CityMap:
    """What later phases need to know of the tree, without querying it back."""

    names: dict[str, str] = field(default_factory=dict)  # code -> name
    townships: list[str] = field(default_factory=list)
    villages: list[str] = field(default_factory=list)

    def county_key(self, code: str) -> str:
        return next(key for county, _, key, _ in COUNTIES if county == code[:6])

    def place(self, village: str) -> str:
        """The address of a village below the city, e.g. 城东区东华街道东华社区."""
        return self.names[village[:6].ljust(12, "0")] + self.names[village[:9].ljust(12, "0")] + self.names[village]


def _root(name: str) -> str:
    for suffix in ("街道", "镇", "乡"):
        name = name.removesuffix(suffix)
    return name


def city_map_plan() -> CityMap:
    """Codes and names of the whole tree. The first community of a street and the first village
    of a town carry its name, as they usually do."""
    rng = rng_for("regions")
    first_roots = {_root(name) for *_, townships in COUNTIES for _, name in townships}
    communities = [root for root in COMMUNITY_ROOTS if root not in first_roots]
    villages = [root for root in VILLAGE_ROOTS if root not in first_roots]
    rng.shuffle(communities)
    rng.shuffle(villages)
    plan = CityMap(names={CITY_CODE: CITY_NAME})
    for county, county_name, _, townships in COUNTIES:
        plan.names[county.ljust(12, "0")] = county_name
        for township, township_name in townships:
            prefix = county + township
            plan.names[prefix.ljust(12, "0")] = township_name
            plan.townships.append(prefix.ljust(12, "0"))
            street = int(township) < 100
            pool, suffix, first_code, size = (
                (communities, "社区", 1, COMMUNITIES_PER_STREET) if street else (villages, "村", 201, VILLAGES_PER_TOWN)
            )
            roots = [_root(township_name), *(pool.pop() for _ in range(size - 1))]
            for offset, root in enumerate(roots):
                code = f"{prefix}{first_code + offset:03d}"
                plan.names[code] = root + suffix
                plan.villages.append(code)
    return plan


def regions_build(plan: CityMap) -> dict[str, int]:
    for code in sorted(plan.names, key=lambda c: (_level_rank(c), c)):  # parents before children
        org.region_create(code=code, name=plan.names[code])
    return {
        "regions": len(plan.names),
        "counties": len(COUNTIES),
        "townships": len(plan.townships),
        "villages": len(plan.villages),
    }


def _level_rank(code: str) -> int:
    if code == CITY_CODE:
        return 0
    if code.endswith("000000"):
        return 1
    return 2 if code.endswith("000") else 3


# --- Departments ----------------------------------------------------------------------------------

CITY_DEPARTMENTS = (  # key, name, short name
    ("gov", "示范市政务服务管理局", "市政务服务局"),
    ("data", "示范市数据资源管理局", "市数据局"),
    ("amr", "示范市市场监督管理局", "市市场监管局"),
    ("psb", "示范市公安局", "市公安局"),
    ("ca", "示范市民政局", "市民政局"),
    ("hrss", "示范市人力资源和社会保障局", "市人社局"),
    ("nhc", "示范市卫生健康委员会", "市卫健委"),
    ("nr", "示范市自然资源和规划局", "市自然资源局"),
    ("hud", "示范市住房和城乡建设局", "市住建局"),
    ("transport", "示范市交通运输局", "市交通局"),
    ("tax", "国家税务总局示范市税务局", "市税务局"),
    ("hsa", "示范市医疗保障局", "市医保局"),
    ("edu", "示范市教育局", "市教育局"),
    ("dpf", "示范市残疾人联合会", "市残联"),
    ("ndrc", "示范市发展和改革委员会", "市发改委"),
    ("finance", "示范市财政局", "市财政局"),
    ("eco", "示范市生态环境局", "市生态环境局"),
    ("agri", "示范市农业农村局", "市农业农村局"),
    ("culture", "示范市文化和旅游局", "市文旅局"),
    ("em", "示范市应急管理局", "市应急局"),
    ("cm", "示范市城市管理局", "市城管局"),
    ("justice", "示范市司法局", "市司法局"),
    ("veterans", "示范市退役军人事务局", "市退役军人局"),
    ("commerce", "示范市商务局", "市商务局"),
    ("water", "示范市水利局", "市水利局"),
    ("hpf", "示范市住房公积金管理中心", "市公积金中心"),
    ("fire", "示范市消防救援支队", "市消防救援支队"),
    ("forestry", "示范市林业局", "市林业局"),
    ("sport", "示范市体育局", "市体育局"),
    ("weather", "示范市气象局", "市气象局"),
    ("tobacco", "示范市烟草专卖局", "市烟草专卖局"),
    ("stats", "示范市统计局", "市统计局"),
    ("pbc", "中国人民银行示范市分行", "人民银行示范市分行"),
    # Public utilities: 水电气过户 is handled with the real-estate transfer at one window.
    ("supply", "示范市供水有限公司", "市供水公司"),
    ("power", "国网示范市供电公司", "市供电公司"),
    ("gas", "示范市燃气有限公司", "市燃气公司"),
)
COUNTY_DEPARTMENTS = ("gov", "amr", "hrss", "ca", "cm")  # each county-level unit has these counterparts
# --scale city adds the other county bureaus and a government office per township, which implement
# the bulk catalogue; banks and utilities have no county counterpart here.
BULK_COUNTY_DEPARTMENTS = tuple(
    key for key, _, _ in CITY_DEPARTMENTS if key not in {*COUNTY_DEPARTMENTS, "hpf", "pbc", "supply", "power", "gas"}
)


def department_key(county: str, key: str) -> str:
    """Key of a county-level counterpart, e.g. "cd.amr"; city departments are keyed "amr"."""
    return f"{county}.{key}"


def township_key(code: str) -> str:
    """Key of a township's government office (bulk scale), e.g. "341902001000.town"."""
    return f"{code}.town"


def county_department_names(key: str, county_name: str) -> tuple[str, str]:
    """Name and short name of a county's counterpart of the city department `key`."""
    name, short_name = next((name, short) for k, name, short in CITY_DEPARTMENTS if k == key)
    if name.startswith("国家税务总局"):
        return name.replace(CITY_NAME, CITY_NAME + county_name), f"{county_name}税务局"
    name, short_name = county_name + name.removeprefix(CITY_NAME), county_name + short_name.removeprefix("市")
    if key == "fire":  # a city has a 支队, a district or county a 大队
        return name.replace("支队", "大队"), short_name.replace("支队", "大队")
    return name, short_name


def township_office_names(plan: "CityMap", code: str) -> tuple[str, str]:
    """街道办事处 of a street, 人民政府 of a town or xiang."""
    name = plan.names[code]
    return (name + "办事处", name + "办") if name.endswith("街道") else (name + "人民政府", name + "政府")


def departments_build() -> dict[str, Department]:
    rng = rng_for("departments")
    used: set[str] = set()
    departments: dict[str, Department] = {}
    for key, name, short_name in CITY_DEPARTMENTS:
        departments[key] = org.department_create(
            name=name, short_name=short_name, uscc=_department_uscc(rng, used, CITY_CODE), region_code=CITY_CODE
        )
    for county, county_name, county_key, _ in COUNTIES:
        region_code = county.ljust(12, "0")
        for key in COUNTY_DEPARTMENTS:
            departments[department_key(county_key, key)] = _county_department_create(
                key, county_name, region_code, parent=departments[key], rng=rng, used=used
            )
    return departments


def _county_department_create(
    key: str, county_name: str, region_code: str, *, parent: Department, rng: random.Random, used: set[str]
) -> Department:
    """A county-level counterpart of the city department `parent`."""
    name, short_name = county_department_names(key, county_name)
    return org.department_create(
        name=name,
        short_name=short_name,
        uscc=_department_uscc(rng, used, region_code),
        region_code=region_code,
        parent_id=parent.pk,
    )


def bulk_departments_build(plan: CityMap, departments: dict[str, Department]) -> int:
    """The county bureaus and township offices the bulk catalogue needs, added to `departments`;
    returns how many were created."""
    rng = rng_for("bulk_departments")
    used = {uscc[8:17] for uscc in Department.objects.values_list("uscc", flat=True)}
    created = 0
    for county, county_name, county_key, _ in COUNTIES:
        region_code = county.ljust(12, "0")
        for key in BULK_COUNTY_DEPARTMENTS:
            if department_key(county_key, key) in departments:
                continue
            departments[department_key(county_key, key)] = _county_department_create(
                key, county_name, region_code, parent=departments[key], rng=rng, used=used
            )
            created += 1
    for code in plan.townships:
        if township_key(code) in departments:
            continue
        name, short_name = township_office_names(plan, code)
        departments[township_key(code)] = org.department_create(
            name=name, short_name=short_name, uscc=_department_uscc(rng, used, code), region_code=code
        )
        created += 1
    return created


def departments_load(plan: CityMap) -> dict[str, Department]:
    """The departments of a city built earlier, by key (matched by their unique names)."""
    expected = {key: name for key, name, _ in CITY_DEPARTMENTS}
    for _, county_name, county_key, _ in COUNTIES:
        for key in (*COUNTY_DEPARTMENTS, *BULK_COUNTY_DEPARTMENTS):
            expected[department_key(county_key, key)] = county_department_names(key, county_name)[0]
    for code in plan.townships:
        expected[township_key(code)] = township_office_names(plan, code)[0]
    found = Department.objects.filter(name__in=expected.values(), region__code__startswith=CITY_PREFIX)
    by_name = {department.name: department for department in found}
    return {key: by_name[name] for key, name in expected.items() if name in by_name}


def _department_uscc(rng: random.Random, used: set[str], region_code: str) -> str:
    while (code := f"00{rng.randrange(10**7):07d}") in used:
        pass
    used.add(code)
    return make_uscc("1", "1", region_code[:6], code)


# --- Halls, windows, agency points ----------------------------------------------------------------

# name, kind, department keys ("~x" = the county's own counterpart of x), how many windows
CITY_WINDOWS = (
    ("企业开办综合窗口", "comprehensive", ("amr", "tax", "psb", "hrss", "hsa", "hpf", "pbc"), 3),
    ("社会事务综合窗口", "comprehensive", ("ca", "hrss", "hsa", "nhc", "dpf", "edu"), 2),
    ("工程建设项目综合窗口", "comprehensive", ("ndrc", "nr", "hud", "eco", "transport", "fire"), 2),
    ("不动产登记综合窗口", "comprehensive", ("nr", "tax", "hud", "hpf", "supply", "power", "gas"), 2),
    ("出入境专业窗口", "special", ("psb",), 1),
    ("公积金专业窗口", "special", ("hpf",), 1),
    ("综合出件窗口", "delivery", (), 1),
)
COUNTY_WINDOWS = (
    ("企业开办综合窗口", "comprehensive", ("~amr", "tax", "psb", "~hrss"), 2),
    ("社会事务综合窗口", "comprehensive", ("~ca", "~hrss", "hsa", "nhc"), 2),
    ("综合受理窗口", "comprehensive", ("~gov", "~amr", "~hrss", "~ca", "~cm"), 2),
    ("户籍专业窗口", "special", ("psb",), 1),
    ("综合出件窗口", "delivery", (), 1),
)
TOWN_WINDOWS = (
    ("综合受理窗口", "comprehensive", ("~ca", "~hrss", "hsa", "~cm"), 2),
    ("综合出件窗口", "delivery", (), 1),
)
AGENCY_POINTS = 60  # every village (村) and a few communities


def halls_build(plan: CityMap, departments: dict[str, Department]) -> dict[str, ServiceHall]:
    """市政务服务中心, one centre per county-level unit and a 便民服务中心 per town or street, keyed by
    region code, each with its windows."""
    rng = rng_for("halls")
    halls: dict[str, ServiceHall] = {}
    places = [(CITY_CODE, f"{CITY_NAME}政务服务中心", CITY_WINDOWS)]
    places += [(county.ljust(12, "0"), f"{name}政务服务中心", COUNTY_WINDOWS) for county, name, _, _ in COUNTIES]
    places += [(code, f"{plan.names[code]}便民服务中心", TOWN_WINDOWS) for code in plan.townships]
    for region_code, name, windows in places:
        hall = org.hall_create(
            name=name,
            region_code=region_code,
            address=_address(rng, plan, region_code),
            phone=f"0550-{rng.randrange(2_000_000, 9_000_000)}",
        )
        _windows_build(hall, windows, departments, None if region_code == CITY_CODE else plan.county_key(region_code))
        halls[region_code] = hall
    return halls


def _windows_build(hall: ServiceHall, specs: tuple, departments: dict[str, Department], county: str | None) -> None:
    number, served = 0, []
    for name, kind, keys, count in specs:
        ids = [departments[department_key(county, k[1:]) if k.startswith("~") else k].pk for k in keys]
        ids = ids or list(dict.fromkeys(served))  # the delivery window hands out every result of the hall
        served += ids
        for _ in range(count):
            number += 1
            org.window_create(hall=hall, number=str(number), name=name, kind=kind, department_ids=ids)


def _address(rng: random.Random, plan: CityMap, region_code: str) -> str:
    place = CITY_NAME if region_code == CITY_CODE else plan.names[region_code[:6].ljust(12, "0")]
    if region_code[6:9] != "000":
        place += plan.names[region_code[:9].ljust(12, "0")]
    return f"{place}{rng.choice(ROADS)}{rng.randrange(1, 300)}号"


def agency_points_build(plan: CityMap) -> dict[str, AgencyPoint]:
    rng = rng_for("agency_points")
    villages = [code for code in plan.villages if int(code[9:]) >= 200]
    communities = [code for code in plan.villages if int(code[9:]) < 200]
    chosen = sorted(villages + rng.sample(communities, max(0, AGENCY_POINTS - len(villages))))
    points = {}
    for code in chosen:
        points[code] = org.agency_point_create(
            name=f"{plan.names[code]}便民代办点",
            region_code=code,
            address=f"{plan.place(code)}党群服务中心",
            phone=f"0550-{rng.randrange(2_000_000, 9_000_000)}",
        )
    return points


# --- Names ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NamePools:
    surnames: tuple[str, ...]  # drawn as Faker draws them, so common surnames are common
    male: tuple[str, ...]
    female: tuple[str, ...]

    def full_name(self, rng: random.Random, sex: str) -> str:
        return rng.choice(self.surnames) + rng.choice(self.male if sex == "M" else self.female)


def name_pools() -> NamePools:
    """Pools filled once from Faker: calling Faker per row would take minutes for a million rows."""
    fake = Faker("zh_CN")
    fake.seed_instance(SEED)

    def given(draw: Callable[[], str]) -> str:
        # Faker's zh_CN given names are mostly one character; most people have two.
        name = draw()
        if len(name) == 1 and fake.random.random() < 0.65:
            name = (name + draw())[:2]
        return name

    return NamePools(
        surnames=tuple(fake.last_name() for _ in range(4_000)),
        male=tuple(given(fake.first_name_male) for _ in range(2_000)),
        female=tuple(given(fake.first_name_female) for _ in range(2_000)),
    )


# --- Population -----------------------------------------------------------------------------------

BIRTH_FIRST, BIRTH_LAST, BIRTH_MODE = dt.date(1940, 1, 1), dt.date(2020, 12, 31), dt.date(1975, 6, 1)
ADULT_BORN_BEFORE = dt.date(2006, 1, 1)
# ID sequence numbers (0–499 per county, birth date and sex) are split so the named demo persons,
# the small population and the bulk population can never collide, whichever is loaded first.
SMALL_SEQUENCES, NAMED_SEQUENCE, BULK_SEQUENCES = (1, 90), 90, (100, 500)
SEQUENCE_STRIDE = 37  # coprime with both spans (89 and 400)
PHONE_PREFIXES = tuple(
    f"1{d}"
    for d in _words(
        "30 31 32 33 34 35 36 37 38 39 45 47 50 51 52 53 55 56 57 58 59 66 70 73 75 76 77 78 "
        "80 81 82 83 84 85 86 87 88 89 91 93 95 96 98"
    )
)  # 199 is kept for the named demo persons
PHONE_MULTIPLIER = 2_654_435_761  # prime, so coprime with 2, 5 and the number of prefixes
BULK_PHONE_OFFSET = 10_000_000
NAMED_PERSONS = (  # user name, real name, sex, birth date, village (must exist in the plan)
    ("citizen", "王小明", "M", dt.date(1990, 5, 17), "341902001001"),
    ("enterprise", "李经办", "F", dt.date(1988, 3, 8), "341903001001"),
    ("legalrep", "赵建国", "M", dt.date(1972, 10, 1), "341902002001"),
)


def phone_for(index: int) -> str:
    """A mobile number unique per index: index × a unit modulo (prefixes × 10⁸) is a bijection;
    its remainder picks the prefix, its quotient is the 8-digit body."""
    number = (index * PHONE_MULTIPLIER + 13_579_246) % (len(PHONE_PREFIXES) * 10**8)
    body, prefix = divmod(number, len(PHONE_PREFIXES))
    return f"{PHONE_PREFIXES[prefix]}{body:08d}"


def person_rows(
    *,
    count: int,
    villages: Sequence[str],
    pools: NamePools,
    rng: random.Random,
    sequences: tuple[int, int],
    phone_offset: int,
) -> Iterator[PersonRow]:
    """`count` persons living in `villages`, born 1940–2020 (most of them of working age). The
    n-th person of a (county, birth date, sex) gets sequence start + (n·stride + date) mod span:
    distinct for n < span, and spread over the range as real order codes are."""
    used: dict[tuple[str, int, str], int] = {}
    first, last, mode = BIRTH_FIRST.toordinal(), BIRTH_LAST.toordinal(), BIRTH_MODE.toordinal()
    start, stop = sequences
    span = stop - start
    choice, random_, triangular = rng.choice, rng.random, rng.triangular
    surnames, male, female = pools.surnames, pools.male, pools.female
    for index in range(count):
        village = choice(villages)
        county = village[:6]
        sex = "M" if random_() < 0.51 else "F"
        ordinal = int(triangular(first, last, mode))
        while (taken := used.get((county, ordinal, sex), 0)) >= span:
            ordinal += 1  # every sequence number of that day is taken: the next day has room
        used[county, ordinal, sex] = taken + 1
        sequence = start + (taken * SEQUENCE_STRIDE + ordinal) % span
        birth = dt.date.fromordinal(ordinal)
        name = choice(surnames) + choice(male if sex == "M" else female)
        yield PersonRow(
            name, make_id_number(county, birth, sequence, sex), birth, sex, phone_for(phone_offset + index), village
        )


def named_person_rows() -> Iterator[PersonRow]:
    for offset, (_, name, sex, birth, village) in enumerate(NAMED_PERSONS):
        yield PersonRow(name, named_id_number(offset), birth, sex, f"1990000{offset + 1:04d}", village)


def named_id_number(offset: int) -> str:
    _, _, sex, birth, village = NAMED_PERSONS[offset]
    return make_id_number(village[:6], birth, NAMED_SEQUENCE + offset, sex)


def population_build(plan: CityMap, pools: NamePools, count: int) -> int:
    rows = person_rows(
        count=count,
        villages=plan.villages,
        pools=pools,
        rng=rng_for("population"),
        sequences=SMALL_SEQUENCES,
        phone_offset=0,
    )
    return person_bulk_create([*rows, *named_person_rows()])


# --- Legal persons --------------------------------------------------------------------------------

BRAND_CHARS = (  # 办 is left out, so no generated name can clash with the demo companies "通办…"
    "华鑫恒泰达隆盛兴源通宏瑞诚信德丰安康嘉博创新佳美金银龙凤"
    "天宇星辰海远锦润禾益汇众联科智力祥和睿卓越永昌荣邦正光明辉腾飞骏"
)
BRANDS = tuple(a + b for a in BRAND_CHARS for b in BRAND_CHARS if a != b)
INDUSTRIES = _words(
    "科技 商贸 建筑工程 餐饮管理 物流 农业科技 食品 家政服务 电子科技 文化传媒 医药 环保科技 机械制造 "
    "服装 建材 房地产开发 物业管理 教育咨询 信息技术 新能源 汽车销售 酒店管理 广告 劳务派遣"
)
COMPANY_FORMS = ("有限公司", "有限责任公司")
SHOPS = _words(
    "餐饮店 便利店 理发店 五金店 水果店 副食店 服装店 汽车修理部 农资店 小吃店 面馆 烧烤店 超市 烟酒店 "
    "手机店 家电维修部 茶叶店 粮油店 文具店 早餐店"
)
ASSOCIATION_TOPICS = _words(
    "个体劳动者 餐饮行业 物流 电子商务 老年人体育 书法家 摄影家 青年企业家 志愿者 家庭教育 养蜂 茶叶 "
    "建筑业 软件行业 旅游 农民专业合作 食品安全 消费者权益保护 钓鱼 象棋 围棋 篮球 足球 乒乓球 太极拳 "
    "诗词 楹联 民俗文化 非遗保护 汽车维修 家政服务 美容美发 药品零售 装饰装修 物业管理 农机 水产养殖 "
    "中医药 心理咨询 慈善"
)
ASSOCIATION_FORMS = ("协会", "商会", "促进会")
INSTITUTIONS = _words(
    "养老服务中心 社会工作服务中心 职业培训学校 幼儿园 康复中心 文化艺术培训中心 青少年活动中心 "
    "社区服务中心 健康管理中心 书画院"
)
SCRAMBLE = 1_000_003  # a prime larger than every name space below: n → n·p mod N is a bijection
BULK_LEGAL_OFFSET = 1_000  # index (credit code, name) of the first bulk legal person; small stays below
ESTABLISHED_FIRST, ESTABLISHED_LAST = dt.date(1995, 1, 1), dt.date(2025, 12, 31)


@dataclass(frozen=True)
class LegalKind:
    kind: str  # LegalPerson.kind
    authority: str  # USCC registering authority
    type_code: str  # USCC organisation kind
    code_prefix: str  # first two characters of the 9-character organisation code
    weight: float


LEGAL_KINDS = (
    LegalKind("enterprise", "9", "1", "MA", 0.72),
    LegalKind("individual", "9", "2", "MA", 0.23),
    LegalKind("social", "5", "1", "MJ", 0.01),  # 社会团体
    LegalKind("social", "5", "2", "MJ", 0.04),  # 民办非企业单位
)
DEMO_COMPANIES = (  # name, organisation code, village; representative: the named person "legalrep"
    ("示范市通办餐饮管理有限公司", "MDTB00001", "341902001002"),
    ("示范市通办科技有限公司", "MDTB00002", "341904001002"),
)


def _base31(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 31)
        digits.append(USCC_ALPHABET[digit])
    return "".join(reversed(digits))


def _name_pick(index: int, *parts: Sequence[str]) -> str:
    """The index-th name of the product of `parts`, scrambled so neighbours differ; unique while
    index < the product's size."""
    size = math.prod(len(part) for part in parts)
    number = index * SCRAMBLE % size
    chosen = []
    for part in reversed(parts):
        number, position = divmod(number, len(part))
        chosen.append(part[position])
    return "".join(reversed(chosen))


def legal_person_name(kind: LegalKind, index: int, plan: CityMap, county_name: str) -> str:
    if kind.kind == "enterprise":
        return _name_pick(index, (CITY_NAME,), BRANDS, INDUSTRIES, COMPANY_FORMS)
    if kind.kind == "individual":
        return county_name + _name_pick(index, BRANDS, SHOPS)
    if kind.type_code == "1":
        regions = [CITY_NAME, *(name for _, name, _, _ in COUNTIES), *(plan.names[c] for c in plan.townships)]
        return _name_pick(index, regions, ASSOCIATION_TOPICS, ASSOCIATION_FORMS)
    return _name_pick(index, (CITY_NAME,), BRANDS, INSTITUTIONS)


def legal_person_rows(
    *, count: int, start: int, plan: CityMap, representatives: Sequence[int], rng: random.Random
) -> Iterator[LegalPersonRow]:
    """`count` legal persons from row index `start`: credit codes and names follow the index."""
    places = {code: CITY_NAME + plan.place(code) for code in plan.villages}
    weights = [kind.weight for kind in LEGAL_KINDS]
    name_index = dict.fromkeys(range(len(LEGAL_KINDS)), start)  # per kind: each has its own name space
    first, last = ESTABLISHED_FIRST.toordinal(), ESTABLISHED_LAST.toordinal()
    for index in range(start, start + count):
        (which,) = rng.choices(range(len(LEGAL_KINDS)), weights)
        kind = LEGAL_KINDS[which]
        village = rng.choice(plan.villages)
        region = CITY_CODE if kind.authority == "5" else village
        organisation = kind.code_prefix + _base31((index * SCRAMBLE + 12_345) % 31**7, 7)
        yield LegalPersonRow(
            name=legal_person_name(kind, name_index[which], plan, plan.names[village[:6].ljust(12, "0")]),
            uscc=make_uscc(kind.authority, kind.type_code, region, organisation),
            kind=kind.kind,
            legal_representative_id=rng.choice(representatives),
            region_id=village,
            address=f"{places[village]}{rng.choice(ROADS)}{rng.randrange(1, 300)}号",
            established_on=dt.date.fromordinal(int(rng.triangular(first, last, last))),  # most are young
        )
        name_index[which] += 1


def demo_company_rows(plan: CityMap, representative_id: int) -> Iterator[LegalPersonRow]:
    for offset, (name, _, village) in enumerate(DEMO_COMPANIES):
        yield LegalPersonRow(
            name=name,
            uscc=demo_company_uscc(offset),
            kind="enterprise",
            legal_representative_id=representative_id,
            region_id=village,
            address=f"{CITY_NAME}{plan.place(village)}政务大道{offset + 1}号",
            established_on=dt.date(2024, 3, 1 + offset),
        )


def demo_company_uscc(offset: int) -> str:
    _, organisation, village = DEMO_COMPANIES[offset]
    return make_uscc("9", "1", village, organisation)


def representative_ids() -> list[int]:
    """Adults of the population who may represent a legal person (not the named demo persons)."""
    named = [named_id_number(offset) for offset in range(len(NAMED_PERSONS))]
    adults = Person.objects.filter(region__code__startswith=CITY_PREFIX, birth_date__lt=ADULT_BORN_BEFORE)
    return list(adults.exclude(id_number__in=named).order_by("id").values_list("id", flat=True))


def legal_persons_build(plan: CityMap, count: int) -> int:
    if count > BULK_LEGAL_OFFSET:
        raise ValueError(f"演示规模最多 {BULK_LEGAL_OFFSET:,} 个法人，更多请用批量规模。")
    representative = Person.objects.get(id_number=named_id_number(2)).pk
    rows = legal_person_rows(
        count=count, start=0, plan=plan, representatives=representative_ids(), rng=rng_for("legal_persons")
    )
    return legal_person_bulk_create([*rows, *demo_company_rows(plan, representative)])


# --- Staff ----------------------------------------------------------------------------------------

BACK_OFFICE = ("amr", "psb", "hrss", "nhc", "cd.amr", "cd.hrss")
BACK_OFFICE_POSTS = (Post.ACCEPT, Post.REVIEW, Post.APPROVE, Post.ISSUE, Post.DELIVER)
DEMO_USERNAMES = {"amr.review": "reviewer", "amr.approve": "approver", "city.window1": "clerk"}
GRID_WORKERS = 20


@dataclass(frozen=True)
class StaffSpec:
    username: str
    department: str  # department key
    posts: tuple[str, ...]
    scope_region: str
    own_department_only: bool = False
    hall: str | None = None  # region code of the hall
    agency_point: str | None = None  # village code


def staff_plan(plan: CityMap, departments: dict[str, Department], points: dict[str, AgencyPoint]) -> list[StaffSpec]:
    rng = rng_for("staff")
    specs = [
        StaffSpec(f"{key}.{post}", key, (post,), departments[key].region_id, own_department_only=True)
        for key in BACK_OFFICE
        for post in BACK_OFFICE_POSTS
    ]
    specs += _window_clerk_specs(plan)
    specs += [
        StaffSpec(f"agent.{code}", department_key(plan.county_key(code), "gov"), (Post.AGENT,), code, agency_point=code)
        for code in points
    ]
    streets = [code for code in plan.villages if int(code[6:9]) < 100]
    specs += [
        StaffSpec(f"grid.{code}", department_key(plan.county_key(code), "cm"), (Post.GRID,), code)
        for code in sorted(rng.sample(streets, GRID_WORKERS))
    ]
    specs += [
        StaffSpec("supervisor", "gov", (Post.SUPERVISE,), CITY_CODE),
        StaffSpec("supervisor2", "gov", (Post.SUPERVISE,), CITY_CODE),
        StaffSpec("data1", "data", (Post.DATA,), CITY_CODE),
        StaffSpec("data2", "data", (Post.DATA,), CITY_CODE),
        *(StaffSpec(f"hotline{n}", "gov", (Post.HOTLINE,), CITY_CODE) for n in (1, 2, 3)),
        StaffSpec("admin", "data", (Post.ADMIN,), CITY_CODE),
        StaffSpec("security", "data", (Post.SECURITY,), CITY_CODE),
        StaffSpec("auditor", "data", (Post.AUDIT,), CITY_CODE),
    ]
    return [replace(spec, username=DEMO_USERNAMES.get(spec.username, spec.username)) for spec in specs]


def _window_clerk_specs(plan: CityMap) -> list[StaffSpec]:
    """Three clerks at the city centre, two at each county centre, one at each town centre."""
    specs = [StaffSpec(f"city.window{n}", "gov", (Post.WINDOW,), CITY_CODE, hall=CITY_CODE) for n in (1, 2, 3)]
    for county, _, key, _ in COUNTIES:
        code = county.ljust(12, "0")
        specs += [StaffSpec(f"{key}.window{n}", f"{key}.gov", (Post.WINDOW,), code, hall=code) for n in (1, 2)]
    for code in plan.townships:
        key = plan.county_key(code)
        specs.append(StaffSpec(f"{key}{code[6:9]}.window", f"{key}.gov", (Post.WINDOW,), code, hall=code))
    return specs


def staff_build(
    plan: CityMap,
    pools: NamePools,
    departments: dict[str, Department],
    halls: dict[str, ServiceHall],
    points: dict[str, AgencyPoint],
) -> int:
    rng = rng_for("staff_names")
    user_ids = []
    for spec in staff_plan(plan, departments, points):
        department = departments[spec.department]
        staff = accounts.staff_create(
            actor=None,
            username=spec.username,
            # No password here: PBKDF2 would cost ~0.5 s per account. None makes the account
            # unusable until user_password_set_bulk below gives every one the demo password.
            password=None,
            real_name=pools.full_name(rng, rng.choice("MF")),
            department_id=department.pk,
            post_codes=list(spec.posts),
            scope_region_code=spec.scope_region,
            scope_department_ids=[department.pk] if spec.own_department_only else None,
            hall_id=halls[spec.hall].pk if spec.hall else None,
            agency_point_id=points[spec.agency_point].pk if spec.agency_point else None,
            check_password=False,
        )
        user_ids.append(staff.user_id)
    user_password_set_bulk(user_ids=user_ids, password=DEMO_PASSWORD)
    return len(user_ids)


# --- Named demo log-ins ---------------------------------------------------------------------------

DEMO_LOGINS = (  # user name, role
    ("citizen", "个人用户（王小明）"),
    ("enterprise", "企业经办人（李经办，示范市通办餐饮管理有限公司）"),
    ("legalrep", "企业法定代表人（赵建国，可确认李经办的待确认授权）"),
    ("clerk", "综合窗口受理员（市政务服务中心）"),
    ("reviewer", "审核人员（市市场监管局）"),
    ("approver", "审批人员（市市场监管局）"),
    ("supervisor", "电子监察人员"),
    ("admin", "系统管理员（管理后台：配置与数据，不能查看审计）"),
    ("security", "安全管理员（管理后台：岗位授予、账号解锁、动态口令要求）"),
    ("auditor", "审计管理员（管理后台：只读审计记录）"),
)


def demo_accounts_build() -> int:
    """The named citizens register as anyone would; the enterprise agent then binds the two demo
    companies, and the representative confirms the first, leaving the second pending."""
    users = {}
    for offset, (username, name, *_) in enumerate(NAMED_PERSONS):
        person = Person.objects.get(id_number=named_id_number(offset))
        user = accounts.person_register(
            real_name=name, id_number=person.id_number, phone=person.phone, password=DEMO_PASSWORD
        )
        users[username] = accounts.user_rename(user=user, username=username)
    (first, *_), (second, *_) = DEMO_COMPANIES
    mandate = accounts.legal_person_bind(user=users["enterprise"], uscc=demo_company_uscc(0), name=first)
    accounts.mandate_decide(user=users["legalrep"], mandate_id=mandate.pk, approve=True)
    accounts.legal_person_bind(user=users["enterprise"], uscc=demo_company_uscc(1), name=second)
    return len(users)


# --- The whole city -------------------------------------------------------------------------------


def city_exists() -> bool:
    return Region.objects.filter(code=CITY_CODE).exists()


def city_build(*, scale: Scale = SCALES["small"], say: Say = print, tick: Say | None = None) -> CityReport:
    """Build the city unless it exists; with a bulk scale, add the bulk bases if not yet loaded.
    `say` gets one line per phase, `tick` the in-place progress of the bulk loads."""
    started = time.perf_counter()
    exists = city_exists()
    if exists and not _bulk_wanted(scale):
        return CityReport(skipped=True)
    report = CityReport()
    plan, pools = city_map_plan(), name_pools()
    if not exists:
        with transaction.atomic():  # all or nothing: a half-built city would be skipped next time
            _small_build(report, plan, pools, scale, say)
    if _bulk_wanted(scale):
        _bulk_build(report, plan, pools, scale, say, tick)
    report.seconds = time.perf_counter() - started
    return report


def _small_build(report: CityReport, plan: CityMap, pools: NamePools, scale: Scale, say: Say) -> None:
    counts = report.counts
    with _phase(say) as done:
        counts.update(regions_build(plan))
        done(
            f"区划：1 个市、{counts['counties']} 个区县、{counts['townships']} 个乡镇街道、"
            f"{counts['villages']} 个村社区"
        )
    with _phase(say) as done:
        departments = departments_build()
        counts["departments"] = len(departments)
        done(f"部门：{len(departments)} 个（市级 {len(CITY_DEPARTMENTS)} 个）")
    with _phase(say) as done:
        halls = halls_build(plan, departments)
        points = agency_points_build(plan)
        counts["halls"], counts["agency_points"] = len(halls), len(points)
        counts["windows"] = Window.objects.filter(hall__in=halls.values()).count()
        done(f"大厅：{len(halls)} 个、窗口 {counts['windows']} 个、代办点 {len(points)} 个")
    with _phase(say) as done:
        if catalogue_exists(departments):
            done("事项清单：已存在，跳过")
        else:
            counts["items"] = catalogue_build(departments, say=say)
            done(f"事项清单：{counts['items']} 项，均通过一致性校验后发布")
    with _phase(say) as done:
        counts["persons"] = population_build(plan, pools, scale.persons)
        done(f"人口：{counts['persons']:,} 人")
    with _phase(say) as done:
        counts["legal_persons"] = legal_persons_build(plan, scale.legal_persons)
        done(f"法人：{counts['legal_persons']:,} 个（均有法定代表人授权）")
    with _phase(say) as done:
        counts["staff"] = staff_build(plan, pools, departments, halls, points)
        done(f"工作人员：{counts['staff']} 名（覆盖全部 {len(Post.ALL)} 类岗位）")
    with _phase(say) as done:
        counts["demo_users"] = demo_accounts_build()
        counts["mandates"] = Mandate.objects.filter(legal_person__region__code__startswith=CITY_PREFIX).count()
        done(f"演示账号：{counts['demo_users']} 个实名用户，企业授权 {counts['mandates']:,} 条")


def _bulk_wanted(scale: Scale) -> bool:
    return _bulk_bases_wanted(scale) or _bulk_catalogue_wanted(scale)


def _bulk_bases_wanted(scale: Scale) -> bool:
    if not scale.bulk_persons:
        return False
    return Person.objects.filter(region__code__startswith=CITY_PREFIX).count() < scale.persons + scale.bulk_persons


def _bulk_catalogue_wanted(scale: Scale) -> bool:
    """The township offices come in the same transaction as the bulk items: either both or none.
    A city built before it had a catalogue gets none: it lacks departments the catalogue needs."""
    if not scale.bulk_items:
        return False
    if not Item.objects.filter(department__region__code__startswith=CITY_PREFIX).exists():
        return False
    return not Department.objects.filter(region__level="township", region__code__startswith=CITY_PREFIX).exists()


def _bulk_build(report: CityReport, plan: CityMap, pools: NamePools, scale: Scale, say: Say, tick: Say | None) -> None:
    catalogue_wanted = _bulk_catalogue_wanted(scale)
    if _bulk_bases_wanted(scale):
        _bulk_bases_build(report, plan, pools, scale, say, tick)
    if catalogue_wanted:
        with _phase(say) as done, transaction.atomic():
            departments = departments_load(plan)
            added = bulk_departments_build(plan, departments)
            loaded = catalogue_bulk_build(
                departments,
                counties=[key for _, _, key, _ in COUNTIES],
                townships=[township_key(code) for code in plan.townships],
                count=scale.bulk_items,
            )
            report.counts["bulk_items"] = loaded
            done(f"批量事项：{loaded:,} 项（新增区县部门和乡镇街道 {added} 个）")


def _bulk_bases_build(
    report: CityReport, plan: CityMap, pools: NamePools, scale: Scale, say: Say, tick: Say | None
) -> None:
    with _phase(say) as done:
        rows = person_rows(
            count=scale.bulk_persons,
            villages=plan.villages,
            pools=pools,
            rng=rng_for("bulk_population"),
            sequences=BULK_SEQUENCES,
            phone_offset=BULK_PHONE_OFFSET,
        )
        loaded = person_bulk_create(rows, batch_size=20_000, progress=_progress_bar("人口", scale.bulk_persons, tick))
        report.counts["bulk_persons"] = loaded
        done(f"批量人口：{loaded:,} 人")
    with _phase(say) as done:
        rows = legal_person_rows(
            count=scale.bulk_legal_persons,
            start=BULK_LEGAL_OFFSET,
            plan=plan,
            representatives=representative_ids(),
            rng=rng_for("bulk_legal_persons"),
        )
        loaded = legal_person_bulk_create(
            rows, batch_size=10_000, progress=_progress_bar("法人", scale.bulk_legal_persons, tick)
        )
        report.counts["bulk_legal_persons"] = loaded
        done(f"批量法人：{loaded:,} 个（均有法定代表人授权）")


def _progress_bar(label: str, total: int, tick: Say | None) -> Callable[[int], None] | None:
    if tick is None:
        return None
    started = time.perf_counter()

    def show(done: int) -> None:
        elapsed = time.perf_counter() - started
        tick(f"\r{label} {done:,} / {total:,} ({done * 100 // max(total, 1)}%) {elapsed:.0f} s")

    return show


@contextmanager
def _phase(say: Say) -> Iterator[Callable[[str], None]]:
    """Times one phase; the body hands over its summary line, printed with the elapsed seconds."""
    started = time.perf_counter()
    lines: list[str] = []
    yield lines.append
    say(f"{lines[-1]}（{time.perf_counter() - started:.1f} 秒）")
