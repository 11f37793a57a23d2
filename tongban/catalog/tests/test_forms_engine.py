import pytest

from tongban.accounts.tests.factories import LegalPersonFactory, PersonFactory
from tongban.catalog import services
from tongban.catalog.forms_engine import FieldSpec, form_prefill, form_spec, form_validate, rule_applies
from tongban.catalog.tests.factories import draft_item

SPECS = [
    FieldSpec("name", "经营者姓名", prefill="person.name", rules={"min_length": 2, "max_length": 20}),
    FieldSpec("id", "身份证号码", kind="id_number", prefill="person.id_number"),
    FieldSpec("company", "企业名称", required=False, prefill="legal.name"),
    FieldSpec("uscc", "统一社会信用代码", kind="uscc", required=False, prefill="legal.uscc"),
    FieldSpec("area", "经营面积（平方米）", kind="number", rules={"min": 1, "max": 10000}),
    FieldSpec("capital", "注册资本", kind="money", required=False),
    FieldSpec("opening", "开业日期", kind="date", required=False),
    FieldSpec("scope", "经营项目", kind="multichoice", options=["热食类", "冷食类", "生食类"]),
    FieldSpec("mode", "经营方式", kind="choice", options=["堂食", "外卖"]),
    FieldSpec("phone", "联系电话", kind="phone"),
    FieldSpec("address", "经营场所", kind="address"),
    FieldSpec("staff", "从业人员", kind="table", options=["姓名", "健康证号"]),
    FieldSpec("agent", "是否委托代理人", kind="boolean", required=False),
]

GOOD = {
    "name": "王小明",
    "id": "11010519491231002x",
    "area": "85.5",
    "capital": "1,000.50",
    "opening": "2026-12-01",
    "scope": ["热食类"],
    "mode": "堂食",
    "phone": "13912345678",
    "address": {"region": "341902001001", "detail": "幸福路1号"},
    "staff": [{"姓名": "张三", "健康证号": "JK001"}, {"姓名": "", "健康证号": ""}],
    "agent": "否",
}


def test_good_answers_are_cleaned():
    cleaned, errors = form_validate(SPECS, GOOD)
    assert errors == {}
    assert cleaned["id"] == "11010519491231002X"
    assert cleaned["capital"] == 100050  # fen, exact
    assert cleaned["area"] == "85.5"
    assert cleaned["staff"] == [{"姓名": "张三", "健康证号": "JK001"}]
    assert cleaned["agent"] is False


def test_each_bad_answer_gets_a_chinese_message_naming_the_field():
    bad = {
        **GOOD,
        "name": "王",
        "id": "110105194912310021",
        "area": "0",
        "capital": "12.345",
        "opening": "明天",
        "scope": ["烧烤"],
        "mode": "自助",
        "phone": "12345",
        "address": {"region": "341902001001"},
        "staff": [],
    }
    _, errors = form_validate(SPECS, bad)
    assert errors["name"] == "“经营者姓名”至少应有2个字。"
    assert "校验位错误" in errors["id"]
    assert errors["area"] == "“经营面积（平方米）”不能小于1。"
    assert "两位小数" in errors["capital"] and "2026-09-30" in errors["opening"]
    assert "烧烤" in errors["scope"] and "堂食、外卖" in errors["mode"]
    assert "11位手机号码" in errors["phone"] and "详细地址" in errors["address"]
    assert errors["staff"] == "请填写“从业人员”。"


def test_missing_required_answers_are_listed_and_optional_ones_skipped():
    _, errors = form_validate(SPECS, {})
    assert errors["name"] == "请填写“经营者姓名”。"
    assert "company" not in errors and "capital" not in errors


@pytest.mark.django_db
def test_prefill_from_the_person_and_the_legal_person():
    person = PersonFactory(real_name="王小明")
    company = LegalPersonFactory()
    answers = form_prefill(SPECS, person=person, legal_person=company)
    assert answers == {"name": "王小明", "id": person.id_number, "company": company.name, "uscc": company.uscc}


@pytest.mark.django_db
def test_a_version_carries_its_form_into_the_next_version():
    version = draft_item()
    services.version_parts_replace(
        actor=None,
        version_id=version.pk,
        form_fields=[
            {"order": 1, "key": "name", "label": "经营者姓名", "prefill": "person.name"},
            {"order": 2, "key": "area", "label": "经营面积", "kind": "number", "rules": {"min": 1}},
        ],
    )
    services.version_publish(actor=None, version_id=version.pk)
    draft = services.version_draft_new(actor=None, item_id=version.item_id)
    assert [spec.key for spec in form_spec(draft)] == ["name", "area"]


@pytest.mark.parametrize(
    ("rule", "answers", "applies"),
    [
        ({}, {}, True),
        ({"field": "agent", "equals": True}, {"agent": True}, True),
        ({"field": "agent", "equals": True}, {"agent": False}, False),
        ({"field": "mode", "in": ["外卖"]}, {"mode": "堂食"}, False),
        ({"field": "capital", "truthy": True}, {"capital": 100}, True),
        ({"all": [{"field": "a", "equals": 1}, {"field": "b", "equals": 2}]}, {"a": 1, "b": 3}, False),
        ({"any": [{"field": "a", "equals": 1}, {"field": "b", "equals": 2}]}, {"a": 0, "b": 2}, True),
    ],
)
def test_conditional_material_rules(rule, answers, applies):
    assert rule_applies(rule, answers) is applies
