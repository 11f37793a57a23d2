"""The query interface: grants, fields, masking, keys, batches, quota, where data comes from, and
the call log (one row per key, refused calls included, surviving the caller's rollback)."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from tongban.accounts.tests.factories import LegalPersonFactory, PersonFactory
from tongban.core.errors import NotFound, PermissionDenied, Unavailable, ValidationFailed
from tongban.core.models import AuditEntry
from tongban.core.scheduler import periodic_jobs, run_due_jobs
from tongban.exchange import tasks_query
from tongban.exchange.models import CallLog, DataResource
from tongban.exchange.query import Caller, OverQuota, calllog_flush, exchange_lookup, key_digest, quota_used
from tongban.exchange.tests.factories import ConsumerSystemFactory, grant, record, resource_with_fields
from tongban.exchange.tests.provider_server import fresh_cache, provider  # noqa: F401 - fixtures
from tongban.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"
OTHER_ID = "110105194912310046"
POPULATION_FIELDS = [
    ("name", "姓名", "string", "sensitive"),
    ("id_number", "公民身份号码", "id_number", "sensitive"),
    ("sex", "性别", "string", "internal"),
    ("birth_date", "出生日期", "date", "sensitive"),
    ("region_name", "居住地", "string", "internal"),
    ("phone", "手机号码", "string", "sensitive"),
    ("household", "户籍信息", "string", "internal"),
]


def caller_of(department, *, system=None, staff_user=None) -> Caller:
    return Caller(
        department_id=department.pk,
        system_id=system.pk if system else None,
        staff_user_id=staff_user.pk if staff_user else None,
        region_code=department.region_id,
    )


def lookup(department, resource, keys=(ID,), fields=("status",), **kwargs):
    return exchange_lookup(
        caller=kwargs.pop("caller", None) or caller_of(department),
        resource_code=resource.code,
        keys=list(keys),
        fields=list(fields),
        purpose=kwargs.pop("purpose", "核验婚姻状况"),
        **kwargs,
    )


@pytest.fixture
def marriage():
    resource = resource_with_fields(name="婚姻登记信息")
    record(resource, ID, id_number=ID, name="王芳", status="已婚", spouse_name="李强", registered_on="2015-06-01")
    return resource


@pytest.fixture
def clerks():
    return DepartmentFactory(name="示范市住房公积金管理中心")


def test_only_granted_fields_come_back_and_sensitive_ones_masked(marriage, clerks):
    grant(marriage, clerks, fields=["name", "status", "registered_on", "spouse_name"])
    result = lookup(clerks, marriage, fields=["name", "status", "registered_on"])
    (answer,) = result.results
    assert answer.found and answer.key_masked == "110105********002X"
    assert answer.record == {"name": "王*", "status": "已婚", "registered_on": "2015-06-01"}


def test_a_field_released_in_clear_is_returned_whole_and_the_read_audited(marriage, clerks):
    grant(marriage, clerks, fields=["id_number", "name", "status"], unmasked=["id_number"])
    (answer,) = lookup(clerks, marriage, fields=["id_number", "name"], case_number="C-1").results
    assert answer.record == {"id_number": ID, "name": "王*"}
    entry = AuditEntry.objects.get(action="exchange.unmasked_read")
    assert entry.object_id == str(marriage.pk) and entry.detail["fields"] == ["id_number"]
    assert entry.detail["keys"] == ["110105********002X"] and entry.detail["case_number"] == "C-1"


def test_a_masked_read_writes_no_audit_entry(marriage, clerks):
    grant(marriage, clerks, fields=["name"])
    lookup(clerks, marriage, fields=["name"])
    assert not AuditEntry.objects.filter(action="exchange.unmasked_read").exists()


def test_a_sensitive_date_shows_only_its_year(clerks):
    resource = resource_with_fields(fields=[("birth_date", "出生日期", "date", "sensitive")])
    record(resource, ID, birth_date="1949-12-31")
    grant(resource, clerks, fields=["birth_date"])
    assert lookup(clerks, resource, fields=["birth_date"]).results[0].record == {"birth_date": "1949"}


def test_without_a_grant_the_call_is_refused_and_logged(marriage, clerks):
    with pytest.raises(PermissionDenied) as refused:
        lookup(clerks, marriage)
    assert refused.value.code == "not_granted"
    row = CallLog.objects.get()
    assert (row.outcome, row.error_code, row.result_count, row.fields) == ("refused", "not_granted", 0, [])
    assert row.department_id == clerks.pk and row.provider_id == marriage.provider_id


def test_a_field_outside_the_grant_is_refused_by_name(marriage, clerks):
    grant(marriage, clerks, fields=["status"])
    with pytest.raises(PermissionDenied) as refused:
        lookup(clerks, marriage, fields=["status", "spouse_name"])
    assert refused.value.code == "field_not_granted" and "配偶姓名" in refused.value.message
    assert CallLog.objects.get().error_code == "field_not_granted"


def test_a_field_the_resource_does_not_have_is_a_validation_error(marriage, clerks):
    grant(marriage, clerks, fields=["status"])
    with pytest.raises(ValidationFailed) as refused:
        lookup(clerks, marriage, fields=["salary"])
    assert refused.value.code == "unknown_field"


@pytest.mark.parametrize(
    "change",
    [
        {"revoked_at": timezone.now()},
        {"valid_until": dt.date.today() - dt.timedelta(days=1)},
        {"valid_from": dt.date.today() + dt.timedelta(days=1)},
    ],
    ids=["revoked", "expired", "not-yet-valid"],
)
def test_a_grant_that_is_not_live_grants_nothing(marriage, clerks, change):
    given = grant(marriage, clerks, fields=["status"])
    lookup(clerks, marriage)
    type(given).objects.filter(pk=given.pk).update(**change)
    with pytest.raises(PermissionDenied):
        lookup(clerks, marriage)


def test_a_system_grant_serves_only_that_system_and_a_department_grant_serves_all(marriage, clerks):
    own, other = ConsumerSystemFactory(department=clerks), ConsumerSystemFactory(department=clerks)
    grant(marriage, clerks, fields=["status", "name"], system=own)
    assert lookup(clerks, marriage, caller=caller_of(clerks, system=own)).results[0].found
    for caller in (caller_of(clerks, system=other), caller_of(clerks)):
        with pytest.raises(PermissionDenied):
            lookup(clerks, marriage, caller=caller)
    grant(marriage, clerks, fields=["status"])
    assert lookup(clerks, marriage, caller=caller_of(clerks, system=other)).results[0].found
    # the system's own (wider) grant still applies to it
    assert lookup(clerks, marriage, fields=["name"], caller=caller_of(clerks, system=own)).results[0].found


def test_another_departments_grant_does_not_serve(marriage, clerks):
    grant(marriage, DepartmentFactory(), fields=["status"])
    with pytest.raises(PermissionDenied):
        lookup(clerks, marriage)


def test_a_resource_not_shared_or_withdrawn_is_refused(clerks):
    secret = resource_with_fields(sharing=DataResource.NOT_SHARED, not_shared_reason="涉及国家秘密")
    withdrawn = resource_with_fields(is_active=False)
    for resource, code in ((secret, "not_shared"), (withdrawn, "resource_inactive")):
        grant(resource, clerks, fields=["status"])
        with pytest.raises(PermissionDenied) as refused:
            lookup(clerks, resource)
        assert refused.value.code == code
        if code == "not_shared":
            assert "涉及国家秘密" in refused.value.message
    assert CallLog.objects.filter(outcome="refused").count() == 2


def test_an_unknown_resource_is_not_found(clerks):
    with pytest.raises(NotFound):
        exchange_lookup(caller=caller_of(clerks), resource_code="NOPE", keys=[ID], fields=["x"], purpose="核验")


def test_a_batch_is_answered_per_key_and_logged_one_row_per_key(marriage, clerks):
    grant(marriage, clerks, fields=["status"])
    keys = [ID, OTHER_ID, "12345", ID.lower()]
    result = lookup(clerks, marriage, keys=keys)
    assert [r.outcome for r in result.results] == ["ok", "not_found", "bad_key", "ok"]
    assert "18位" in result.results[2].message
    rows = list(CallLog.objects.order_by("id"))
    assert [r.outcome for r in rows] == ["ok", "not_found", "bad_key", "ok"]
    assert rows[0].key_digest == key_digest(ID) == rows[3].key_digest  # the lower-case x is the same person
    assert [r.result_count for r in rows] == [1, 0, 0, 1] and rows[0].fields == ["status"]
    assert all(ID not in (r.key_masked + r.key_digest) for r in rows)


def test_a_batch_is_read_in_a_fixed_number_of_queries(marriage, clerks, django_assert_max_num_queries):
    grant(marriage, clerks, fields=["status"])
    keys = [PersonFactory().id_number for _ in range(20)]
    # resource, its fields, the grant, the records, the log (one bulk insert)
    with django_assert_max_num_queries(5):
        lookup(clerks, marriage, keys=keys)
    assert CallLog.objects.count() == 20


def test_a_call_whose_keys_are_all_malformed_is_refused(marriage, clerks):
    grant(marriage, clerks, fields=["status"])
    with pytest.raises(ValidationFailed) as refused:
        lookup(clerks, marriage, keys=["110105194912310023"])
    assert refused.value.code == "bad_key" and "校验位" in refused.value.message
    row = CallLog.objects.get()
    assert row.outcome == "bad_key" and row.key_masked == "110105********0023"


def test_a_batch_over_the_limit_is_refused(marriage, clerks, settings):
    settings.TONGBAN_EXCHANGE_BATCH_MAX = 3
    grant(marriage, clerks, fields=["status"])
    with pytest.raises(ValidationFailed) as refused:
        lookup(clerks, marriage, keys=[ID] * 4)
    assert refused.value.code == "batch_too_large" and "3" in refused.value.message
    assert CallLog.objects.count() == 3  # logged up to the limit


def test_the_daily_quota_counts_keys_and_refuses_with_429(marriage, clerks):
    given = grant(marriage, clerks, fields=["status"], daily_quota=3)
    lookup(clerks, marriage, keys=[ID, OTHER_ID])
    with pytest.raises(OverQuota) as refused:
        lookup(clerks, marriage, keys=[ID, OTHER_ID])
    assert refused.value.status == 429 and refused.value.code == "over_quota"
    assert quota_used(given) == 2  # the refused call spent nothing
    lookup(clerks, marriage, keys=[ID])
    with pytest.raises(OverQuota):
        lookup(clerks, marriage, keys=[ID])
    assert CallLog.objects.filter(outcome="over_quota").count() == 3


def test_a_purpose_is_required(marriage, clerks):
    grant(marriage, clerks, fields=["status"])
    with pytest.raises(ValidationFailed) as refused:
        lookup(clerks, marriage, purpose="  ")
    assert refused.value.code == "purpose_required"


def test_the_population_base_merges_the_person_with_the_extension_row(clerks):
    person = PersonFactory(real_name="赵丽", phone="13812345678")
    resource = resource_with_fields(served_by=DataResource.POPULATION, fields=POPULATION_FIELDS)
    record(resource, person.id_number, household="示范市城关街道1号", name="冒名")
    grant(resource, clerks, fields=[f[0] for f in POPULATION_FIELDS], unmasked=["id_number"])
    (answer,) = lookup(clerks, resource, keys=[person.id_number], fields=[f[0] for f in POPULATION_FIELDS]).results
    assert answer.record == {
        "name": "赵*",
        "id_number": person.id_number,
        "sex": "M",
        "birth_date": "1990",
        "region_name": person.region.name,
        "phone": "138****5678",
        "household": "示范市城关街道1号",
    }


def test_the_legal_entity_base_reads_the_legal_person(clerks):
    company = LegalPersonFactory(name="示范市面馆有限公司", address="城关街道2号")
    fields = [
        ("name", "名称", "string", "public"),
        ("legal_representative", "法定代表人", "string", "sensitive"),
        ("address", "住所", "string", "internal"),
        ("licence_scope", "经营范围", "string", "internal"),
    ]
    resource = resource_with_fields(served_by=DataResource.LEGAL_ENTITY, key_kind="uscc", fields=fields)
    record(resource, company.uscc, licence_scope="餐饮服务")
    grant(resource, clerks, fields=[f[0] for f in fields])
    (answer,) = lookup(clerks, resource, keys=[company.uscc.lower()], fields=[f[0] for f in fields]).results
    representative = company.legal_representative.real_name
    assert answer.record == {
        "name": "示范市面馆有限公司",
        "legal_representative": representative[0] + "*" * (len(representative) - 1),
        "address": "城关街道2号",
        "licence_scope": "餐饮服务",
    }
    assert answer.key_masked == company.uscc


def test_a_remote_resource_is_asked_of_its_provider(clerks, provider):  # noqa: F811
    resource = resource_with_fields(served_by=DataResource.REMOTE, endpoint_url=provider.url, timeout_ms=300)
    provider.records[ID] = {"status": "离婚", "name": "王芳"}
    grant(resource, clerks, fields=["status", "name"])
    result = lookup(clerks, resource, keys=[ID, OTHER_ID], fields=["status", "name"])
    assert [r.record for r in result.results] == [{"status": "离婚", "name": "王*"}, {}]
    assert [r.outcome for r in result.results] == ["ok", "not_found"]


def test_a_remote_provider_down_fails_every_key_fast_and_logs_it(clerks, provider, settings):  # noqa: F811
    settings.TONGBAN_EXCHANGE_PROVIDER_BACKOFF_MS = 10
    resource = resource_with_fields(served_by=DataResource.REMOTE, endpoint_url=provider.url, timeout_ms=300)
    grant(resource, clerks, fields=["status"])
    provider.stop()
    with pytest.raises(Unavailable) as down:
        lookup(clerks, resource, keys=[ID, OTHER_ID])
    assert down.value.code == "provider_down"
    assert list(CallLog.objects.values_list("outcome", "error_code")) == [("provider_down", "provider_down")] * 2


def test_the_log_row_records_who_what_and_why(marriage, clerks):
    system = ConsumerSystemFactory(department=clerks)
    grant(marriage, clerks, fields=["status"])
    lookup(clerks, marriage, caller=caller_of(clerks, system=system), case_number="3419022026112300010001")
    row = CallLog.objects.get()
    assert (row.region_code, row.resource_id, row.system_id, row.staff_user_id) == (
        clerks.region_id,
        marriage.pk,
        system.pk,
        None,
    )
    assert (row.purpose, row.case_number, row.outcome) == ("核验婚姻状况", "3419022026112300010001", "ok")


def test_a_refusal_inside_the_callers_transaction_outlives_its_rollback(marriage, clerks, client):
    """The lookup raises inside the caller's atomic block, which then rolls back (as a case
    submission does when a material is still missing): the log row is written again once the
    connection is out of that transaction, here at the end of the request."""
    with pytest.raises(PermissionDenied), transaction.atomic():
        lookup(clerks, marriage)
    assert not CallLog.objects.exists()  # rolled back with the caller
    client.get("/healthz")  # any request's end
    assert list(CallLog.objects.values_list("outcome", "error_code")) == [("refused", "not_granted")]


def test_rows_of_a_rolled_back_caller_reappear_at_the_next_write_and_committed_ones_once(marriage, clerks):
    grant(marriage, clerks, fields=["status"])
    with pytest.raises(RuntimeError), transaction.atomic():
        lookup(clerks, marriage)
        raise RuntimeError("the case submission fails later")
    with transaction.atomic():
        lookup(clerks, marriage, keys=[OTHER_ID])  # this one commits (within the test's transaction)
    lookup(clerks, marriage)
    assert calllog_flush() == 0
    assert sorted(CallLog.objects.values_list("outcome", flat=True)) == ["not_found", "ok", "ok"]


def test_the_prune_job_deletes_rows_older_than_the_retention(marriage, clerks, settings):
    settings.TONGBAN_EXCHANGE_LOG_YEARS = 3
    grant(marriage, clerks, fields=["status"])
    lookup(clerks, marriage, keys=[ID, OTHER_ID])
    old, recent = CallLog.objects.order_by("id")
    CallLog.objects.filter(pk=old.pk).update(called_at=timezone.now() - dt.timedelta(days=3 * 366 + 1))
    CallLog.objects.filter(pk=recent.pk).update(called_at=timezone.now() - dt.timedelta(days=3 * 365 - 2))
    assert tasks_query.calllog_prune() == {"deleted": 1}
    assert list(CallLog.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_prune_job_is_on_the_schedule_and_runs_embedded(marriage, clerks):
    with pytest.raises(PermissionDenied):
        lookup(clerks, marriage)
    CallLog.objects.update(called_at=timezone.now() - dt.timedelta(days=4 * 365))
    jobs = {name: job for name, job in periodic_jobs().items() if name == "exchange-calllog-prune"}
    assert run_due_jobs(jobs, now=0.0) == ["exchange-calllog-prune"]
    assert not CallLog.objects.exists()  # the job ran (a failing job is only logged by the scheduler)
