"""The one search box: Chinese words, full pinyin, initials, codes and colloquial keywords."""

import pytest

from tongban.catalog import selectors
from tongban.catalog.search import index_tokens, query_terms
from tongban.catalog.tests.factories import published_item

pytestmark = pytest.mark.django_db


def names(query: str, **filters) -> list[str]:
    return [v.name for v in selectors.item_search(query=query, **filters).page.object_list]


@pytest.fixture
def catalogue():
    published_item(name="食品经营许可", keywords="开饭店 开餐馆 饭馆 餐饮")
    published_item(name="营业执照变更登记", keywords="改名 换法人")
    published_item(name="个体工商户设立登记", keywords="开店 营业执照 个体户")
    published_item(name="出生医学证明", keywords="出生证")


def test_the_index_holds_words_pinyin_and_initials():
    tokens = index_tokens(name="食品经营许可", keywords="开饭店", codes=("ABC123",))
    for token in [
        "食品",
        "经营",
        "许可",
        "shipinjingyingxuke",
        "spjyxk",
        "jingying",
        "开饭店",
        "kaifandian",
        "kfd",
        "abc123",
    ]:
        assert token in tokens


def test_query_terms_cut_chinese_and_keep_ascii():
    assert query_terms("食品许可") == ["食品", "许可"]
    assert query_terms("YYZZ") == ["yyzz"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("开饭店", "食品经营许可"),
        ("spjy", "食品经营许可"),
        ("shipin", "食品经营许可"),
        ("食品许可", "食品经营许可"),
        ("出生证", "出生医学证明"),
    ],
)
def test_a_newcomer_finds_the_item(catalogue, query, expected):
    assert names(query)[0] == expected


def test_initials_find_every_related_item_ranked_by_name_first(catalogue):
    found = names("yyzz")
    assert set(found) == {"营业执照变更登记", "个体工商户设立登记"}
    assert names("营业执照")[0] == "营业执照变更登记"  # the name matches before a keyword does


def test_a_homophone_typo_gets_a_did_you_mean(catalogue):
    result = selectors.item_search(query="营叶执照")
    assert result.page.paginator.count == 0
    assert result.did_you_mean == "营业执照"


def test_filters_combine_with_the_query(catalogue):
    published_item(name="企业印章刻制备案登记", for_persons=False, for_legal_persons=True)
    assert "企业印章刻制备案登记" in names("登记")
    assert "企业印章刻制备案登记" not in names("登记", audience="person")
    assert set(names("登记", audience="legal")) == {"企业印章刻制备案登记", "营业执照变更登记", "个体工商户设立登记"}
    assert names("登记", item_type="GG") == []


def test_search_through_the_api_reports_did_you_mean(client, catalogue):
    body = client.get("/api/v1/catalog/items", {"q": "营叶执照"}).json()
    assert body["count"] == 0 and body["did_you_mean"]


def test_reindex_rebuilds_the_tokens(catalogue):
    from django.core.management import call_command

    from tongban.catalog.models import SearchToken

    SearchToken.objects.all().delete()
    assert names("spjy") == []
    call_command("catalog", "reindex")
    assert names("spjy") == ["食品经营许可"]


def test_the_item_whose_common_name_is_the_query_comes_first():
    published_item(name="户外广告设施设置审批", keywords="招牌 开饭店")
    published_item(name="食品经营许可", keywords="开饭店 餐饮")
    assert names("开饭店") == ["食品经营许可", "户外广告设施设置审批"]


def test_paging_counts_and_clamps_past_the_end(catalogue):
    first = selectors.item_search(query="", page_size=3)
    assert first.page.paginator.count == 4 and len(first.page.object_list) == 3 and first.page.has_next()
    last = selectors.item_search(query="", page=99, page_size=3)
    assert last.page.number == 2 and len(last.page.object_list) == 1
    assert selectors.item_search(query="", page="x").page.number == 1


def test_the_in_memory_index_follows_publishing_and_withdrawal(catalogue):
    from tongban.catalog import services

    assert names("社保卡") == []  # builds the index
    version = published_item(name="社会保障卡申领", keywords="社保卡")
    assert names("社保卡") == ["社会保障卡申领"]
    services.version_withdraw(actor=None, version_id=version.pk, reason="并入一件事办理")
    assert names("社保卡") == []


def test_in_memory_filters_match_the_database_filters(catalogue):
    from tongban.catalog.models import Theme

    legal_only = published_item(
        name="企业登记档案查询", keywords="登记", for_persons=False, themes=[Theme.objects.get(code="l-setup")]
    )
    assert "企业登记档案查询" not in names("登记", audience="person")
    assert names("登记", theme="l-setup") == ["企业登记档案查询"]
    assert names("登记", life_event="open") == ["企业登记档案查询"]
    assert names("登记", department_id=legal_only.item.department_id) == ["企业登记档案查询"]
