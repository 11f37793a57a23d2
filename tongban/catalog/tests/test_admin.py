import pytest

from tongban.accounts.tests.factories import staff_in
from tongban.catalog.models import ItemVersion
from tongban.catalog.tests.factories import draft_item, published_item
from tongban.org.tests.factories import DepartmentFactory, region_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    """The city's system administrator (三员分立: the admin post, no superuser)."""
    admin = staff_in("341900000000", "admin")
    admin.user.is_staff = True
    admin.user.save(update_fields=["is_staff"])
    client.force_login(admin.user)
    return client


@pytest.mark.parametrize("path", ["item", "itemversion", "standardmaterial", "itemtype", "theme", "lifeevent"])
def test_catalogue_admin_lists_open(admin_client, path):
    published_item()
    assert admin_client.get(f"/admin/catalog/{path}/").status_code == 200


def test_a_published_version_is_read_only_in_the_admin(admin_client):
    version = published_item()
    page = admin_client.get(f"/admin/catalog/itemversion/{version.pk}/change/")
    assert page.status_code == 200 and 'name="name"' not in page.content.decode()
    admin_client.post(f"/admin/catalog/itemversion/{version.pk}/change/", {"name": "改名"})
    version.refresh_from_db()
    assert version.name == "食品经营许可"


def test_the_publish_action_reports_every_broken_rule(admin_client):
    version = draft_item(visits=1, consult_phone="12345")
    response = admin_client.post(
        "/admin/catalog/itemversion/",
        {
            "action": "publish",
            "_selected_action": [version.pk],
        },
        follow=True,
    )
    page = response.content.decode()
    assert "到现场的原因" in page and "咨询电话与监督投诉电话" in page
    version.refresh_from_db()
    assert version.status == ItemVersion.DRAFT


def test_the_admin_shows_what_changed_since_the_previous_version(admin_client):
    from tongban.catalog import services

    version = published_item()
    draft = services.version_draft_new(actor=None, item_id=version.item_id)
    services.version_update(actor=None, version_id=draft.pk, promised_limit_days=8)
    page = admin_client.get(f"/admin/catalog/itemversion/{draft.pk}/change/").content.decode()
    assert "承诺办结时限（工作日）" in page and "10 → 8" in page


def test_a_department_administrator_sees_only_its_items(client):
    regions = region_tree()
    east = DepartmentFactory(region=regions["341902000000"])
    west = DepartmentFactory(region=regions["341903000000"])
    published_item(east, name="城东事项")
    published_item(west, name="城西事项")
    admin = staff_in("341902000000", "admin")  # a system administrator: the roles' matrix lets them in
    admin.user.is_staff = True
    admin.user.save()
    client.force_login(admin.user)
    page = client.get("/admin/catalog/itemversion/").content.decode()
    assert "城东事项" in page and "城西事项" not in page


def test_the_admin_exports_and_dry_runs_an_import(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    published_item()
    exported = admin_client.get("/admin/catalog/item/export/")
    assert exported["Content-Type"].startswith("application/vnd.openxmlformats")
    upload = SimpleUploadedFile("catalogue.xlsx", exported.content)
    page = admin_client.post("/admin/catalog/item/import/", {"file": upload, "dry_run": "on"}).content.decode()
    assert "检查通过：将会新增 0 项、更新 0 项，1 项无变化" in page
    bad = SimpleUploadedFile("bad.xlsx", b"not a workbook")
    page = admin_client.post("/admin/catalog/item/import/", {"file": bad}).content.decode()
    assert "无法读取该文件" in page
