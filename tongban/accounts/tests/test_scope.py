"""A staff member never sees or acts on persons or departments outside their data scope."""

import pytest

from tongban.accounts import selectors
from tongban.accounts.tests.factories import PersonFactory, staff_in
from tongban.core.errors import NotFound
from tongban.org import selectors as org_selectors
from tongban.org.tests.factories import DepartmentFactory, region_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    regions = region_tree()
    return {
        "east": PersonFactory(region=regions["341902001001"]),
        "west": PersonFactory(region=regions["341903001001"]),
    }


def test_a_district_clerk_lists_only_persons_of_the_district(people):
    clerk = staff_in("341902000000", "window")
    listed = list(selectors.person_search(actor=clerk.user).object_list)
    assert listed == [people["east"]]


def test_an_exact_id_number_search_does_not_cross_the_scope(people):
    clerk = staff_in("341902000000", "window")
    found = selectors.person_search(actor=clerk.user, query=people["west"].id_number)
    assert list(found.object_list) == []


def test_a_person_outside_the_scope_is_not_found(people):
    clerk = staff_in("341902000000", "window")
    assert selectors.person_get(actor=clerk.user, person_id=people["east"].pk) == people["east"]
    with pytest.raises(NotFound):
        selectors.person_get(actor=clerk.user, person_id=people["west"].pk)


def test_a_city_supervisor_sees_every_district(people):
    supervisor = staff_in("341900000000", "supervise")
    assert set(selectors.person_search(actor=supervisor.user).object_list) == set(people.values())


def test_a_citizen_has_an_empty_scope(people):
    from tongban.accounts.tests.factories import UserFactory

    assert list(selectors.person_search(actor=UserFactory()).object_list) == []


def test_departments_are_limited_to_the_region_and_the_department_set():
    regions = region_tree()
    east = DepartmentFactory(region=regions["341902000000"])
    east_other = DepartmentFactory(region=regions["341902000000"])
    west = DepartmentFactory(region=regions["341903000000"])
    clerk = staff_in("341902000000", "review", scope_all_departments=False)
    clerk.scope_departments.set([east, west])
    scope = selectors.staff_scope(clerk.user)
    visible = set(org_selectors.departments_in_scope(scope))
    assert east in visible and east_other not in visible and west not in visible
    with pytest.raises(NotFound):
        org_selectors.department_get(scope=scope, department_id=west.pk)
