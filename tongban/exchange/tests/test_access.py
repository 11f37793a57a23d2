"""Access governance through its services and selectors: consumer systems and keys, requests
decided by the provider, field-level grants, revocation, the overdue sweep and turnaround."""

import datetime as dt

import pytest
from django.utils import timezone

from tongban.cases.tests.factories import officer
from tongban.core.calendar import add_working_days, working_days_between
from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.core.models import AuditEntry, OutboxEvent
from tongban.exchange import access
from tongban.exchange.auth import system_for_key
from tongban.exchange.models import AccessRequest, ApiKey, DataResource, Grant
from tongban.exchange.tests.factories import ConsumerSystemFactory, grant, resource_with_fields
from tongban.notifications.models import Notification
from tongban.org.tests.factories import DepartmentFactory, region_tree

pytestmark = pytest.mark.django_db

FIELDS = ["id_number", "name", "status"]


@pytest.fixture
def provider():
    return DepartmentFactory(name="示范市民政局")


@pytest.fixture
def consumer():
    return DepartmentFactory(name="示范市公安局")


@pytest.fixture
def marriage(provider):
    return resource_with_fields(provider=provider, code="MARRIAGE", name="婚姻登记信息")


@pytest.fixture
def open_data(provider):
    return resource_with_fields(
        provider=provider, code="OPEN", name="婚姻登记机关名录", sharing=DataResource.UNCONDITIONAL
    )


@pytest.fixture
def requester(consumer):
    return officer(consumer, "data")


@pytest.fixture
def decider(provider):
    return officer(provider, "data")


def ask(actor, resource, **overrides):
    today = timezone.localdate()
    values = {
        "resource_code": resource.code,
        "fields": FIELDS,
        "purpose": "办理户籍业务时核验婚姻状况",
        "legal_basis": "《中华人民共和国户口登记条例》",
        "valid_from": today,
        "valid_until": today + dt.timedelta(days=365),
        "daily_volume": 500,
    }
    values.update(overrides)
    return access.access_request(actor=actor, **values)


# ---------------------------------------------------------------- requests


def test_unconditional_resource_is_granted_at_once_with_sensitive_fields_masked(requester, open_data, consumer):
    request = ask(requester, open_data)
    assert request.status == AccessRequest.APPROVED
    assert request.approved_fields == FIELDS
    live = access.grant_for(
        department_id=consumer.pk, system_id=None, resource_id=open_data.pk, today=timezone.localdate()
    )
    assert live.request == request
    assert live.fields == FIELDS
    assert live.unmasked_fields == []
    assert live.daily_quota == 500
    assert AuditEntry.objects.filter(action="exchange.access_request", object_id=str(request.pk)).exists()
    assert OutboxEvent.objects.filter(topic=access.TOPIC, payload__act="request").exists()


def test_conditional_request_waits_two_working_days_for_the_provider(requester, marriage, consumer):
    request = ask(requester, marriage)
    assert request.status == AccessRequest.PENDING
    assert request.due_on == add_working_days(timezone.localdate(), 2)
    assert request.requested_by == requester
    assert (
        access.grant_for(department_id=consumer.pk, system_id=None, resource_id=marriage.pk, today=timezone.localdate())
        is None
    )


def test_conditional_request_approved_with_fewer_fields_and_a_reason(requester, decider, marriage, consumer):
    request = ask(requester, marriage)
    with pytest.raises(ValidationFailed) as no_reason:
        access.access_approve(actor=decider, request_id=request.pk, fields=["status"])
    assert no_reason.value.code == "reason_required"
    granted = access.access_approve(
        actor=decider,
        request_id=request.pk,
        fields=["status", "id_number"],
        unmasked_fields=["id_number"],
        daily_quota=200,
        reason="姓名非核验所必需",
    )
    request.refresh_from_db()
    assert request.status == AccessRequest.APPROVED
    assert request.approved_fields == ["id_number", "status"]  # in the resource's order
    assert (request.decided_by, request.reason) == (decider, "姓名非核验所必需")
    assert granted.fields == ["id_number", "status"]
    assert granted.unmasked_fields == ["id_number"]
    assert granted.daily_quota == 200
    assert (
        access.grant_for(department_id=consumer.pk, system_id=None, resource_id=marriage.pk, today=timezone.localdate())
        == granted
    )


def test_approval_cannot_add_fields_or_unmask_plain_ones(requester, decider, marriage):
    request = ask(requester, marriage)
    with pytest.raises(ValidationFailed) as extra:
        access.access_approve(actor=decider, request_id=request.pk, fields=["spouse_name"], reason="x")
    assert extra.value.code == "fields_not_requested"
    with pytest.raises(ValidationFailed) as plain:
        access.access_approve(actor=decider, request_id=request.pk, unmasked_fields=["status"])
    assert plain.value.code == "unmasked_fields_invalid"
    assert AccessRequest.objects.get(pk=request.pk).status == AccessRequest.PENDING
    assert not Grant.objects.exists()


def test_refusal_needs_a_reason(requester, decider, marriage):
    request = ask(requester, marriage)
    with pytest.raises(ValidationFailed) as refused:
        access.access_refuse(actor=decider, request_id=request.pk, reason="  ")
    assert refused.value.code == "reason_required"
    access.access_refuse(actor=decider, request_id=request.pk, reason="申请用途与法定职责不符")
    request.refresh_from_db()
    assert (request.status, request.reason) == (AccessRequest.REFUSED, "申请用途与法定职责不符")
    assert not Grant.objects.exists()


def test_not_shared_resource_is_refused_with_its_legal_reason(requester, provider):
    closed = resource_with_fields(
        provider=provider, sharing=DataResource.NOT_SHARED, not_shared_reason="《收养登记工作规范》要求保密"
    )
    with pytest.raises(PermissionDenied) as refused:
        ask(requester, closed)
    assert refused.value.code == "resource_not_shared"
    assert "《收养登记工作规范》要求保密" in refused.value.message


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"fields": ["name", "salary"]}, "unknown_fields"),
        ({"fields": []}, "fields_required"),
        ({"purpose": ""}, "purpose_required"),
        ({"legal_basis": " "}, "legal_basis_required"),
        ({"valid_from": dt.date.today() - dt.timedelta(days=1)}, "period_in_past"),
        ({"valid_until": dt.date.today() - dt.timedelta(days=1)}, "period_reversed"),
        ({"valid_until": dt.date.today() + dt.timedelta(days=3 * 366)}, "period_too_long"),
        ({"daily_volume": 0}, "daily_volume_invalid"),
    ],
)
def test_a_request_is_checked_before_anything_is_written(requester, marriage, overrides, code):
    if "valid_from" in overrides:
        overrides = {**overrides, "valid_from": timezone.localdate() - dt.timedelta(days=1)}
    with pytest.raises(ValidationFailed) as refused:
        ask(requester, marriage, **overrides)
    assert refused.value.code == code
    assert refused.value.message
    assert not AccessRequest.objects.exists()


def test_unknown_fields_are_named(requester, marriage):
    with pytest.raises(ValidationFailed) as refused:
        ask(requester, marriage, fields=["name", "salary", "bank"])
    assert refused.value.problems == ["salary", "bank"]
    assert "salary、bank" in refused.value.message


def test_a_second_pending_request_for_the_same_resource_is_refused(requester, marriage):
    ask(requester, marriage)
    with pytest.raises(Conflict) as twice:
        ask(requester, marriage)
    assert twice.value.code == "access_request_pending_exists"


def test_withdrawn_request_can_no_longer_be_decided(requester, decider, marriage):
    request = ask(requester, marriage)
    access.access_withdraw(actor=requester, request_id=request.pk)
    with pytest.raises(Conflict) as late:
        access.access_approve(actor=decider, request_id=request.pk)
    assert late.value.code == "access_transition_refused"
    assert "已撤回" in late.value.message


# ---------------------------------------------------------------- permissions


def test_only_data_officers_of_the_consumer_may_request(consumer, marriage):
    for actor in (officer(consumer, "accept"), officer(DepartmentFactory(), "review")):
        with pytest.raises(PermissionDenied) as refused:
            ask(actor, marriage)
        assert refused.value.code == "data_post_required"


def test_only_data_officers_of_the_provider_decide(requester, consumer, marriage):
    request = ask(requester, marriage)
    for actor in (requester, officer(DepartmentFactory(), "data"), officer(marriage.provider, "approve")):
        with pytest.raises(PermissionDenied):
            access.access_approve(actor=actor, request_id=request.pk)
        with pytest.raises(PermissionDenied):
            access.access_refuse(actor=actor, request_id=request.pk, reason="不同意")
    assert AccessRequest.objects.get(pk=request.pk).status == AccessRequest.PENDING


def test_the_provider_cannot_withdraw_the_consumers_request(requester, decider, marriage):
    request = ask(requester, marriage)
    with pytest.raises(PermissionDenied):
        access.access_withdraw(actor=decider, request_id=request.pk)


def test_requests_are_seen_only_by_the_two_departments(requester, decider, marriage):
    request = ask(requester, marriage)
    assert access.request_get(actor=requester, request_id=request.pk) == request
    assert access.request_get(actor=decider, request_id=request.pk) == request
    with pytest.raises(NotFound):
        access.request_get(actor=officer(DepartmentFactory(), "data"), request_id=request.pk)
    # supervisors whose scope covers the provider follow requests (they are told of overdue ones)
    assert access.request_get(actor=officer(DepartmentFactory(), "supervise"), request_id=request.pk) == request
    west = DepartmentFactory(region=region_tree()["341903000000"])
    with pytest.raises(NotFound):
        access.request_get(actor=officer(west, "supervise"), request_id=request.pk)


# ---------------------------------------------------------------- grants for the query side


def test_ungranted_field_is_refused_naming_it(marriage, consumer):
    live = grant(marriage, consumer, fields=["id_number", "status"])
    access.grant_fields_check(live, ["status", "id_number"])
    with pytest.raises(PermissionDenied) as refused:
        access.grant_fields_check(live, ["status", "spouse_name", "name"])
    assert refused.value.code == "field_not_granted"
    assert refused.value.problems == ["spouse_name", "name"]
    assert "配偶姓名（spouse_name）" in refused.value.message
    assert "姓名（name）" in refused.value.message
    with pytest.raises(PermissionDenied) as none:
        access.grant_fields_check(None, ["status"])
    assert none.value.code == "no_grant"


def test_revoking_stops_grant_for_at_once(requester, decider, marriage, consumer):
    request = ask(requester, marriage)
    granted = access.access_approve(actor=decider, request_id=request.pk)
    today = timezone.localdate()
    assert access.grant_for(department_id=consumer.pk, system_id=None, resource_id=marriage.pk, today=today)
    with pytest.raises(ValidationFailed):
        access.grant_revoke(actor=decider, grant_id=granted.pk, reason="")
    access.grant_revoke(actor=decider, grant_id=granted.pk, reason="申请部门超范围使用")
    assert access.grant_for(department_id=consumer.pk, system_id=None, resource_id=marriage.pk, today=today) is None
    with pytest.raises(Conflict):
        access.grant_revoke(actor=decider, grant_id=granted.pk, reason="再次撤销")
    assert AuditEntry.objects.filter(action="exchange.grant_revoke", object_id=str(granted.pk)).exists()


def test_grant_for_respects_period_and_system(marriage, consumer):
    today = timezone.localdate()
    ours, theirs = ConsumerSystemFactory(department=consumer), ConsumerSystemFactory(department=consumer)
    general = grant(marriage, consumer, fields=["status"])
    own = grant(marriage, consumer, fields=["status", "name"], system=ours)
    grant(marriage, consumer, fields=["name"], valid_from=today + dt.timedelta(days=1))
    find = access.grant_for
    assert find(department_id=consumer.pk, system_id=None, resource_id=marriage.pk, today=today) == general
    assert find(department_id=consumer.pk, system_id=ours.pk, resource_id=marriage.pk, today=today) == own
    assert find(department_id=consumer.pk, system_id=theirs.pk, resource_id=marriage.pk, today=today) == general
    assert find(department_id=DepartmentFactory().pk, system_id=None, resource_id=marriage.pk, today=today) is None
    Grant.objects.filter(pk=general.pk).update(valid_until=today - dt.timedelta(days=1))
    assert find(department_id=consumer.pk, system_id=theirs.pk, resource_id=marriage.pk, today=today) is None


def test_a_new_grant_replaces_the_live_one(requester, decider, marriage, consumer):
    first = access.access_approve(actor=decider, request_id=ask(requester, marriage).pk)
    second = access.access_approve(
        actor=decider, request_id=ask(requester, marriage, fields=["status"]).pk, reason="仅需婚姻状况"
    )
    first.refresh_from_db()
    assert first.revoked_at is not None
    entry = AuditEntry.objects.get(action="exchange.access_approve", object_id=str(second.request_id))
    assert entry.detail["replaced_grants"] == [first.pk]
    today = timezone.localdate()
    assert access.grant_for(department_id=consumer.pk, system_id=None, resource_id=marriage.pk, today=today) == second


def test_the_consumer_may_give_up_its_grant_but_strangers_may_not(requester, marriage, consumer):
    live = grant(marriage, consumer, fields=["status"])
    with pytest.raises(PermissionDenied):
        access.grant_revoke(actor=officer(DepartmentFactory(), "data"), grant_id=live.pk, reason="无关")
    access.grant_revoke(actor=requester, grant_id=live.pk, reason="业务已调整，不再使用")
    live.refresh_from_db()
    assert live.revoked_by == requester


# ---------------------------------------------------------------- systems and keys


def test_registering_a_system_returns_its_key_once_and_stores_only_a_digest(requester, consumer):
    issued = access.system_register(actor=requester, department_id=consumer.pk, name="户籍业务系统")
    assert issued.key.startswith(f"tbk_{issued.api_key.prefix}_")
    assert system_for_key(issued.key) == issued.system
    stored = ApiKey.objects.get(pk=issued.api_key.pk)
    assert issued.key not in (stored.secret_hash, stored.prefix)
    entry = AuditEntry.objects.get(action="exchange.system_register")
    assert issued.key not in str(entry.detail)
    with pytest.raises(Conflict):
        access.system_register(actor=requester, department_id=consumer.pk, name="户籍业务系统")


def test_key_rotation_keeps_the_old_key_for_the_grace_period_only(requester, consumer):
    issued = access.system_register(actor=requester, department_id=consumer.pk, name="户籍业务系统")
    rotated = access.api_key_rotate(actor=requester, system_id=issued.system.pk, grace_days=7)
    assert system_for_key(rotated.key) == issued.system
    assert system_for_key(issued.key) == issued.system  # still inside the grace period
    old = ApiKey.objects.get(pk=issued.api_key.pk)
    assert old.expires_at - timezone.now() <= dt.timedelta(days=7)
    ApiKey.objects.filter(pk=old.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert system_for_key(issued.key) is None
    assert system_for_key(rotated.key) == issued.system
    audit = AuditEntry.objects.get(action="exchange.api_key_rotate")
    assert rotated.key not in str(audit.detail)


def test_rotation_with_no_grace_stops_the_old_key_now(requester, consumer):
    issued = access.system_register(actor=requester, department_id=consumer.pk, name="户籍业务系统")
    access.api_key_rotate(actor=requester, system_id=issued.system.pk, grace_days=0)
    assert system_for_key(issued.key) is None
    with pytest.raises(ValidationFailed):
        access.api_key_rotate(actor=requester, system_id=issued.system.pk, grace_days=90)


def test_revoked_key_and_deactivated_system_are_refused(requester, consumer):
    issued = access.system_register(actor=requester, department_id=consumer.pk, name="户籍业务系统")
    second = access.api_key_rotate(actor=requester, system_id=issued.system.pk)
    access.api_key_revoke(actor=requester, key_id=issued.api_key.pk)
    assert system_for_key(issued.key) is None
    assert system_for_key(second.key) == issued.system
    with pytest.raises(Conflict):
        access.api_key_revoke(actor=requester, key_id=issued.api_key.pk)
    access.system_deactivate(actor=requester, system_id=issued.system.pk, reason="系统下线")
    assert system_for_key(second.key) is None
    with pytest.raises(Conflict):
        access.api_key_rotate(actor=requester, system_id=issued.system.pk)


def test_systems_are_managed_by_data_or_admin_staff_in_scope(consumer):
    with pytest.raises(PermissionDenied):
        access.system_register(actor=officer(consumer, "accept"), department_id=consumer.pk, name="甲系统")
    east = DepartmentFactory(region=region_tree()["341902000000"])
    west_admin = officer(DepartmentFactory(region=region_tree()["341903000000"]), "admin")
    with pytest.raises(PermissionDenied):
        access.system_register(actor=west_admin, department_id=east.pk, name="乙系统")
    city_admin = officer(DepartmentFactory(), "admin")  # scoped to the whole city
    assert access.system_register(actor=city_admin, department_id=east.pk, name="乙系统").system.department == east


def test_a_system_requests_for_itself_with_its_key(requester, consumer, marriage, decider):
    issued = access.system_register(actor=requester, department_id=consumer.pk, name="户籍业务系统")
    request = ask(None, marriage, via_system=issued.system)
    assert (request.requested_by, request.system, request.department) == (None, issued.system, consumer)
    granted = access.access_approve(actor=decider, request_id=request.pk)
    today = timezone.localdate()
    assert (
        access.grant_for(department_id=consumer.pk, system_id=issued.system.pk, resource_id=marriage.pk, today=today)
        == granted
    )
    assert access.grant_for(department_id=consumer.pk, system_id=None, resource_id=marriage.pk, today=today) is None


# ---------------------------------------------------------------- notifications and the overdue sweep


def test_requester_is_told_of_the_decision(requester, decider, marriage, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(requester, marriage)
    assert Notification.objects.filter(recipient=decider, topic="exchange.access_request").exists()
    with django_capture_on_commit_callbacks(execute=True):
        access.access_refuse(actor=decider, request_id=request.pk, reason="用途不明确")
    message = Notification.objects.get(recipient=requester, topic="exchange.access_refuse")
    assert message.title == "共享申请未获批准"
    assert "用途不明确" in message.body


def _overdue(request: AccessRequest) -> None:
    AccessRequest.objects.filter(pk=request.pk).update(due_on=timezone.localdate() - dt.timedelta(days=3))


def test_overdue_request_is_flagged_to_supervisors_once(requester, marriage, django_capture_on_commit_callbacks):
    city_supervisor = officer(DepartmentFactory(), "supervise")
    west_supervisor = officer(DepartmentFactory(region=region_tree()["341903000000"]), "supervise")
    request = ask(requester, marriage)
    ask(requester, resource_with_fields(provider=marriage.provider))  # not yet due
    _overdue(request)
    with django_capture_on_commit_callbacks(execute=True):
        assert access.access_overdue_flag() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert access.access_overdue_flag() == 0
    assert Notification.objects.filter(recipient=city_supervisor, topic="exchange.access_overdue").count() == 1
    assert not Notification.objects.filter(recipient=west_supervisor).exists()
    request.refresh_from_db()
    assert request.flagged_at is not None


def test_the_periodic_job_is_registered_and_runs_embedded(requester, marriage):
    from django.conf import settings

    from tongban.core.scheduler import _task_registry, periodic_jobs, run_due_jobs

    job = settings.CELERY_BEAT_SCHEDULE["exchange-access-overdue"]
    assert job["task"] in _task_registry()
    _overdue(ask(requester, marriage))
    jobs = {name: spec for name, spec in periodic_jobs().items() if name == "exchange-access-overdue"}
    assert run_due_jobs(jobs, now=0.0) == ["exchange-access-overdue"]
    assert AccessRequest.objects.filter(flagged_at__isnull=False).count() == 1


def test_decided_requests_are_not_flagged(requester, decider, marriage):
    request = ask(requester, marriage)
    _overdue(request)
    access.access_refuse(actor=decider, request_id=request.pk, reason="不符合共享条件")
    assert access.access_overdue_flag() == 0


# ---------------------------------------------------------------- statistics


def test_turnaround_per_provider(requester, decider, marriage, open_data):
    slow = ask(requester, marriage)
    access.access_approve(actor=decider, request_id=slow.pk)
    ask(requester, open_data)  # granted at once: not a decision by a person
    requested = timezone.now() - dt.timedelta(days=10)
    AccessRequest.objects.filter(pk=slow.pk).update(requested_at=requested, due_on=requested.date())
    [row] = access.grant_turnaround(since=timezone.localdate() - dt.timedelta(days=30))
    expected = working_days_between(timezone.localtime(requested).date(), timezone.localdate())
    assert (row.provider_id, row.decided, row.max_days, row.average_days) == (
        marriage.provider_id,
        1,
        expected,
        expected,
    )
    assert row.late == 1
    assert access.grant_turnaround(since=timezone.localdate() + dt.timedelta(days=1)) == []


# ---------------------------------------------------------------- the demo seed


def test_demo_seed_grants_handling_departments_what_their_materials_need():
    from tongban.catalog import services as catalog_services
    from tongban.catalog.tests.factories import DEFAULT_STEPS, draft_item, standard_material
    from tongban.demo.exchange_access import seed_access
    from tongban.exchange.models import ConsumerSystem

    civil, amr, police = DepartmentFactory(), DepartmentFactory(), DepartmentFactory()
    marriage = resource_with_fields(provider=civil, code="MARRIAGE")
    legal = resource_with_fields(
        provider=amr,
        code="LEGAL",
        sharing=DataResource.UNCONDITIONAL,
        licence_type_code="YYZZ",
        fields=[("uscc", "统一社会信用代码", "uscc", "public"), ("name", "名称", "string", "public")],
    )
    version = draft_item(police)
    catalog_services.version_parts_replace(
        actor=None,
        version_id=version.pk,
        steps=DEFAULT_STEPS,
        materials=[
            {
                "standard": standard_material("婚姻证明"),
                "order": 1,
                "source": "shared",
                "source_ref": "MARRIAGE.status",
            },
            {"standard": standard_material("营业执照"), "order": 2, "source": "licence", "source_ref": "YYZZ"},
        ],
    )
    departments = {"psb": police, "ca": civil, "amr": amr, "edu": DepartmentFactory(), "hud": DepartmentFactory()}
    report = seed_access(departments=departments, password="Tongban#2026")
    today = timezone.localdate()
    by_marriage = access.grant_for(department_id=police.pk, system_id=None, resource_id=marriage.pk, today=today)
    by_licence = access.grant_for(department_id=police.pk, system_id=None, resource_id=legal.pk, today=today)
    assert by_marriage.fields == ["status"]
    assert by_licence.fields == ["uscc", "name"]
    assert ConsumerSystem.objects.filter(department=police).count() == 1
    assert (report.grants, report.systems, report.pending, report.refused) == (2, 1, 3, 0)
    pending = AccessRequest.objects.filter(status=AccessRequest.PENDING)
    assert pending.count() == 3
    assert pending.filter(due_on__lt=today).count() == 1
    assert seed_access(departments=departments, password="Tongban#2026").skipped
