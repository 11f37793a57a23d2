"""Completing an approved case whose item's result is an e-licence issues the licence."""

import pytest

from tongban.accounts.tests.factories import LegalPersonFactory
from tongban.cases import documents, services as cases
from tongban.cases.models import Case
from tongban.cases.tests.factories import case_in, case_item
from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.licences.models import Licence, LicenceType
from tongban.licences.seal import seal_verify
from tongban.licences.tests.factories import licence_type
from tongban.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

FOOD_FIELDS = [
    {"name": "name", "label": "经营者", "type": "text", "required": True},
    {"name": "items", "label": "经营项目", "type": "text", "required": True},
    {"name": "note", "label": "备注", "type": "text", "required": False},
]


@pytest.fixture
def approved():
    """An approved 食品经营许可 case of a department registered to issue 食品经营许可证."""
    department = DepartmentFactory()
    licence_type(department=department, short_code="SPJYXKZ", name="食品经营许可证", fields=FOOD_FIELDS)
    case, crew = case_in(Case.APPROVED, case_item(department))
    return case, crew


def test_completing_the_case_issues_a_signed_licence_to_the_applicant(approved):
    case, crew = approved
    case = cases.case_result_issue(actor=crew.issue, case_id=case.pk, result_data={"items": "热食类食品制售"})

    licence = Licence.objects.get()
    assert case.status == Case.COMPLETED and case.result_reference == licence.identifier
    assert (licence.case_number, licence.holder_person_id, licence.issuer_id) == (
        case.number,
        case.person_id,
        case.department_id,
    )
    assert licence.data == {"name": case.person.real_name, "items": "热食类食品制售"}
    assert licence.status == "01" and seal_verify(licence)


def test_a_missing_licence_field_stops_the_completion_and_issues_nothing(approved):
    case, crew = approved
    with pytest.raises(ValidationFailed) as refused:
        cases.case_result_issue(actor=crew.issue, case_id=case.pk)
    assert refused.value.problems == ["“经营项目”为必填项。"]
    assert Case.objects.get(pk=case.pk).status == Case.APPROVED and not Licence.objects.exists()


def test_a_department_not_registered_to_issue_the_type_cannot_complete(approved):
    case, crew = approved
    LicenceType.objects.get(short_code="SPJYXKZ").issuing_departments.clear()
    with pytest.raises(PermissionDenied):
        cases.case_result_issue(actor=crew.issue, case_id=case.pk, result_data={"items": "预包装食品销售"})
    assert Case.objects.get(pk=case.pk).status == Case.APPROVED and not Licence.objects.exists()


def test_an_item_whose_licence_type_the_library_lacks_gets_a_document():
    case, crew = case_in(Case.APPROVED)  # result 食品经营许可证, no such type in this library
    case = cases.case_result_issue(actor=crew.issue, case_id=case.pk)
    assert case.result_reference == case.number and not Licence.objects.exists()


def test_the_issuing_officer_sees_the_licence_fields_prefilled_and_completes_from_the_page(client, approved):
    case, crew = approved
    client.force_login(crew.issue)
    page = client.get(f"/workbench/cases/{case.pk}/").content.decode()
    assert 'name="issue_result-r_items"' in page and "经营项目" in page
    assert f'value="{case.person.real_name}"' in page  # the holder's name, from the applicant

    done = client.post(
        f"/workbench/cases/{case.pk}/act/issue_result/",
        {
            "issue_result-revision": case.revision,
            "issue_result-r_name": case.person.real_name,
            "issue_result-r_items": "热食类食品制售",
        },
    )
    assert done.status_code == 302
    licence = Licence.objects.get()
    assert Case.objects.get(pk=case.pk).result_reference == licence.identifier
    assert licence.data["items"] == "热食类食品制售"


def test_a_registration_that_creates_its_holder_gets_a_document_not_a_licence():
    department = DepartmentFactory()
    licence_type(
        department=department, holder_kind=LicenceType.LEGAL, short_code="YYZZ", name="营业执照", registers_holder=True
    )
    version = case_item(department, result_licence_type="YYZZ", result_name="营业执照")
    case, crew = case_in(Case.APPROVED, version)  # filed by a person: the company does not exist yet
    case = cases.case_result_issue(actor=crew.issue, case_id=case.pk)
    assert case.result_reference == case.number and not Licence.objects.exists()
    decision = documents.document_html(case, "decision")
    assert "营业执照" in decision and "电子证照" not in decision  # nothing promised that will not come


def test_a_person_cannot_apply_for_a_licence_an_enterprise_holds_and_the_enterprise_gets_it():
    department = DepartmentFactory()
    licence_type(department=department, holder_kind=LicenceType.LEGAL, short_code="SPJYXKZ", fields=[])
    version = case_item(department)
    with pytest.raises(ValidationFailed) as refused:
        case_in(Case.DRAFT, version)
    assert refused.value.code == "result_holder_legal_person" and "个体工商户" in refused.value.message

    shop = LegalPersonFactory()
    case, crew = case_in(Case.APPROVED, version, legal_person=shop)
    case = cases.case_result_issue(actor=crew.issue, case_id=case.pk)
    licence = Licence.objects.get()
    assert (licence.holder_legal_person_id, case.result_reference) == (shop.pk, licence.identifier)
    assert "将以电子证照形式核发" in documents.document_html(case, "decision")
