import random

import pytest
from django.contrib.auth import authenticate
from django.db import transaction

from tongban.accounts import selectors
from tongban.accounts.models import LegalPerson, Mandate, Person, Post, Staff, User
from tongban.catalog.models import Item, ItemVersion
from tongban.core.identifiers import parse_id_number, parse_uscc, region_level, region_parent_code
from tongban.core.models import AuditEntry
from tongban.demo.catalogue import catalogue_size
from tongban.demo.city import (
    BULK_SEQUENCES,
    CITY_CODE,
    CITY_DEPARTMENTS,
    COUNTIES,
    COUNTY_DEPARTMENTS,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    Scale,
    city_build,
    city_map_plan,
    name_pools,
    person_rows,
)
from tongban.org.models import Department, Region

pytestmark = pytest.mark.django_db

TEST_SCALE = Scale(persons=200, legal_persons=20)
# Captured once from a build (the same with the default 3,000 persons): a change here means every
# demo city built from now on differs from the ones already running.
FIRST_ID_NUMBERS = [
    "341904200409061467",
    "341921200010281763",
    "34190419751108090X",
    "341902195906160398",
    "341904200305090642",
    "341904197411180938",
    "341904195702211280",
    "341921198410180398",
    "341921200505040929",
    "341903196311230765",
]


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker):
    """One small city for the whole module, rolled back at its end: a build takes seconds."""
    with django_db_blocker.unblock(), transaction.atomic():
        report = city_build(scale=TEST_SCALE, say=lambda line: None)
        yield report
        transaction.set_rollback(True)


def city_counts() -> dict[str, int]:
    return {
        "regions": Region.objects.count(),
        "departments": Department.objects.count(),
        "persons": Person.objects.count(),
        "legal_persons": LegalPerson.objects.count(),
        "mandates": Mandate.objects.count(),
        "staff": Staff.objects.count(),
        "users": User.objects.count(),
        "items": Item.objects.count(),
    }


def test_every_region_code_is_valid_and_hangs_under_its_parent(city):
    regions = list(Region.objects.all())
    assert len(regions) == 1 + 4 + city.counts["townships"] + city.counts["villages"]
    for region in regions:
        assert region_level(region.code) == region.level
        expected_parent = None if region.code == CITY_CODE else region_parent_code(region.code)
        assert region.parent_id == expected_parent, region.code
    assert 18 <= city.counts["townships"] <= 22
    assert 140 <= city.counts["villages"] <= 160


def test_every_department_and_legal_person_has_a_valid_credit_code(city):
    departments = list(Department.objects.all())
    assert len(departments) == len(CITY_DEPARTMENTS) + len(COUNTIES) * len(COUNTY_DEPARTMENTS)
    for department in departments:
        code = parse_uscc(department.uscc)
        assert (code.authority, code.kind, code.region_code) == ("1", "1", department.region_id[:6])
    for legal_person in LegalPerson.objects.all():
        assert parse_uscc(legal_person.uscc).value == legal_person.uscc


def test_every_id_number_tells_the_persons_birth_date_sex_and_county(city):
    persons = list(Person.objects.all())
    assert len(persons) == TEST_SCALE.persons + 3  # and the three named demo persons
    for person in persons:
        parsed = parse_id_number(person.id_number)
        assert (parsed.birth_date, parsed.sex, parsed.region_code) == (
            person.birth_date,
            person.sex,
            person.region_id[:6],
        )
        assert region_level(person.region_id) == "village"
    phones = [person.phone for person in persons]
    assert len(set(phones)) == len(phones)


def test_generated_id_numbers_and_phones_stay_unique_at_scale():
    # No database: the bulk generator alone, over more rows than a small city has.
    rows = list(
        person_rows(
            count=50_000,
            villages=city_map_plan().villages,
            pools=name_pools(),
            rng=random.Random(1),
            sequences=BULK_SEQUENCES,
            phone_offset=0,
        )
    )
    assert len({row.id_number for row in rows}) == len({row.phone for row in rows}) == len(rows)


def test_named_demo_users_log_in_with_the_demo_password(city):
    for username, _ in DEMO_LOGINS:
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None, username
    assert User.objects.get(username="citizen").person.real_name == "王小明"
    assert not User.objects.filter(is_superuser=True).exists()  # 三员分立: the roles, not a superuser
    roles = {
        name: selectors.separated_role(User.objects.get(username=name)) for name in ("admin", "security", "auditor")
    }
    assert roles == {"admin": "admin", "security": "security", "auditor": "audit"}
    assert User.objects.filter(username__in=roles, is_staff=True).count() == 3


def test_every_post_is_staffed_and_the_reviewer_sees_the_city_in_one_department(city):
    staffed = set(Staff.objects.values_list("posts__code", flat=True))
    assert staffed == {code for code, _ in Post.ALL}
    reviewer = Staff.objects.get(user__username="reviewer")
    assert reviewer.scope_region_id == CITY_CODE
    assert [d.short_name for d in reviewer.scope_departments.all()] == ["市市场监管局"]
    assert not Staff.objects.filter(posts__code=Post.AGENT, agency_point__isnull=True).exists()
    assert not Staff.objects.filter(posts__code=Post.WINDOW, hall__isnull=True).exists()


def test_every_legal_person_has_its_representative_and_the_agent_one_active_one_pending(city):
    representatives = Mandate.objects.filter(role=Mandate.REPRESENTATIVE, status=Mandate.ACTIVE)
    assert representatives.count() == LegalPerson.objects.count() == TEST_SCALE.legal_persons + 2
    agent = Mandate.objects.filter(person__user__username="enterprise", role=Mandate.AGENT)
    assert sorted(agent.values_list("legal_person__name", "status")) == [
        ("示范市通办科技有限公司", Mandate.PENDING),
        ("示范市通办餐饮管理有限公司", Mandate.ACTIVE),
    ]


def test_each_bulk_load_is_one_audit_entry_and_the_org_tree_is_audited_act_by_act(city):
    loads = AuditEntry.objects.filter(action__in=["person.bulk_load", "legal_person.bulk_load"])
    assert sorted(loads.values_list("action", "detail")) == [
        ("legal_person.bulk_load", {"rows": TEST_SCALE.legal_persons + 2, "mandates": TEST_SCALE.legal_persons + 2}),
        ("person.bulk_load", {"rows": TEST_SCALE.persons + 3}),
    ]
    assert AuditEntry.objects.filter(action="region.create").count() == Region.objects.count()
    assert AuditEntry.objects.filter(action="staff.create").count() == Staff.objects.count()


def test_the_city_has_its_published_catalogue(city):
    assert city.counts["items"] == Item.objects.count() == catalogue_size(len(COUNTIES))
    assert ItemVersion.objects.filter(status=ItemVersion.PUBLISHED).count() == city.counts["items"]


def test_the_bulk_catalogue_is_added_to_a_built_city_once(city):
    bulk = Scale(persons=TEST_SCALE.persons, legal_persons=TEST_SCALE.legal_persons, bulk_items=300)
    report = city_build(scale=bulk, say=lambda line: None)
    assert report.counts == {"bulk_items": 300}
    assert Item.objects.count() == city.counts["items"] + 300
    assert city_build(scale=bulk, say=lambda line: None).skipped


def test_a_second_build_is_skipped_and_changes_nothing(city):
    before = city_counts()
    assert city_build(scale=TEST_SCALE, say=lambda line: None).skipped
    assert city_counts() == before


def test_the_population_is_the_same_on_every_build(city):
    first = list(Person.objects.order_by("id").values_list("id_number", flat=True)[:10])
    assert first == FIRST_ID_NUMBERS
