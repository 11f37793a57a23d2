"""免提交 from the wallet: an application needing a licence type takes the holder's valid licence."""

import pytest

from tongban.accounts import services as accounts_services
from tongban.accounts.tests.factories import LegalPersonFactory
from tongban.cases import services
from tongban.cases.models import Case
from tongban.cases.tests.factories import applicant, case_item, draft_case, pdf_bytes
from tongban.core.errors import ValidationFailed
from tongban.exchange.models import DataResource
from tongban.exchange.tests.factories import grant, resource_with_fields
from tongban.licences import services as licence_services
from tongban.licences.models import LicenceType
from tongban.licences.tests.factories import issued_licence, issuer_officer, licence_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def business_licence():
    return licence_type(holder_kind=LicenceType.LEGAL, short_code="YYZZ", name="营业执照")


def application_needing(short_code: str, user, legal_person=None) -> Case:
    version = case_item(
        materials=[
            {"standard": "居民身份证", "order": 1},
            {"standard": "营业执照", "order": 2, "source": "licence", "source_ref": short_code},
        ]
    )
    case = draft_case(version, user, upload=False)
    if legal_person is not None:
        Case.objects.filter(pk=case.pk).update(legal_person=legal_person)
    own = case.materials.get(source="applicant")
    services.case_file_add(actor=user, case_id=case.pk, material_id=own.pk, name="身份证.pdf", content=pdf_bytes())
    return case


def test_the_wallet_licence_is_used_instead_of_an_upload(business_licence):
    user = applicant()
    company = LegalPersonFactory(name="示范市早餐店")
    licence = issued_licence(licence_type_obj=business_licence, holder=company)
    case = application_needing("YYZZ", user, legal_person=company)

    case = services.case_submit(actor=user, case_id=case.pk)

    material = case.materials.get(source="licence")
    assert (material.provided, material.checked, material.files.count()) == ("licence", True, 0)
    assert material.evidence["reference"] == licence.identifier and material.evidence["verified"] is True
    assert "营业执照" in material.evidence["source"] and material.evidence["snapshot"]["经营范围"] == "食品销售"


def test_a_person_applying_about_their_one_enterprise_uses_its_licence(business_licence):
    user = applicant()
    company = LegalPersonFactory(legal_representative=user.person)
    accounts_services.legal_person_bind(user=user, uscc=company.uscc, name=company.name)
    licence = issued_licence(licence_type_obj=business_licence, holder=company)
    case = services.case_submit(actor=user, case_id=application_needing("YYZZ", user).pk)
    assert case.materials.get(source="licence").evidence["reference"] == licence.identifier


def test_a_revoked_licence_is_refused_with_a_clear_message_even_where_a_registry_holds_its_data(business_licence):
    user = applicant()
    company = LegalPersonFactory()
    licence = issued_licence(licence_type_obj=business_licence, holder=company)
    officer = issuer_officer(business_licence.defining_department)
    licence_services.licence_revoke(actor=officer, licence_id=licence.pk, reason="以欺骗手段取得")
    case = application_needing("YYZZ", user, legal_person=company)
    registry = resource_with_fields(
        served_by=DataResource.LEGAL_ENTITY,
        key_kind="uscc",
        fields=[("name", "名称", "string", "public")],
        licence_type_code="YYZZ",
    )
    grant(registry, case.department, fields=["name"])

    with pytest.raises(ValidationFailed) as missing:
        services.case_submit(actor=user, case_id=case.pk)

    [problem] = missing.value.problems
    assert licence.identifier in problem and "已撤销" in problem and "请上传有效的证明材料" in problem
    material = case.materials.get(source="licence")
    services.case_file_add(actor=user, case_id=case.pk, material_id=material.pk, name="执照.pdf", content=pdf_bytes())
    assert services.case_submit(actor=user, case_id=case.pk).status == Case.RECEIVED


def test_a_licence_whose_data_was_altered_fails_its_seal_and_is_refused(business_licence):
    user = applicant()
    company = LegalPersonFactory()
    licence = issued_licence(licence_type_obj=business_licence, holder=company)
    licence.data = {**licence.data, "capital": 99999}
    licence.save(update_fields=["data"])  # a forgery written behind the services' back
    with pytest.raises(ValidationFailed) as missing:
        services.case_submit(actor=user, case_id=application_needing("YYZZ", user, legal_person=company).pk)
    assert "签章验证未通过" in missing.value.problems[0]


def test_without_a_licence_in_the_library_the_applicant_uploads(business_licence):
    user = applicant()
    case = application_needing("YYZZ", user, legal_person=LegalPersonFactory())
    with pytest.raises(ValidationFailed) as missing:
        services.case_submit(actor=user, case_id=case.pk)
    assert "营业执照" in missing.value.problems[0]
