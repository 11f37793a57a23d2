"""The licence library as an exchange resource: governed and logged like every other."""

import datetime as dt

import pytest
from django.urls import reverse

from tongban.accounts.tests.factories import LegalPersonFactory, PersonFactory, UserFactory
from tongban.exchange.models import CallLog, DataResource
from tongban.exchange.query import key_digest
from tongban.exchange.tests.factories import ConsumerSystemFactory, grant, resource_with_fields
from tongban.exchange.tests.test_api import key_for, post
from tongban.licences import services
from tongban.licences.models import LicenceType
from tongban.licences.selectors import LIBRARY_FIELDS, library_holder_fields, licence_records
from tongban.licences.tests.factories import issued_licence, issuer_officer, licence_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def library():
    return resource_with_fields(
        code="licence_library",
        served_by=DataResource.LICENCES,
        key_kind="licence",
        sharing=DataResource.UNCONDITIONAL,
        fields=[(name, label, kind, level) for name, label, kind, level in LIBRARY_FIELDS],
    )


def ask(client, library, key, keys, fields):
    body = {"resource": library.code, "keys": keys, "fields": fields, "purpose": "核验营业执照"}
    return post(client, body, key)


def test_a_department_checks_a_licence_by_its_identifier_and_sees_revocation_at_once(client, library):
    business = licence_type(holder_kind=LicenceType.LEGAL, name="营业执照")
    licence = issued_licence(licence_type_obj=business, holder=LegalPersonFactory(name="示范市早餐店"))
    system = ConsumerSystemFactory()
    grant(library, system.department, fields=["type_name", "holder_name", "status", "seal_valid"], system=system)
    key = key_for(system)
    fields = ["type_name", "status", "seal_valid"]

    found = ask(client, library, key, [licence.identifier], fields)
    assert found.status_code == 200, found.content
    assert found.json()["results"][0]["record"] == {"type_name": "营业执照", "status": "有效", "seal_valid": True}

    officer = issuer_officer(business.defining_department)
    services.licence_revoke(actor=officer, licence_id=licence.pk, reason="以欺骗手段取得")
    again = ask(client, library, key, [licence.identifier], fields)
    assert again.json()["results"][0]["record"]["status"] == "撤销"
    assert list(CallLog.objects.values_list("resource__code", "outcome")) == [("licence_library", "ok")] * 2


def test_an_identifier_typed_in_lower_case_finds_the_licence(client, library):
    licence = issued_licence()
    system = ConsumerSystemFactory()
    grant(library, system.department, fields=["status"], system=system)

    found = ask(client, library, key_for(system), [licence.identifier.lower()], ["status"])
    assert found.json()["results"][0]["record"] == {"status": "有效"}
    assert CallLog.objects.get().key_digest == key_digest(licence.identifier)


def test_the_library_cannot_be_imported_into(library):
    from tongban.core.errors import ValidationFailed
    from tongban.exchange.imports import Schema

    with pytest.raises(ValidationFailed) as refused:
        Schema.of(library)
    assert refused.value.code == "resource_licences"


# ---------------------------------------------------------------- looked up by holder


def holder_library(key_kind: str):
    return resource_with_fields(
        code=f"licence_library_holder_{key_kind}",
        served_by=DataResource.LICENCES,
        key_kind=key_kind,
        sharing=DataResource.CONDITIONAL,
        fields=list(library_holder_fields(key_kind)),
    )


def test_a_department_lists_a_persons_licences_by_id_number_revoked_ones_included(client):
    library = holder_library("id_number")
    holder = PersonFactory(real_name="张三丰")
    marriage = licence_type(name="结婚证")
    older = issued_licence(licence_type_obj=marriage, holder=holder, valid_from=dt.date(2020, 1, 1))
    newer = issued_licence(holder=holder)
    issued_licence()  # someone else's
    services.licence_revoke(actor=issuer_officer(marriage.defining_department), licence_id=older.pk, reason="登记错误")
    system = ConsumerSystemFactory()
    grant(library, system.department, fields=["holder_name", "count", "licences"], system=system)

    found = ask(client, library, key_for(system), [holder.id_number], ["holder_name", "count", "licences"])
    assert found.status_code == 200, found.content
    record = found.json()["results"][0]["record"]
    assert record["holder_name"] == "张**"  # sensitive, and this grant does not release it in clear
    assert record["count"] == 2
    listed = {entry["identifier"]: entry for entry in record["licences"]}
    assert set(listed) == {older.identifier, newer.identifier}
    assert listed[older.identifier] == {
        "identifier": older.identifier,
        "type_name": "结婚证",
        "status": "03",
        "status_name": "撤销",
        "issuer": marriage.defining_department.name,
        "valid_until": older.valid_until.isoformat(),
        "seal_valid": True,
    }
    assert (listed[newer.identifier]["status"], listed[newer.identifier]["seal_valid"]) == ("01", True)


def test_a_legal_persons_licences_by_credit_code_and_a_holder_without_any_is_not_found(client):
    library = holder_library("uscc")
    shop, empty = LegalPersonFactory(name="示范市早餐店"), LegalPersonFactory()
    permit = issued_licence(
        licence_type_obj=licence_type(holder_kind=LicenceType.LEGAL, name="食品经营许可证"), holder=shop
    )
    system = ConsumerSystemFactory()
    grant(library, system.department, fields=["holder_name", "licences"], unmasked=["holder_name"], system=system)

    found = ask(client, library, key_for(system), [shop.uscc, empty.uscc], ["holder_name", "licences"])
    assert found.status_code == 200, found.content
    shown, missing = found.json()["results"]
    assert shown["record"]["holder_name"] == "示范市早餐店"
    assert [(e["identifier"], e["type_name"], e["status"]) for e in shown["record"]["licences"]] == [
        (permit.identifier, "食品经营许可证", "01")
    ]
    assert (missing["found"], missing["outcome"]) == (False, "not_found")


def test_each_holder_lookup_is_logged_and_the_holder_sees_it_on_their_data_page(client):
    library = holder_library("id_number")
    holder = PersonFactory()
    issued_licence(holder=holder)
    system = ConsumerSystemFactory()
    grant(library, system.department, fields=["count"], system=system)
    nobody = PersonFactory()

    ask(client, library, key_for(system), [holder.id_number, nobody.id_number], ["count"])
    logged = list(CallLog.objects.order_by("id").values_list("resource__code", "outcome", "key_digest"))
    assert logged == [
        ("licence_library_holder_id_number", "ok", key_digest(holder.id_number)),
        ("licence_library_holder_id_number", "not_found", key_digest(nobody.id_number)),
    ]
    client.force_login(UserFactory(person=holder))
    page = client.get(reverse("mydata:index")).content.decode()
    assert library.name in page


def test_the_holder_lookup_makes_a_fixed_number_of_queries(django_assert_max_num_queries):
    holder = PersonFactory()
    for _ in range(2):
        issued_licence(holder=holder)
    with django_assert_max_num_queries(10) as counted:
        licence_records([holder.id_number], key_kind="id_number")
    few = len(counted)
    for _ in range(3):
        issued_licence(holder=holder)
    with django_assert_max_num_queries(few):
        assert licence_records([holder.id_number], key_kind="id_number")[holder.id_number]["count"] == 5
