import pytest

from tongban.accounts.tests.factories import staff_in
from tongban.org.tests.factories import DepartmentFactory, region_tree

pytestmark = pytest.mark.django_db


def test_region_children_are_public(client):
    region_tree()
    body = client.get("/api/v1/org/regions?parent=341900000000").json()
    assert [r["code"] for r in body] == ["341902000000", "341903000000"]


def test_departments_outside_scope_are_invisible(client):
    regions = region_tree()
    west = DepartmentFactory(region=regions["341903000000"])
    clerk = staff_in("341902000000", "review")
    client.force_login(clerk.user)
    listed = {d["id"] for d in client.get("/api/v1/org/departments").json()}
    assert clerk.department_id in listed and west.pk not in listed
    assert client.get(f"/api/v1/org/departments/{west.pk}").status_code == 404
