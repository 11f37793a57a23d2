"""/api/v1/exchange: lookups by systems (API key) and staff (session), refusals as problem+json,
and the call log endpoint."""

import pytest
from django.urls import reverse

from tongban.accounts.tests.factories import PASSWORD, UserFactory
from tongban.cases.tests.factories import officer
from tongban.exchange import access
from tongban.exchange.auth import api_key_new
from tongban.exchange.models import ApiKey, CallLog
from tongban.exchange.query import Caller, exchange_lookup
from tongban.exchange.tests.factories import ConsumerSystemFactory, grant, record, resource_with_fields
from tongban.exchange.tests.provider_server import fresh_cache  # noqa: F401 - fixture
from tongban.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

LOOKUP = "/api/v1/exchange/lookup"
CALLS = "/api/v1/exchange/calls"
ID = "11010519491231002X"


def key_for(system) -> str:
    key, prefix, digest = api_key_new()
    ApiKey.objects.create(system=system, prefix=prefix, secret_hash=digest)
    return key


def post(client, body, key=None):
    headers = {"X-Api-Key": key} if key else {}
    return client.post(LOOKUP, body, content_type="application/json", headers=headers)


def body(resource, keys=(ID,), fields=("status",), **extra):
    return {"resource": resource.code, "keys": list(keys), "fields": list(fields), "purpose": "核验婚姻状况", **extra}


@pytest.fixture
def civil_affairs():
    return DepartmentFactory(name="示范市民政局")


@pytest.fixture
def marriage(civil_affairs):
    return resource_with_fields(name="婚姻登记信息", provider=civil_affairs)


@pytest.fixture
def fund():
    return DepartmentFactory(name="示范市住房公积金管理中心")


def test_a_clerks_system_with_two_marriage_fields_gets_exactly_those_masked_as_granted_until_revoked(
    client, civil_affairs, marriage, fund
):
    citizen = UserFactory()
    number = citizen.person.id_number
    record(
        marriage, number, id_number=number, name="王芳", status="已婚", spouse_name="李强", registered_on="2015-06-01"
    )
    system = ConsumerSystemFactory(department=fund, name="公积金业务系统")
    key = key_for(system)
    given = grant(marriage, fund, fields=["status", "spouse_name"], system=system)

    answer = post(client, body(marriage, keys=[number], fields=["status", "spouse_name"]), key)
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert data["results"] == [
        {
            "key": f"{number[:6]}********{number[-4:]}",
            "found": True,
            "outcome": "ok",
            "message": "",
            "record": {"status": "已婚", "spouse_name": "李*"},
        }
    ]
    assert [(f["name"], f["masked"]) for f in data["fields"]] == [("status", False), ("spouse_name", True)]

    third = post(client, body(marriage, keys=[number], fields=["status", "name"]), key)
    assert third.status_code == 403 and third["Content-Type"] == "application/problem+json"
    assert third.json()["code"] == "field_not_granted" and "姓名" in third.json()["detail"]

    access.grant_revoke(actor=officer(civil_affairs, "data"), grant_id=given.pk, reason="业务合作已结束")
    revoked = post(client, body(marriage, keys=[number], fields=["status"]), key)
    assert revoked.status_code == 403 and revoked.json()["code"] == "not_granted"

    rows = list(CallLog.objects.order_by("id").values_list("outcome", "error_code", "system_id", "fields"))
    assert rows == [
        ("ok", "", system.pk, ["status", "spouse_name"]),
        ("refused", "field_not_granted", system.pk, []),
        ("refused", "not_granted", system.pk, []),
    ]
    client.logout()
    client.login(username=citizen.username, password=PASSWORD)
    page = client.get(reverse("mydata:index")).content.decode()
    assert page.count("示范市住房公积金管理中心") == 3 and page.count("婚姻登记信息") == 3
    assert page.count("核验婚姻状况") == 3 and "未授权" in page and "成功" in page


def test_a_staff_member_looks_up_as_their_department(client, marriage, fund):
    record(marriage, ID, status="未婚")
    grant(marriage, fund, fields=["status"])
    clerk = officer(fund, "accept")
    client.force_login(clerk)
    response = post(client, body(marriage))
    assert response.status_code == 200 and response.json()["results"][0]["record"] == {"status": "未婚"}
    row = CallLog.objects.get()
    assert (row.department_id, row.staff_user_id, row.system_id) == (fund.pk, clerk.pk, None)


def test_a_citizen_session_may_not_query(client, marriage):
    client.force_login(UserFactory())
    response = post(client, body(marriage))
    assert response.status_code == 403 and response.json()["code"] == "staff_required"


def test_without_credentials_the_call_is_unauthenticated(client, marriage):
    assert post(client, body(marriage)).status_code == 401
    assert post(client, body(marriage), key="tbk_nope_nope").status_code == 401


def test_a_system_grant_does_not_serve_a_sibling_system(client, marriage, fund):
    record(marriage, ID, status="未婚")
    own, sibling = ConsumerSystemFactory(department=fund), ConsumerSystemFactory(department=fund)
    grant(marriage, fund, fields=["status"], system=own)
    assert post(client, body(marriage), key_for(own)).status_code == 200
    assert post(client, body(marriage), key_for(sibling)).json()["code"] == "not_granted"


def test_one_record_by_path(client, marriage, fund):
    record(marriage, ID, status="离婚", name="王芳")
    system = ConsumerSystemFactory(department=fund)
    grant(marriage, fund, fields=["status", "name"], system=system)
    headers = {"X-Api-Key": key_for(system)}
    url = f"/api/v1/exchange/resources/{marriage.code}/records/{ID}"
    found = client.get(url, {"fields": "status,name", "purpose": "核验"}, headers=headers)
    assert found.status_code == 200
    assert found.json()["record"] == {"status": "离婚", "name": "王*"} and found.json()["key"] == "110105********002X"
    query = {"fields": "status", "purpose": "核验"}
    missing = client.get(url.replace(ID, "110105194912310046"), query, headers=headers)
    assert missing.status_code == 404 and missing.json()["code"] == "record_not_found"
    bad = client.get(url.replace(ID, "110105194912310023"), query, headers=headers)
    assert bad.status_code == 422 and bad.json()["code"] == "bad_key"


def test_over_quota_is_429_and_a_batch_over_the_limit_422(client, marriage, fund, settings):
    settings.TONGBAN_EXCHANGE_BATCH_MAX = 2
    system = ConsumerSystemFactory(department=fund)
    grant(marriage, fund, fields=["status"], system=system, daily_quota=1)
    key = key_for(system)
    assert post(client, body(marriage), key).status_code == 200
    over = post(client, body(marriage), key)
    assert over.status_code == 429 and over.json()["code"] == "over_quota"
    too_many = post(client, body(marriage, keys=[ID] * 3), key)
    assert too_many.status_code == 422 and too_many.json()["code"] == "batch_too_large"


def test_a_batch_answers_each_key(client, marriage, fund):
    record(marriage, ID, status="已婚")
    system = ConsumerSystemFactory(department=fund)
    grant(marriage, fund, fields=["status"], system=system)
    response = post(client, body(marriage, keys=[ID, "110105194912310046", "123"]), key_for(system))
    assert [(r["found"], r["outcome"]) for r in response.json()["results"]] == [
        (True, "ok"),
        (False, "not_found"),
        (False, "bad_key"),
    ]


def test_the_calls_endpoint_shows_a_system_its_departments_calls_both_ways(
    client, civil_affairs, marriage, fund, django_assert_max_num_queries
):
    other = DepartmentFactory(name="示范市税务局")
    grant(marriage, fund, fields=["status"])
    grant(marriage, other, fields=["status"])
    unrelated = resource_with_fields()
    grant(unrelated, other, fields=["status"])
    for department, resource in ((fund, marriage), (other, marriage), (other, unrelated)):
        caller = Caller(department_id=department.pk, system_id=None, staff_user_id=None, region_code="341900000000")
        exchange_lookup(caller=caller, resource_code=resource.code, keys=[ID], fields=["status"], purpose="核验")
    consumer_key = key_for(ConsumerSystemFactory(department=fund))
    provider_key = key_for(ConsumerSystemFactory(department=civil_affairs))
    mine = client.get(CALLS, headers={"X-Api-Key": consumer_key}).json()
    assert [(c["department"], c["resource"]) for c in mine["items"]] == [("示范市住房公积金管理中心", marriage.code)]
    with django_assert_max_num_queries(5):
        provided = client.get(CALLS, headers={"X-Api-Key": provider_key}).json()
    assert sorted(c["department"] for c in provided["items"]) == ["示范市住房公积金管理中心", "示范市税务局"]
    assert provided["has_next"] is False and provided["items"][0]["key"] == "110105********002X"
    filtered = client.get(CALLS, {"consumer_id": other.pk}, headers={"X-Api-Key": provider_key}).json()
    assert [c["department"] for c in filtered["items"]] == ["示范市税务局"]


def test_the_calls_endpoint_pages_without_counting(client, marriage, fund, settings):
    settings.TONGBAN_EXCHANGE_BATCH_MAX = 100
    system = ConsumerSystemFactory(department=fund)
    grant(marriage, fund, fields=["status"], system=system)
    key = key_for(system)
    post(client, body(marriage, keys=[ID] * 31), key)
    first = client.get(CALLS, headers={"X-Api-Key": key}).json()
    second = client.get(CALLS, {"page": 2}, headers={"X-Api-Key": key}).json()
    assert (len(first["items"]), first["has_next"], len(second["items"]), second["has_next"]) == (30, True, 1, False)
