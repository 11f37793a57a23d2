from collections import Counter

import pytest
from django.db import transaction
from django.db.models import Count

from tongban.catalog.codes import parse_implementation_code
from tongban.catalog.models import Item, ItemType, ItemVersion, SearchToken, StandardMaterial, VersionMaterial
from tongban.catalog.rules import version_problems
from tongban.core.models import AuditEntry
from tongban.demo import city
from tongban.demo.catalogue import (
    BUNDLES,
    COMPLAINT_PHONE,
    bulk_plan,
    catalogue_build,
    catalogue_bulk_build,
    catalogue_plan,
    catalogue_size,
    material_plan,
)
from tongban.org.models import ServiceHall

pytestmark = pytest.mark.django_db

EXAMPLES = (
    "食品经营许可",
    "公共场所卫生许可",
    "个体工商户设立登记",
    "出生医学证明首次签发",
    "城乡居民养老保险参保登记",
    "不动产转移登记",
    "建设工程规划许可",
    "户口迁移",
    "残疾人证核发",
    "高龄津贴申领",
)


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """The org tree and the catalogue, once for the module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        plan = city.city_map_plan()
        city.regions_build(plan)
        departments = city.departments_build()
        city.halls_build(plan, departments)
        count = catalogue_build(departments, say=lambda line: None)
        yield {"plan": plan, "departments": departments, "count": count}
        transaction.set_rollback(True)


def published(**filters):
    return ItemVersion.objects.filter(status=ItemVersion.PUBLISHED, **filters)


def test_hundreds_of_items_of_thirty_departments_are_all_published(catalogue):
    assert catalogue["count"] == catalogue_size(len(city.COUNTIES)) == Item.objects.count()
    assert catalogue["count"] >= 300
    assert published().count() == Item.objects.count()
    assert not Item.objects.exclude(current__status=ItemVersion.PUBLISHED).exists()
    assert Item.objects.values("department").distinct().count() >= 30


def test_every_version_passes_every_consistency_rule(catalogue):
    versions = published().select_related("item__department").prefetch_related("steps", "fees")
    problems = {version.name: version_problems(version) for version in versions}
    assert {name: found for name, found in problems.items() if found} == {}


def test_every_item_type_people_apply_for_is_present(catalogue):
    on_application = set(ItemType.objects.filter(on_application=True).values_list("code", flat=True))
    assert on_application == {"XK", "JF", "QR", "JL", "CJ", "QT", "GG"}
    assert set(published().values_list("item_type_id", flat=True)) == on_application


def test_every_item_of_the_canonical_bundles_and_the_examples_exists(catalogue):
    names = {name for bundle in BUNDLES.values() for name in bundle} | set(EXAMPLES)
    found = set(published(name__in=names).values_list("name", flat=True))
    assert found == names
    assert set(BUNDLES) >= {"新生儿出生", "企业开办", "开办餐饮店", "二手房交易及水电气联动过户", "退休"}


def test_the_food_licence_is_found_as_opening_a_restaurant_under_permits(catalogue):
    food = published(name="食品经营许可").get()
    assert "开饭店" in food.keywords.split()
    assert "l-permit" in set(food.themes.values_list("code", flat=True))
    assert food.result_licence_type == "SPJYXKZ"
    assert "《中华人民共和国食品安全法》第三十五条" in food.legal_basis


def test_items_form_the_hierarchy_of_main_sub_and_handling_items(catalogue):
    food = Item.objects.get(current__name="食品经营许可")
    subs = list(food.children.order_by("basic_code"))
    assert [sub.kind for sub in subs] == [Item.SUB] * 3
    assert sub_names(subs) == ["食品经营许可（餐饮服务）", "食品经营许可（食品销售）", "食品经营许可（单位食堂）"]
    handling = subs[0].children.select_related("current").order_by("situation")
    assert {item.situation for item in handling} == {"new", "change", "renew", "cancel"}
    for item in handling:
        assert item.kind == Item.HANDLING and item.basic_code == subs[0].basic_code
        assert item.current.handling_code.startswith(item.current.implementation_code)
    registration = Item.objects.get(current__name="个体工商户设立登记", department__region_id="341902000000")
    assert registration.parent.current.name == "个体工商户登记"


def sub_names(items) -> list[str]:
    return [item.current.name for item in items]


def test_charged_items_list_their_fees_in_fen_and_take_online_payment(catalogue):
    transfer = published(name="不动产转移登记").get()
    assert transfer.charged and transfer.online_payment
    assert list(transfer.fees.values_list("name", "amount_fen")) == [("不动产登记费（住宅）", 8_000)]
    charged = published(charged=True).annotate(fees_count=Count("fees"))
    assert charged.count() >= 8
    assert all(version.fees_count and version.online_payment for version in charged)
    assert published(charged=False).count() > 5 * charged.count()  # most items are free


def test_time_limits_visits_and_phones_follow_the_practice(catalogue):
    versions = list(published())
    assert all(v.promised_limit_days <= v.legal_limit_days for v in versions)
    instant = [v for v in versions if v.promised_limit_days == 0]
    assert len(instant) >= 30
    assert all(v.promise_kind == v.review_kind == "instant" for v in instant)
    visiting = [v for v in versions if v.visits]
    assert visiting and all(v.visits_reason and v.online_depth <= 3 for v in visiting)
    assert sum(v.visits == 0 for v in versions) > 0.8 * len(versions)
    assert all(v.consult_phone.startswith("0550-") and v.complaint_phone == COMPLAINT_PHONE for v in versions)


def test_implementation_codes_name_the_implementing_department_and_its_region(catalogue):
    for version in published().select_related("item__department"):
        code = parse_implementation_code(version.implementation_code)
        department = version.item.department
        assert (code.uscc, code.region_code, code.basic_code) == (
            department.uscc,
            department.region_id,
            version.item.basic_code,
        )
    counties = published(name="个体工商户设立登记")
    assert counties.count() == len(city.COUNTIES)
    assert len(set(counties.values_list("item__basic_code", flat=True))) == 1
    assert len(set(counties.values_list("implementation_code", flat=True))) == len(city.COUNTIES)


def test_items_are_handled_at_their_departments_hall(catalogue):
    halls = {hall.region_id: hall.pk for hall in ServiceHall.objects.all()}
    for version in published().select_related("item__department"):
        assert version.hall_id == halls[version.item.department.region_id]
    food = published(name="食品经营许可").get()
    assert food.windows.startswith("企业开办综合窗口")


def test_the_standard_materials_map_to_e_licences_and_shared_data(catalogue):
    materials = {m.code: m for m in StandardMaterial.objects.all()}
    assert len(materials) == len(material_plan()) >= 80
    assert (materials["M0003"].name, materials["M0003"].licence_type_code) == ("营业执照", "YYZZ")
    assert materials["M0002"].shared_field == "population.household"
    for material in VersionMaterial.objects.select_related("standard"):
        if material.source == "licence":
            assert material.source_ref == material.standard.licence_type_code
        if not material.required:
            assert material.condition
    used = Counter(VersionMaterial.objects.values_list("standard_id", flat=True))
    assert used["M0001"] > 100  # the identity card is asked for everywhere: the bundles de-duplicate it


def test_the_plan_is_the_same_on_every_build():
    first = [(spec.basic_code, spec.name) for spec in catalogue_plan()[:3]]
    assert first == [("000110100100", "企业登记"), ("000110100200", "食品经营许可"), ("000110100300", "食品生产许可")]
    codes = [spec.basic_code for main in catalogue_plan() for spec in main.walk() if not spec.situation]
    assert len(codes) == len(set(codes))


def test_the_bulk_catalogue_implements_the_city_items_in_counties_and_townships(catalogue):
    departments = dict(catalogue["departments"])
    city.bulk_departments_build(catalogue["plan"], departments)
    counties = [key for _, _, key, _ in city.COUNTIES]
    townships = [city.township_key(code) for code in catalogue["plan"].townships]
    # The whole city-scale plan can be generated ...
    rows = bulk_plan(departments, counties=counties, townships=townships, count=city.SCALES["city"].bulk_items)
    assert len(rows) == 5_000
    # ... and a county's and a township's share of it publishes consistent versions.
    before = Item.objects.count()
    loaded = catalogue_bulk_build(departments, counties=["sfx"], townships=townships[:1], count=None)
    assert Item.objects.count() - before == loaded > 500
    versions = published(item__in=Item.objects.order_by("id")[before:]).select_related("item__department")
    versions = list(versions.prefetch_related("steps", "fees"))
    assert len(versions) == loaded
    assert {level for version in versions for level in [version.level]} == {"city", "county", "township"}
    assert [problem for version in versions for problem in version_problems(version)] == []
    food = [v for v in versions if v.name == "食品经营许可" and v.level == "county"]
    assert (
        len(food) == 1 and food[0].item.basic_code == published(name="食品经营许可", level="city").get().item.basic_code
    )
    assert SearchToken.objects.filter(version=food[0], token="开饭店").exists()
    assert AuditEntry.objects.filter(action="item.bulk_publish").count() == 3  # one per level of the hierarchy
