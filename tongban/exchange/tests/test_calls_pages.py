"""/workbench/exchange/calls/: the call log for staff in scope, its filters, the search by a
person's ID number (hashed, never in a URL), and the statistics page."""

import contextlib
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tongban.accounts.tests.factories import StaffFactory, UserFactory
from tongban.cases.models import Case, CaseMaterial
from tongban.cases.tests.factories import case_item, officer, submitted_case
from tongban.core.errors import TongbanError
from tongban.core.models import AuditEntry
from tongban.exchange.models import CallLog
from tongban.exchange.query import Caller, exchange_lookup, key_digest
from tongban.exchange.tests.factories import grant, record, resource_with_fields
from tongban.exchange.tests.provider_server import fresh_cache  # noqa: F401 - fixture
from tongban.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

LIST = reverse("exchange_calls:list")
STATS = reverse("exchange_calls:statistics")
ID = "11010519491231002X"
OTHER_ID = "110105194912310046"


def look_up(department, resource, key=ID, **kwargs):
    caller = Caller(department_id=department.pk, system_id=None, staff_user_id=None, region_code=department.region_id)
    params = {"purpose": "核验", "fields": ["status"], **kwargs}
    with contextlib.suppress(TongbanError):  # refusals are logged too; the tests look at the log
        exchange_lookup(caller=caller, resource_code=resource.code, keys=[key], **params)


@pytest.fixture
def world():
    """Civil affairs provides marriage data; the fund and tax departments consume it; a third
    resource is provided and consumed by departments outside the clerk's scope."""
    civil, fund, tax, far = (DepartmentFactory(name=n) for n in ("民政局", "公积金中心", "税务局", "远方局"))
    marriage = resource_with_fields(name="婚姻登记信息", provider=civil)
    elsewhere = resource_with_fields(name="远方数据", provider=far)
    record(marriage, ID, status="已婚")
    for consumer in (fund, tax):
        grant(marriage, consumer, fields=["status"])
    grant(elsewhere, tax, fields=["status"])
    look_up(fund, marriage, purpose="公积金提取", case_number="C-FUND")
    look_up(tax, marriage, key=OTHER_ID, purpose="个税核验")
    look_up(tax, elsewhere, purpose="远方核验")
    look_up(fund, elsewhere, purpose="未授权的尝试")
    return civil, fund, tax, far, marriage, elsewhere


def scoped_to(*departments, posts=("accept",)):
    staff = StaffFactory(department=departments[0], scope_all_departments=False, posts=list(posts))
    staff.scope_departments.set(departments)
    return staff.user


def test_a_provider_sees_who_used_its_data(client, world):
    civil, *_ = world
    client.force_login(scoped_to(civil))
    page = client.get(LIST).content.decode()
    assert "公积金提取" in page and "个税核验" in page
    assert "远方核验" not in page and "未授权的尝试" not in page
    assert ID not in page and "110105********002X" in page


def test_a_consumer_sees_its_own_calls_including_refused_ones(client, world):
    _, fund, *_ = world
    client.force_login(scoped_to(fund))
    page = client.get(LIST).content.decode()
    assert "公积金提取" in page and "未授权的尝试" in page and "未授权" in page
    assert "个税核验" not in page and "远方核验" not in page


def test_filters_narrow_the_list(client, world):
    civil, _, tax, _, _, elsewhere = world
    client.force_login(officer(civil, "accept"))  # whole region: sees everything
    assert "远方核验" in client.get(LIST).content.decode()
    by_consumer = client.get(LIST, {"consumer": tax.pk}).content.decode()
    assert "个税核验" in by_consumer and "远方核验" in by_consumer and "公积金提取" not in by_consumer
    by_resource = client.get(LIST, {"resource": elsewhere.code}).content.decode()
    assert "远方核验" in by_resource and "个税核验" not in by_resource
    by_outcome = client.get(LIST, {"outcome": "refused"}).content.decode()
    assert "未授权的尝试" in by_outcome and "公积金提取" not in by_outcome
    by_case = client.get(LIST, {"case_number": "C-FUND"}).content.decode()
    assert "公积金提取" in by_case and "个税核验" not in by_case
    CallLog.objects.filter(purpose="个税核验").update(called_at=timezone.now() - dt.timedelta(days=10))
    week_ago = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    recent = client.get(LIST, {"since": week_ago}).content.decode()
    assert "公积金提取" in recent and "个税核验" not in recent
    older = client.get(LIST, {"until": week_ago}).content.decode()
    assert "个税核验" in older and "公积金提取" not in older


def test_htmx_gets_only_the_rows(client, world):
    client.force_login(officer(world[0], "accept"))
    fragment = client.get(LIST, {"outcome": "ok"}, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith("<table") and "<html" not in fragment


def test_a_search_by_id_number_is_posted_hashed_and_audited(client, world):
    civil, *_ = world
    client.force_login(officer(civil, "accept"))
    response = client.post(reverse("exchange_calls:person_search"), {"id_number": ID.lower(), "outcome": "ok"})
    assert response.status_code == 302
    assert ID not in response.url and ID.lower() not in response.url and key_digest(ID) in response.url
    page = client.get(response.url).content.decode()
    assert "公积金提取" in page and "个税核验" not in page
    entry = AuditEntry.objects.get(action="exchange.calls_search_person")
    assert entry.detail == {"id_number": "110105********002X"}


def test_a_mistyped_id_number_is_explained(client, world):
    client.force_login(officer(world[0], "accept"))
    response = client.post(reverse("exchange_calls:person_search"), {"id_number": "110105194912310023"}, follow=True)
    assert "校验位" in response.content.decode()
    assert not AuditEntry.objects.filter(action="exchange.calls_search_person").exists()


def test_the_list_is_paged_in_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    civil, fund, tax, _, marriage, _ = world
    for index in range(40):
        look_up(fund if index % 2 else tax, marriage, purpose=f"批量{index}")
    client.force_login(officer(civil, "accept"))
    with django_assert_max_num_queries(14):
        first = client.get(LIST).content.decode()
    assert "批量39" in first and "下一页" in first
    second = client.get(LIST, {"page": 2}).content.decode()
    assert "上一页" in second


def test_citizens_are_sent_to_log_in(client):
    client.force_login(UserFactory())
    assert client.get(LIST).status_code == 302


def test_the_statistics_page_counts_calls_and_exempted_materials(client, world, django_assert_max_num_queries):
    civil, *_ = world
    version = case_item(department=civil)
    case = submitted_case(version)
    CaseMaterial.objects.filter(case=case, order=1).update(provided=CaseMaterial.SHARED)
    client.force_login(officer(civil, "accept"))
    with django_assert_max_num_queries(16):  # a fixed set of aggregates, whatever the volume
        page = client.get(STATS).content.decode()
    assert "婚姻登记信息" in page and "公积金中心" in page and "税务局" in page
    assert case.item_name in page  # the exempted material's item
    assert Case.objects.count() == 1


def test_the_statistics_page_has_empty_states(client):
    client.force_login(officer(DepartmentFactory(), "accept"))
    page = client.get(STATS).content.decode()
    assert page.count("这段时间没有调用") == 3 and "没有免提交的材料" in page
