"""The access pages through the test client: requesting, the provider's inbox and decisions,
grants and their revocation, systems and keys — with permissions, conflicts and query counts."""

import datetime as dt

import pytest
from django.utils import timezone

from tongban.accounts.tests.factories import UserFactory
from tongban.cases.tests.factories import officer
from tongban.exchange import access
from tongban.exchange.auth import system_for_key
from tongban.exchange.models import AccessRequest, ApiKey, ConsumerSystem, DataResource, Grant
from tongban.exchange.tests.factories import ConsumerSystemFactory, grant, resource_with_fields
from tongban.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

BASE = "/workbench/exchange/access/"
QUERIES = 10  # session, user, staff record (3), count, page, the nav's posts: whatever the rows


class World:
    def __init__(self):
        self.provider, self.consumer = DepartmentFactory(name="示范市民政局"), DepartmentFactory(name="示范市公安局")
        self.resource = resource_with_fields(provider=self.provider, code="MARRIAGE", name="婚姻登记信息")
        self.requester, self.decider = officer(self.consumer, "data"), officer(self.provider, "data")

    def ask(self, **overrides) -> AccessRequest:
        today = timezone.localdate()
        values = {
            "resource_code": self.resource.code,
            "fields": ["id_number", "name", "status"],
            "purpose": "核验婚姻状况",
            "legal_basis": "《婚姻登记条例》",
            "valid_from": today,
            "valid_until": today + dt.timedelta(days=100),
            "daily_volume": 50,
        }
        return access.access_request(actor=self.requester, **{**values, **overrides})


@pytest.fixture
def world():
    return World()


def text(response) -> str:
    return response.content.decode()


# ---------------------------------------------------------------- requesting


def test_the_form_lists_the_chosen_resources_fields(client, world):
    client.force_login(world.requester)
    response = client.get(f"{BASE}new/?resource=MARRIAGE")
    assert response.status_code == 200
    page = text(response)
    assert "配偶姓名（spouse_name）" in page
    assert "敏感个人信息" in page
    fragment = client.get(f"{BASE}new/?resource=MARRIAGE", headers={"HX-Request": "true"})
    assert "<html" not in text(fragment)
    assert 'value="spouse_name"' in text(fragment)
    client.force_login(world.decider)  # the provider does not ask for its own data
    assert 'value="MARRIAGE"' not in text(client.get(f"{BASE}new/"))


def test_requesting_through_the_form(client, world):
    client.force_login(world.requester)
    today = timezone.localdate()
    response = client.post(
        f"{BASE}new/",
        {
            "resource": "MARRIAGE",
            "wanted": ["name", "status"],
            "purpose": "核验婚姻状况",
            "legal_basis": "《婚姻登记条例》",
            "valid_from": today.isoformat(),
            "valid_until": (today + dt.timedelta(days=30)).isoformat(),
            "daily_volume": "20",
        },
    )
    request = AccessRequest.objects.get()
    assert response.status_code == 302
    assert response.url == f"{BASE}requests/{request.pk}/"
    assert (request.fields, request.status) == (["name", "status"], AccessRequest.PENDING)
    detail = text(client.get(response.url))
    assert "待审核" in detail
    assert request.due_on.strftime("%Y-%m-%d") in detail


def test_a_refused_request_shows_the_reason_next_to_the_field(client, world):
    client.force_login(world.requester)
    today = timezone.localdate()
    response = client.post(
        f"{BASE}new/",
        {
            "resource": "MARRIAGE",
            "wanted": [],
            "purpose": "核验",
            "legal_basis": "条例",
            "valid_from": today.isoformat(),
            "valid_until": today.isoformat(),
            "daily_volume": "20",
        },
    )
    assert response.status_code == 422
    assert "请至少选择一个申请字段。" in text(response)
    assert not AccessRequest.objects.exists()


def test_not_shared_resource_shows_its_legal_reason(client, world):
    resource_with_fields(
        provider=world.provider, code="ADOPT", sharing=DataResource.NOT_SHARED, not_shared_reason="涉及收养秘密"
    )
    client.force_login(world.requester)
    assert "涉及收养秘密" in text(client.get(f"{BASE}new/?resource=ADOPT"))


def test_staff_without_the_data_post_cannot_request(client, world):
    client.force_login(officer(world.consumer, "accept"))
    response = client.get(f"{BASE}new/", follow=True)
    assert "只有本部门持有“数据”岗位的工作人员可以提出共享申请。" in text(response)


def test_citizens_are_sent_to_log_in(client):
    client.force_login(UserFactory())
    assert client.get(BASE).status_code == 302


# ---------------------------------------------------------------- deciding


def test_inbox_shows_due_dates_and_the_overdue_badge(client, world):
    late = world.ask()
    AccessRequest.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - dt.timedelta(days=2))
    client.force_login(world.decider)
    page = text(client.get(f"{BASE}inbox/"))
    assert "示范市公安局" in page
    assert "审核逾期" in page
    assert "审核逾期" in text(client.get(f"{BASE}requests/{late.pk}/"))
    client.force_login(world.requester)
    assert "没有待审核的申请。" in text(client.get(f"{BASE}inbox/"))


def test_approving_fewer_fields_with_unmasked_choice_and_quota(client, world):
    request = world.ask()
    client.force_login(world.decider)
    response = client.post(
        f"{BASE}requests/{request.pk}/approve/",
        {
            "approve-approved": ["id_number", "status"],
            "approve-unmasked": ["id_number"],
            "approve-daily_quota": "30",
            "approve-reason": "姓名非必需",
        },
    )
    assert response.status_code == 302
    granted = Grant.objects.get(request=request)
    assert (granted.fields, granted.unmasked_fields, granted.daily_quota) == (
        ["id_number", "status"],
        ["id_number"],
        30,
    )


def test_approving_fewer_fields_without_a_reason_is_refused_in_place(client, world):
    request = world.ask()
    client.force_login(world.decider)
    response = client.post(f"{BASE}requests/{request.pk}/approve/", {"approve-approved": ["status"]})
    assert response.status_code == 422
    assert "批准的字段少于申请的字段时，请说明理由。" in text(response)
    assert not Grant.objects.exists()


def test_refusing_needs_a_reason(client, world):
    request = world.ask()
    client.force_login(world.decider)
    response = client.post(f"{BASE}requests/{request.pk}/refuse/", {"refuse-reason": ""})
    assert response.status_code == 422
    assert "请填写拒绝理由。" in text(response)
    client.post(f"{BASE}requests/{request.pk}/refuse/", {"refuse-reason": "用途与职责不符"})
    assert AccessRequest.objects.get(pk=request.pk).status == AccessRequest.REFUSED


@pytest.mark.parametrize(("act", "who"), [("refuse", "decider"), ("withdraw", "requester")])
def test_a_reason_too_long_is_shown_in_its_form_and_decides_nothing(client, world, act, who):
    request = world.ask()
    client.force_login(getattr(world, who))
    response = client.post(f"{BASE}requests/{request.pk}/{act}/", {f"{act}-reason": "理" * 301})
    assert response.status_code == 422
    assert "300" in text(response)
    assert AccessRequest.objects.get(pk=request.pk).status == AccessRequest.PENDING


def test_a_decision_made_meanwhile_is_a_clear_conflict(client, world):
    request = world.ask()
    client.force_login(world.decider)
    stale = text(client.get(f"{BASE}requests/{request.pk}/"))
    assert "批准并授权" in stale
    access.access_refuse(actor=officer(world.provider, "data"), request_id=request.pk, reason="另一位审核人已拒绝")
    response = client.post(f"{BASE}requests/{request.pk}/approve/", {"approve-approved": ["status"]}, follow=True)
    page = text(response)
    assert "共享申请当前为“已拒绝”，不能批准。" in page
    assert "批准并授权" not in page
    assert not Grant.objects.exists()


def test_the_requester_may_withdraw_but_not_decide(client, world):
    request = world.ask()
    client.force_login(world.requester)
    page = text(client.get(f"{BASE}requests/{request.pk}/"))
    assert "撤回申请" in page and "批准并授权" not in page
    response = client.post(f"{BASE}requests/{request.pk}/approve/", {"approve-approved": ["status"]})
    assert response.status_code == 403
    client.post(f"{BASE}requests/{request.pk}/withdraw/", {"withdraw-reason": "需求取消"})
    assert AccessRequest.objects.get(pk=request.pk).status == AccessRequest.WITHDRAWN


def test_other_departments_do_not_see_the_request(client, world):
    request = world.ask()
    client.force_login(officer(DepartmentFactory(), "data"))
    assert client.get(f"{BASE}requests/{request.pk}/").status_code == 404


# ---------------------------------------------------------------- grants


def test_revoking_a_grant_from_its_page(client, world):
    live = grant(world.resource, world.consumer, fields=["status"])
    client.force_login(world.decider)
    response = client.post(f"{BASE}grants/{live.pk}/revoke/", {"revoke-reason": ""})
    assert response.status_code == 422
    assert "请填写撤销原因。" in text(response)
    client.post(f"{BASE}grants/{live.pk}/revoke/", {"revoke-reason": "超范围使用"})
    assert (
        access.grant_for(
            department_id=world.consumer.pk, system_id=None, resource_id=world.resource.pk, today=timezone.localdate()
        )
        is None
    )
    again = client.post(f"{BASE}grants/{live.pk}/revoke/", {"revoke-reason": "再撤销"}, follow=True)
    assert "该授权已撤销" in text(again)


def test_grant_lists_show_live_grants_and_empty_states(client, world):
    client.force_login(world.requester)
    assert "暂无有效的授权。" in text(client.get(f"{BASE}grants/"))
    grant(world.resource, world.consumer, fields=["status", "name"], unmasked=["name"])
    page = text(client.get(f"{BASE}grants/"))
    assert "婚姻登记信息" in page
    assert "1 项明文" in page
    client.force_login(world.decider)
    assert "示范市公安局" in text(client.get(f"{BASE}grants/given/"))


# ---------------------------------------------------------------- systems and keys


def test_registering_a_system_shows_its_key_once(client, world):
    client.force_login(world.requester)
    response = client.post(f"{BASE}systems/register/", {"name": "户籍业务系统"})
    assert response.status_code == 200
    system = ConsumerSystem.objects.get()
    key = response.context["issued"].key
    assert key in text(response)
    assert "密钥只显示这一次" in text(response)
    assert system_for_key(key) == system
    assert key not in text(client.get(f"{BASE}systems/"))


def test_rotating_and_revoking_keys_from_the_page(client, world):
    client.force_login(world.requester)
    first = client.post(f"{BASE}systems/register/", {"name": "户籍业务系统"}).context["issued"]
    rotated = client.post(f"{BASE}systems/{first.system.pk}/rotate/", {"grace_days": "0"}).context["issued"]
    assert system_for_key(first.key) is None
    assert system_for_key(rotated.key) == first.system
    client.post(f"{BASE}keys/{rotated.api_key.pk}/revoke/")
    assert ApiKey.objects.get(pk=rotated.api_key.pk).revoked_at is not None
    assert system_for_key(rotated.key) is None


def test_systems_page_needs_the_data_or_admin_post(client, world):
    client.force_login(officer(world.consumer, "review"))
    assert client.get(f"{BASE}systems/").status_code == 403


# ---------------------------------------------------------------- query counts


def test_lists_make_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    others = [DepartmentFactory() for _ in range(3)]
    for index, department in enumerate(others):
        resource = resource_with_fields(provider=department)
        system = ConsumerSystemFactory(department=world.consumer)
        grant(resource, world.consumer, fields=["status"], system=system)
        access.access_request(
            actor=world.requester,
            resource_code=resource.code,
            fields=["name"],
            purpose="核验",
            legal_basis="条例",
            valid_from=timezone.localdate(),
            valid_until=timezone.localdate() + dt.timedelta(days=10 + index),
            daily_volume=5,
        )
        requester = officer(department, "data")
        access.access_request(
            actor=requester,
            resource_code=world.resource.code,
            fields=["name"],
            purpose="核验",
            legal_basis="条例",
            valid_from=timezone.localdate(),
            valid_until=timezone.localdate() + dt.timedelta(days=10),
            daily_volume=5,
        )
        ApiKey.objects.create(system=system, prefix=f"p{index}abcdef", secret_hash="0" * 64)
        ApiKey.objects.create(system=system, prefix=f"q{index}abcdef", secret_hash="1" * 64)
    client.force_login(world.requester)
    for url in (BASE, f"{BASE}grants/", f"{BASE}systems/"):
        with django_assert_max_num_queries(QUERIES):
            assert client.get(url).status_code == 200
    client.force_login(world.decider)
    for url in (f"{BASE}inbox/", f"{BASE}grants/given/"):
        with django_assert_max_num_queries(QUERIES):
            assert client.get(url).status_code == 200
