"""A case is grounds to reveal its applicant's full data, for staff whose scope holds the case."""

import pytest

from tongban.accounts import services as accounts
from tongban.accounts.tests.factories import UserFactory, staff_in
from tongban.cases.tests.factories import case_item, submitted_case
from tongban.core.errors import ValidationFailed
from tongban.core.models import AuditEntry
from tongban.org.tests.factories import DepartmentFactory, region_tree

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def reveal_by_case(staff, person, number: str) -> str:
    return accounts.person_reveal(
        actor=staff.user, person_id=person.pk, field="id_number", basis="case", reference=number
    )


def test_the_applicants_case_in_scope_grounds_a_reveal_and_is_audited():
    version = case_item(DepartmentFactory(region=region_tree()["341902000000"]))
    applicant = UserFactory()
    case = submitted_case(version, applicant)
    clerk = staff_in("341902000000", "accept")

    assert reveal_by_case(clerk, applicant.person, case.number) == applicant.person.id_number

    detail = AuditEntry.objects.get(action="person.reveal").detail
    assert detail["basis"] == "case" and detail["reference"] == case.number
    assert detail["object"] == f"办件 {case.number}（{case.item_name}）"


def test_a_case_about_someone_else_or_outside_the_scope_grounds_nothing():
    version = case_item(DepartmentFactory(region=region_tree()["341902000000"]))
    applicant, other = UserFactory(), UserFactory()
    case = submitted_case(version, applicant)
    west = staff_in("341903000000", "accept")
    west_resident = UserFactory(person__region=region_tree()["341903001001"]).person
    east = staff_in("341902000000", "accept")

    with pytest.raises(ValidationFailed) as someone_else:
        reveal_by_case(east, other.person, case.number)
    assert someone_else.value.code == "reveal_grounds_refused"
    with pytest.raises(ValidationFailed):
        reveal_by_case(west, west_resident, case.number)  # the case is 城东区's
    assert not AuditEntry.objects.filter(action="person.reveal").exists()
