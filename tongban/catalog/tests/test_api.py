import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.catalog import services
from tongban.catalog.tests.factories import draft_item, published_item

pytestmark = pytest.mark.django_db


def test_only_published_items_are_listed(client):
    published = published_item(name="公共场所卫生许可")
    draft_item(name="草稿事项")
    body = client.get("/api/v1/catalog/items").json()
    assert [row["name"] for row in body["items"]] == ["公共场所卫生许可"]
    assert body["items"][0]["item_id"] == published.item_id


def test_filters_by_words_and_keywords(client):
    published_item(name="食品经营许可", keywords="开饭店 餐馆")
    published_item(name="公共场所卫生许可")
    names = [row["name"] for row in client.get("/api/v1/catalog/items", {"q": "开饭店"}).json()["items"]]
    assert names == ["食品经营许可"]


def test_item_detail_has_materials_steps_and_fees_in_fen(client):
    version = draft_item(charged=True, online_payment=True)
    services.version_parts_replace(
        actor=None,
        version_id=version.pk,
        fees=[{"name": "登记费", "amount_fen": 8000, "legal_basis": "发改价格规〔2016〕2559号"}],
    )
    services.version_publish(actor=None, version_id=version.pk)
    body = client.get(f"/api/v1/catalog/items/{version.item_id}").json()
    assert body["version"] == 1 and body["online_payment"]
    assert [m["name"] for m in body["materials"]] == ["居民身份证", "营业执照"]
    assert [s["name"] for s in body["steps"]] == ["受理", "审核", "审批", "办结"]
    assert body["fees"] == [
        {"name": "登记费", "amount_fen": 8000, "amount_yuan": "80.00", "legal_basis": "发改价格规〔2016〕2559号"}
    ]


def test_a_draft_only_item_is_404(client):
    version = draft_item()
    response = client.get(f"/api/v1/catalog/items/{version.item_id}")
    assert response.status_code == 404 and response.json()["code"] == "item_not_found"


def test_the_item_list_makes_a_constant_number_of_queries(client):
    def queries(page_size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/catalog/items", {"page_size": page_size}).status_code == 200
        return len(captured)

    for _ in range(12):
        published_item()
    assert queries(2) == queries(12)


def test_staff_see_drafts_of_their_scope_only(client):
    from tongban.accounts.tests.factories import UserFactory, staff_in
    from tongban.org.tests.factories import DepartmentFactory, region_tree

    regions = region_tree()
    draft_item(DepartmentFactory(region=regions["341902000000"]), name="城东草稿")
    draft_item(DepartmentFactory(region=regions["341903000000"]), name="城西草稿")
    client.force_login(staff_in("341902000000", "admin").user)
    body = client.get("/api/v1/catalog/versions", {"status": "draft"}).json()
    assert [row["name"] for row in body["items"]] == ["城东草稿"] and body["items"][0]["status"] == "draft"
    client.force_login(UserFactory())
    assert client.get("/api/v1/catalog/versions").status_code == 403
