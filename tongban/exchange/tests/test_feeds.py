"""Incremental feeds: a provider's own system pushes upserts and deletions over the API with its key."""

import pytest

from tongban.accounts.tests.factories import next_id_number
from tongban.core.audit import audit_seal
from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.core.models import AuditEntry
from tongban.exchange import services
from tongban.exchange.auth import api_key_new
from tongban.exchange.models import ApiKey, DataResource, RegistryRecord
from tongban.exchange.tests.factories import ConsumerSystemFactory, record, resource_with_fields
from tongban.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/exchange/feeds/"


@pytest.fixture
def resource():
    resource = resource_with_fields(code="marriage")
    resource.fields.filter(name="status").update(required=True)
    return resource


@pytest.fixture
def system(resource):
    return ConsumerSystemFactory(department=resource.provider, name="婚姻登记系统")


def key_for(system) -> str:
    key, prefix, digest = api_key_new()
    ApiKey.objects.create(system=system, prefix=prefix, secret_hash=digest)
    return key


def push(client, key, code, body):
    return client.post(f"{URL}{code}", body, content_type="application/json", headers={"X-Api-Key": key})


def test_a_provider_system_pushes_upserts_and_deletions(client, resource, system):
    a, b, c = next_id_number(), next_id_number(), next_id_number()
    record(resource, a, id_number=a, name="张三", status="未婚")
    record(resource, c, id_number=c, name="王五", status="已婚")
    body = {
        "rows": [
            {"id_number": a, "status": "已婚", "registered_on": "2025-10-01"},
            {"id_number": b, "name": "李四", "status": "已婚"},
        ],
        "deleted_keys": [c],
    }
    response = push(client, key_for(system), resource.code, body)
    assert response.status_code == 200, response.content
    assert response.json() == {"inserted": 1, "updated": 1, "unchanged": 0, "deleted": 1}
    updated = RegistryRecord.objects.get(resource=resource, key=a)
    assert updated.data == {"id_number": a, "name": "张三", "status": "已婚", "registered_on": "2025-10-01"}
    assert updated.source == "接口推送 婚姻登记系统"
    assert not RegistryRecord.objects.filter(key=c).exists()
    again = push(client, key_for(system), resource.code, {"rows": body["rows"][:1]})
    assert again.json() == {"inserted": 0, "updated": 0, "unchanged": 1, "deleted": 0}
    audit_seal()
    assert AuditEntry.objects.filter(action="registry.feed_apply", object_id=str(resource.pk)).count() == 2


def test_one_bad_row_and_nothing_is_written(client, resource, system):
    good = next_id_number()
    body = {
        "rows": [
            {"id_number": good, "status": "已婚"},
            {"id_number": good[:17] + ("0" if good[17] != "0" else "1"), "status": "已婚"},
            {"id_number": next_id_number(), "registered_on": "2025/10/01"},
            {"id_number": next_id_number(), "status": "已婚", "shoe_size": 42},
            {"id_number": good, "status": "离婚"},
        ]
    }
    response = push(client, key_for(system), resource.code, body)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "feed_rejected"
    assert [line.split("：", 1)[0] for line in problem["problems"]] == ["第2条", "第3条", "第4条", "第5条"]
    assert "校验位错误" in problem["problems"][0]
    assert "“婚姻状况”必填" in problem["problems"][1] and "YYYY-MM-DD" in problem["problems"][1]
    assert "shoe_size" in problem["problems"][2]
    assert "与第1条重复" in problem["problems"][3]
    assert not RegistryRecord.objects.exists()


def test_only_the_provider_departments_systems_may_push(client, resource):
    stranger = ConsumerSystemFactory(department=DepartmentFactory())
    body = {"rows": [{"id_number": next_id_number(), "status": "已婚"}]}
    response = push(client, key_for(stranger), resource.code, body)
    assert response.status_code == 403
    assert response.json()["code"] == "feed_not_provider"
    assert not RegistryRecord.objects.exists()


def test_a_missing_or_wrong_key_is_unauthenticated(client, resource, system):
    body = {"rows": [{"id_number": next_id_number(), "status": "已婚"}]}
    assert client.post(f"{URL}{resource.code}", body, content_type="application/json").status_code == 401
    assert push(client, key_for(system) + "x", resource.code, body).status_code == 401
    system.is_active = False
    system.save(update_fields=["is_active"])
    assert push(client, key_for(system), resource.code, body).status_code == 401


def test_pushes_are_limited_in_size(settings, resource, system):
    settings.TONGBAN_EXCHANGE_FEED_MAX_ROWS = 2
    rows = [{"id_number": next_id_number(), "status": "已婚"} for _ in range(2)]
    with pytest.raises(ValidationFailed, match="一次最多推送2条"):
        services.registry_feed_apply(system=system, resource_code=resource.code, rows=rows, deleted_keys=["x"])
    with pytest.raises(ValidationFailed, match="推送内容为空"):
        services.registry_feed_apply(system=system, resource_code=resource.code, rows=[])


def test_remote_resources_take_no_pushes(resource):
    remote = resource_with_fields(
        provider=resource.provider, served_by=DataResource.REMOTE, endpoint_url="http://127.0.0.1:9/x"
    )
    system = ConsumerSystemFactory(department=resource.provider)
    with pytest.raises(ValidationFailed, match="接口实时提供"):
        services.registry_feed_apply(system=system, resource_code=remote.code, rows=[{"id_number": "x"}])


def test_deleted_keys_are_checked_and_normalised(resource, system):
    key = next_id_number()
    lower = key.lower()
    record(resource, key.upper(), id_number=key.upper(), status="已婚")
    result = services.registry_feed_apply(system=system, resource_code=resource.code, rows=[], deleted_keys=[lower])
    assert result.deleted == 1
    with pytest.raises(ValidationFailed, match="删除的第1个主键"):
        services.registry_feed_apply(system=system, resource_code=resource.code, rows=[], deleted_keys=["123"])


def test_population_feeds_carry_only_extension_fields(resource):
    population = resource_with_fields(
        provider=resource.provider,
        code="population",
        served_by=DataResource.POPULATION,
        fields=[
            ("id_number", "公民身份号码", "id_number", "sensitive"),
            ("name", "姓名", "string", "sensitive"),
            ("household", "户籍地址", "string", "sensitive"),
        ],
    )
    system = ConsumerSystemFactory(department=resource.provider)
    key = next_id_number()
    services.registry_feed_apply(
        system=system, resource_code="population", rows=[{"id_number": key, "household": "东华街道1号"}]
    )
    assert RegistryRecord.objects.get(resource=population, key=key).data == {"household": "东华街道1号"}
    with pytest.raises(ValidationFailed, match="基础库字段"):
        services.registry_feed_apply(
            system=system, resource_code="population", rows=[{"id_number": key, "name": "张三"}]
        )


def test_an_unknown_resource_is_not_found(client, system):
    response = push(client, key_for(system), "nothing", {"rows": [{"id_number": "x"}]})
    assert response.status_code == 404


def test_the_service_refuses_other_departments_systems_too(resource):
    with pytest.raises(PermissionDenied):
        services.registry_feed_apply(
            system=ConsumerSystemFactory(), resource_code=resource.code, rows=[{"id_number": next_id_number()}]
        )


def test_a_row_without_its_key_is_refused_as_missing_the_key(client, resource, system):
    response = push(client, key_for(system), resource.code, {"rows": [{}, {"status": "已婚"}]})
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert [line.split("：", 1)[0] for line in problems] == ["第1条", "第2条"]
    assert all("“公民身份号码”必填" in line for line in problems)
    assert not RegistryRecord.objects.exists()
