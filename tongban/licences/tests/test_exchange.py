"""The licence library as an exchange resource: governed and logged like every other."""

import pytest

from tongban.accounts.tests.factories import LegalPersonFactory
from tongban.exchange.models import CallLog, DataResource
from tongban.exchange.tests.factories import ConsumerSystemFactory, grant, resource_with_fields
from tongban.exchange.tests.test_api import key_for, post
from tongban.licences import services
from tongban.licences.models import LicenceType
from tongban.licences.selectors import LIBRARY_FIELDS
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


def test_the_library_cannot_be_imported_into(library):
    from tongban.core.errors import ValidationFailed
    from tongban.exchange.imports import Schema

    with pytest.raises(ValidationFailed) as refused:
        Schema.of(library)
    assert refused.value.code == "resource_licences"
