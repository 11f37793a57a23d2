"""免提交 through real cases: a material mapped to shared data is fetched, not asked of the
applicant, and its snapshot kept on the case; no grant or a provider outage leaves it to upload."""

import time

import pytest
from django.urls import reverse

from tongban.accounts import services as accounts_services
from tongban.accounts.tests.factories import PASSWORD, LegalPersonFactory
from tongban.cases import services, sources
from tongban.cases.models import Case, CaseMaterial
from tongban.cases.tests.factories import applicant, case_item, draft_case, pdf_bytes
from tongban.core.errors import ValidationFailed
from tongban.exchange.models import CallLog, DataResource
from tongban.exchange.query import calllog_flush
from tongban.exchange.tests.factories import grant, record, resource_with_fields
from tongban.exchange.tests.provider_server import fresh_cache, provider  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

LICENCE_FIELDS = [
    ("name", "名称", "string", "public"),
    ("legal_representative", "法定代表人", "string", "sensitive"),
    ("address", "住所", "string", "internal"),
]


def item_with_shared_material(source: str, source_ref: str):
    return case_item(
        materials=[
            {"standard": "居民身份证", "order": 1},
            {"standard": "婚姻状况证明", "order": 2, "source": source, "source_ref": source_ref},
        ]
    )


def draft_with_own_files(version, user=None, legal_person=None):
    case = draft_case(version, user, upload=False)
    if legal_person is not None:
        Case.objects.filter(pk=case.pk).update(legal_person=legal_person)
    for material in case.materials.filter(source="applicant"):
        services.case_file_add(
            actor=case.filed_by, case_id=case.pk, material_id=material.pk, name="身份证.pdf", content=pdf_bytes()
        )
    return case


def shared_material(case) -> CaseMaterial:
    return case.materials.get(source__in=["shared", "licence"])


def test_a_material_mapped_to_shared_data_needs_no_upload_and_the_case_keeps_the_snapshot():
    resource = resource_with_fields(name="婚姻登记信息")
    version = item_with_shared_material("shared", f"{resource.code}.status")
    grant(resource, version.item.department, fields=["name", "status", "registered_on"])
    user = applicant()
    record(resource, user.person.id_number, name="王芳", status="已婚", registered_on="2015-06-01")
    case = services.case_submit(actor=user, case_id=draft_with_own_files(version, user).pk)
    material = shared_material(case)
    assert (material.provided, material.checked, material.files.count()) == ("shared", True, 0)
    masked_key = f"{user.person.id_number[:6]}********{user.person.id_number[-4:]}"
    assert material.evidence == {
        "provided": "shared",
        "reference": f"{resource.code}:{masked_key}",
        "source": f"{resource.provider.name}·婚姻登记信息",
        "snapshot": {"姓名": "王*", "婚姻状况": "已婚", "登记日期": "2015-06-01"},
        "verified": True,
    }
    row = CallLog.objects.get()
    assert (row.outcome, row.department_id, row.region_code) == ("ok", case.department_id, case.region_code)
    assert row.purpose == f"办件免提交：{version.name}·婚姻状况证明"


def test_a_licence_material_is_supplied_by_the_resource_holding_that_licence():
    company = LegalPersonFactory(name="示范市面馆有限公司", address="城关街道2号")
    resource = resource_with_fields(
        served_by=DataResource.LEGAL_ENTITY, key_kind="uscc", fields=LICENCE_FIELDS, licence_type_code="BIZ-LIC"
    )
    version = item_with_shared_material("licence", "BIZ-LIC")
    grant(resource, version.item.department, fields=["name", "address"])
    user = applicant()
    case = draft_with_own_files(version, user, legal_person=company)
    case = services.case_submit(actor=user, case_id=case.pk)
    assert shared_material(case).evidence["snapshot"] == {"名称": "示范市面馆有限公司", "住所": "城关街道2号"}


def test_a_person_applying_about_their_one_enterprise_gets_its_licence_data():
    resource = resource_with_fields(
        served_by=DataResource.LEGAL_ENTITY, key_kind="uscc", fields=LICENCE_FIELDS, licence_type_code="BIZ-LIC"
    )
    version = item_with_shared_material("licence", "BIZ-LIC")
    grant(resource, version.item.department, fields=["name"])
    user = applicant()
    company = LegalPersonFactory(name="示范市早餐店", legal_representative=user.person)
    accounts_services.legal_person_bind(user=user, uscc=company.uscc, name=company.name)  # the representative
    case = services.case_submit(actor=user, case_id=draft_with_own_files(version, user).pk)
    assert shared_material(case).evidence["snapshot"] == {"名称": "示范市早餐店"}


def test_without_a_record_the_applicant_is_asked_to_upload():
    resource = resource_with_fields()
    version = item_with_shared_material("shared", f"{resource.code}.status")
    grant(resource, version.item.department, fields=["status"])
    with pytest.raises(ValidationFailed) as missing:
        services.case_submit(actor=(case := draft_with_own_files(version)).filed_by, case_id=case.pk)
    assert missing.value.code == "materials_missing" and "婚姻状况证明" in missing.value.problems[0]
    calllog_flush()
    assert list(CallLog.objects.values_list("outcome", flat=True)) == ["not_found"]


def test_without_a_grant_the_refusal_is_logged_and_the_applicant_uploads():
    resource = resource_with_fields()
    version = item_with_shared_material("shared", f"{resource.code}.status")
    case = draft_with_own_files(version)
    record(resource, case.person.id_number, status="未婚")
    with pytest.raises(ValidationFailed):
        services.case_submit(actor=case.filed_by, case_id=case.pk)
    calllog_flush()
    assert list(CallLog.objects.values_list("outcome", "error_code")) == [("refused", "not_granted")]
    material = shared_material(case)
    services.case_file_add(
        actor=case.filed_by, case_id=case.pk, material_id=material.pk, name="证明.pdf", content=pdf_bytes()
    )
    assert services.case_submit(actor=case.filed_by, case_id=case.pk).status == Case.RECEIVED


def test_a_provider_down_reports_the_material_missing_fast_and_the_call_stays_on_record(client, provider):  # noqa: F811
    resource = resource_with_fields(
        served_by=DataResource.REMOTE, endpoint_url=provider.url, timeout_ms=500, name="婚姻登记信息"
    )
    version = item_with_shared_material("shared", f"{resource.code}.status")
    grant(resource, version.item.department, fields=["status"])
    provider.stop()
    user = applicant()
    case = draft_with_own_files(version, user)
    client.login(username=user.username, password=PASSWORD)
    started = time.monotonic()
    response = client.post(reverse("mycases:draft_submit", args=[case.pk]))
    assert time.monotonic() - started < 3
    assert response.status_code == 422 and "婚姻状况证明" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == Case.DRAFT
    # the submission rolled back, the lookup's log did not
    assert list(CallLog.objects.values_list("outcome", "error_code")) == [("provider_down", "provider_down")]


def test_the_applicant_is_told_why_the_platform_could_not_fetch_it(provider, settings):  # noqa: F811
    settings.TONGBAN_EXCHANGE_PROVIDER_BACKOFF_MS = 10
    remote = resource_with_fields(served_by=DataResource.REMOTE, endpoint_url=provider.url, name="婚姻登记信息")
    version = item_with_shared_material("shared", f"{remote.code}.status")
    case = draft_with_own_files(version)
    material = shared_material(case)
    refused = sources.material_source_resolve(case=case, material=material, actor=case.filed_by)
    assert refused.evidence is None
    assert refused.problem == "暂时无法从“婚姻登记信息”为您调取“婚姻状况证明”，请上传该材料。"
    grant(remote, version.item.department, fields=["status"])
    provider.stop()
    down = sources.material_source_resolve(case=case, material=material, actor=case.filed_by)
    assert down.problem == "“婚姻登记信息”的提供部门接口暂不可用，无法为您调取“婚姻状况证明”，请上传该材料。"
