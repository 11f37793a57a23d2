"""/api/v1/exchange/access over HTTP: a system with its key or a data officer with a session asks
for access, reads the request and its live grants; refusals come back as problem+json."""

import datetime as dt

import pytest
from django.utils import timezone

from tongban.accounts.tests.factories import UserFactory
from tongban.cases.tests.factories import officer
from tongban.core.calendar import add_working_days
from tongban.exchange import access
from tongban.exchange.models import AccessRequest, DataResource
from tongban.exchange.tests.factories import ConsumerSystemFactory, grant, resource_with_fields
from tongban.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/exchange/access"


@pytest.fixture
def world():
    provider, consumer = DepartmentFactory(), DepartmentFactory()
    officer_ = officer(consumer, "data")
    issued = access.system_register(actor=officer_, department_id=consumer.pk, name="户籍业务系统")
    return {
        "provider": provider,
        "consumer": consumer,
        "officer": officer_,
        "decider": officer(provider, "data"),
        "system": issued.system,
        "key": issued.key,
        "resource": resource_with_fields(provider=provider, code="MARRIAGE"),
    }


def body(**overrides) -> dict:
    today = timezone.localdate()
    values = {
        "resource": "MARRIAGE",
        "fields": ["name", "status"],
        "purpose": "核验婚姻状况",
        "legal_basis": "《婚姻登记条例》",
        "valid_from": today.isoformat(),
        "valid_until": (today + dt.timedelta(days=60)).isoformat(),
        "daily_volume": 30,
    }
    return {**values, **overrides}


def post(client, data, key=None):
    headers = {"X-Api-Key": key} if key else {}
    return client.post(f"{URL}/requests", data, content_type="application/json", headers=headers)


def test_a_system_requests_with_its_key(client, world):
    response = post(client, body(), key=world["key"])
    assert response.status_code == 201
    data = response.json()
    assert (data["status"], data["system_id"], data["fields"]) == ("pending", world["system"].pk, ["name", "status"])
    assert data["due_on"] == add_working_days(timezone.localdate(), 2).isoformat()
    request = AccessRequest.objects.get(pk=data["id"])
    assert request.requested_by is None
    shown = client.get(f"{URL}/requests/{data['id']}", headers={"X-Api-Key": world["key"]})
    assert shown.status_code == 200
    assert shown.json()["status_label"] == "待审核"


def test_a_data_officer_requests_with_a_session(client, world):
    client.force_login(world["officer"])
    response = post(client, body())
    assert response.status_code == 201
    assert AccessRequest.objects.get(pk=response.json()["id"]).requested_by == world["officer"]


def test_unconditional_resources_come_back_approved_with_a_grant(client, world):
    resource_with_fields(provider=world["provider"], code="OPEN", sharing=DataResource.UNCONDITIONAL)
    data = post(client, body(resource="OPEN"), key=world["key"]).json()
    assert data["status"] == "approved"
    assert data["grant_id"] is not None


def test_refusals_are_problem_json(client, world):
    resource_with_fields(
        provider=world["provider"], code="ADOPT", sharing=DataResource.NOT_SHARED, not_shared_reason="涉及收养秘密"
    )
    closed = post(client, body(resource="ADOPT"), key=world["key"])
    assert closed.status_code == 403
    assert closed["Content-Type"] == "application/problem+json"
    assert closed.json()["code"] == "resource_not_shared"
    assert "涉及收养秘密" in closed.json()["detail"]
    unknown = post(client, body(fields=["salary"]), key=world["key"]).json()
    assert (unknown["code"], unknown["problems"]) == ("unknown_fields", ["salary"])
    assert post(client, body(fields=[]), key=world["key"]).status_code == 400


def test_a_system_cannot_ask_for_another_system(client, world):
    other = ConsumerSystemFactory(department=world["consumer"])
    response = post(client, body(system_id=other.pk), key=world["key"])
    assert response.status_code == 403
    assert response.json()["code"] == "system_acts_for_itself"


def test_callers_without_a_live_key_or_session_are_unauthenticated(client, world):
    assert post(client, body()).status_code == 401
    assert post(client, body(), key="tbk_nope_nope").status_code == 401
    access.api_key_revoke(actor=world["officer"], key_id=world["system"].keys.get().pk)
    assert post(client, body(), key=world["key"]).status_code == 401


def test_citizens_cannot_request(client, world):
    client.force_login(UserFactory())
    response = post(client, body())
    assert response.status_code == 403
    assert response.json()["code"] == "staff_required"


def test_other_departments_do_not_see_a_request(client, world):
    request = access.access_request(
        actor=world["officer"],
        resource_code="MARRIAGE",
        fields=["status"],
        purpose="核验",
        legal_basis="条例",
        valid_from=timezone.localdate(),
        valid_until=timezone.localdate(),
        daily_volume=1,
    )
    stranger = access.system_register(actor=world["decider"], department_id=world["provider"].pk, name="婚姻登记系统")
    assert client.get(f"{URL}/requests/{request.pk}", headers={"X-Api-Key": stranger.key}).status_code == 404
    client.force_login(officer(DepartmentFactory(), "data"))
    assert client.get(f"{URL}/requests/{request.pk}").status_code == 404


def test_grants_lists_the_callers_live_grants(client, world, django_assert_max_num_queries):
    today = timezone.localdate()
    other_system = ConsumerSystemFactory(department=world["consumer"])
    general = grant(world["resource"], world["consumer"], fields=["status"])
    own = grant(
        resource_with_fields(provider=world["provider"]), world["consumer"], fields=["name"], system=world["system"]
    )
    grant(resource_with_fields(provider=world["provider"]), world["consumer"], fields=["name"], system=other_system)
    grant(world["resource"], world["consumer"], fields=["name"], valid_until=today - dt.timedelta(days=1))
    revoked = grant(resource_with_fields(provider=world["provider"]), world["consumer"], fields=["name"])
    access.grant_revoke(actor=world["decider"], grant_id=revoked.pk, reason="停止共享")
    with django_assert_max_num_queries(4):
        response = client.get(f"{URL}/grants", headers={"X-Api-Key": world["key"]})
    assert sorted(item["id"] for item in response.json()["items"]) == sorted([general.pk, own.pk])
    client.force_login(world["officer"])
    staff_view = client.get(f"{URL}/grants").json()
    assert [item["id"] for item in staff_view["items"]] == [general.pk]
