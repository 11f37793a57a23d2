"""The Django admin places a new region by the same rules as services.region_create: under the
parent its code names, refusing an unregistered parent instead of silently dropping it."""

import pytest

from tongban.accounts.tests.factories import staff_in
from tongban.core.models import AuditEntry
from tongban.org.models import Region
from tongban.org.tests.factories import region_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    region_tree()
    admin = staff_in("341900000000", "admin")
    admin.user.is_staff = True
    admin.user.save(update_fields=["is_staff"])
    client.force_login(admin.user)
    return client


def test_a_new_region_goes_under_the_parent_its_code_names(admin_client):
    response = admin_client.post("/admin/org/region/add/", {"code": "341902002000", "name": "东城街道"})
    assert response.status_code == 302
    region = Region.objects.get(code="341902002000")
    assert (region.level, region.parent_id) == ("township", "341902000000")
    assert AuditEntry.objects.filter(action="region.create", object_id="341902002000").exists()


def test_a_region_whose_parent_is_not_registered_is_refused_and_nothing_is_saved(admin_client):
    response = admin_client.post("/admin/org/region/add/", {"code": "341904001000", "name": "无名街道"})
    assert response.status_code == 200
    assert "上级区划“341904000000”尚未登记，请先添加上级区划。" in response.content.decode()
    assert not Region.objects.filter(code="341904001000").exists()


def test_renaming_a_region_keeps_its_place(admin_client):
    response = admin_client.post("/admin/org/region/341902000000/change/", {"name": "城东新区"})
    assert response.status_code == 302
    region = Region.objects.get(code="341902000000")
    assert (region.name, region.parent_id) == ("城东新区", "341900000000")
