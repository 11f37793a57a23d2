import pytest

from tongban.catalog.tests.factories import draft_item, published_item

pytestmark = pytest.mark.django_db


def test_the_index_lists_published_items_with_filters(client):
    published_item(name="食品经营许可", keywords="开饭店")
    draft_item(name="未发布事项")
    page = client.get("/services/").content.decode()
    assert "食品经营许可" in page and "未发布事项" not in page
    assert "法人 · 准营准办" in page


def test_searching_by_a_colloquial_word_finds_the_item(client):
    published_item(name="食品经营许可", keywords="开饭店")
    published_item(name="公共场所卫生许可")
    page = client.get("/services/", {"q": "开饭店"}, HTTP_HX_REQUEST="true").content.decode()
    assert "食品经营许可" in page and "公共场所卫生许可" not in page and "<html" not in page


def test_an_empty_search_says_what_to_do(client):
    page = client.get("/services/", {"q": "不存在的事项"}).content.decode()
    assert "没有找到与“不存在的事项”相关的事项" in page


def test_the_guide_shows_every_element_a_citizen_needs(client):
    version = published_item(name="食品经营许可", conditions="具有与经营的食品品种相适应的经营场所")
    page = client.get(f"/services/{version.item_id}/").content.decode()
    for text in [
        "设定依据",
        "受理条件",
        "经营场所",
        "申请材料",
        "居民身份证",
        "电子证照，免提交",
        "办理流程",
        "审批",
        "承诺时限",
        "10个工作日",
        "咨询电话",
        "0550-1234567",
        "12345",
        "打印办事指南",
    ]:
        assert text in page, text


def test_a_withdrawn_or_unknown_item_is_a_404_page(client):
    response = client.get("/services/999999/")
    assert response.status_code == 404 and "已停止办理" in response.content.decode()


def test_results_highlight_the_words_and_offer_did_you_mean(client):
    published_item(name="营业执照变更登记", keywords="营业执照")
    page = client.get("/services/", {"q": "营业执照"}).content.decode()
    assert "<mark>营业执照</mark>变更登记" in page
    page = client.get("/services/", {"q": "营叶执照"}).content.decode()
    assert "您是不是要找" in page and "?q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7" in page  # 营业执照


def test_browsing_by_life_event_gathers_the_themes_items(client):
    from tongban.catalog.models import Theme

    birth = published_item(name="出生医学证明")
    birth.themes.set([Theme.objects.get(code="p-birth"), Theme.objects.get(code="p-hukou")])
    other = published_item(name="公共场所卫生许可")
    other.themes.set([Theme.objects.get(code="l-permit")])
    page = client.get("/services/", {"audience": "person", "event": "birth"}).content.decode()
    assert "我要生育落户" in page
    assert page.count(">出生医学证明<") == 1 and "公共场所卫生许可" not in page
