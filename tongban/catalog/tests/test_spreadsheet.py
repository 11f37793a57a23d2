from io import BytesIO

import pytest
from openpyxl import load_workbook

from tongban.catalog import services
from tongban.catalog.models import Item, ItemVersion
from tongban.catalog.spreadsheet import catalogue_export, catalogue_import
from tongban.catalog.tests.factories import draft_item, published_item

pytestmark = pytest.mark.django_db


def charged_item(**overrides) -> ItemVersion:
    version = draft_item(charged=True, online_payment=True, **overrides)
    services.version_parts_replace(
        actor=None,
        version_id=version.pk,
        fees=[{"name": "登记费", "amount_fen": 8050, "legal_basis": "发改价格规〔2016〕2559号"}],
    )
    return services.version_publish(actor=None, version_id=version.pk)


def edit(content: bytes, sheet: str, row: int, header: str, value) -> bytes:
    book = load_workbook(BytesIO(content))
    headers = [cell.value for cell in book[sheet][1]]
    book[sheet].cell(row=row, column=headers.index(header) + 1, value=value)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_exported_catalogue_reimports_without_changes():
    published_item(name="食品经营许可", keywords="开饭店")
    charged_item(name="不动产转移登记")
    content = catalogue_export()
    report = catalogue_import(content=content, actor=None)
    assert report.ok and (report.created, report.changed, report.unchanged) == (0, 0, 2)
    assert set(ItemVersion.objects.values_list("number", flat=True)) == {1}


def test_a_changed_row_becomes_a_new_published_version():
    version = charged_item(name="不动产转移登记")
    content = edit(catalogue_export(), "事项", 2, "承诺时限（工作日）", "9")
    content = edit(content, "收费项目", 2, "收费标准（元）", "90.00")
    report = catalogue_import(content=content, actor=None)
    assert report.ok and report.changed == 1
    current = Item.objects.get(pk=version.item_id).current
    assert (current.number, current.promised_limit_days) == (2, 9)
    assert [fee.amount_fen for fee in current.fees.all()] == [9000]


def test_a_sheet_with_bad_rows_imports_nothing_and_reports_each_row():
    published_item(name="甲事项")
    published_item(name="乙事项")
    content = edit(catalogue_export(), "事项", 2, "承诺时限（工作日）", "十天")
    content = edit(content, "事项", 3, "事项类型", "行政魔法")
    content = edit(content, "申请材料", 2, "标准材料代码", "NOPE")
    report = catalogue_import(content=content, actor=None)
    assert not report.ok
    reasons = {(sheet, number): reason for sheet, number, reason in report.errors}
    assert "应为一个整数" in reasons[("事项", 2)]
    assert "行政魔法" in reasons[("事项", 3)]
    assert ItemVersion.objects.count() == 2


def test_a_new_item_is_created_and_checked_against_the_rules():
    template = published_item(name="模板事项")
    content = edit(catalogue_export(), "事项", 2, "基本编码", "NEW0001")
    content = edit(content, "事项", 2, "实施编码", template.implementation_code[:30] + "NEW0001")
    for sheet, rows in (("申请材料", (2, 3)), ("办理环节", (2, 3, 4, 5))):
        for row in rows:
            content = edit(content, sheet, row, "基本编码", "NEW0001")
    report = catalogue_import(content=content, actor=None, dry_run=True)
    assert report.ok and report.created == 1
    assert not Item.objects.filter(basic_code="NEW0001").exists()  # a dry run writes nothing

    broken = edit(content, "事项", 2, "到现场次数", "2")
    report = catalogue_import(content=broken, actor=None)
    assert not report.ok and "到现场的原因" in report.errors[0][2]

    assert catalogue_import(content=content, actor=None).created == 1
    assert Item.objects.get(basic_code="NEW0001").current.materials.count() == 2


def test_a_file_that_is_not_a_workbook_is_refused_clearly():
    report = catalogue_import(content=b"not a spreadsheet", actor=None)
    assert report.errors == [("文件", 0, "无法读取该文件：请上传按模板填写的 .xlsx 工作簿。")]


def test_the_command_exports_and_dry_runs(tmp_path, capsys):
    from django.core.management import call_command

    published_item()
    path = tmp_path / "catalogue.xlsx"
    call_command("catalog", "export", str(path))
    call_command("catalog", "import", str(path), "--dry-run")
    assert "将会新增 0 项、更新 0 项，1 项无变化" in capsys.readouterr().out


def test_form_fields_and_special_procedures_travel_with_the_workbook():
    version = draft_item(name="户外广告设施设置审批")
    services.version_parts_replace(
        actor=None,
        version_id=version.pk,
        form_fields=[
            {"order": 1, "key": "size", "label": "招牌面积", "kind": "number", "rules": {"min": 0.5, "max": 50}},
            {"order": 2, "key": "lit", "label": "是否发光", "kind": "choice", "options": ["是", "否"], "prefill": ""},
        ],
        special_procedures=[{"kind": "inspection", "limit_days": 3, "note": "核实设置位置"}],
    )
    services.version_publish(actor=None, version_id=version.pk)
    content = catalogue_export()
    assert catalogue_import(content=content, actor=None).unchanged == 1

    changed = edit(content, "特别程序", 2, "时限（工作日）", "5")
    report = catalogue_import(content=changed, actor=None)
    assert report.ok and report.changed == 1
    current = Item.objects.get(pk=version.item_id).current
    assert [(p.kind, p.limit_days) for p in current.special_procedures.all()] == [("inspection", 5)]
    assert [f.key for f in current.form_fields.all()] == ["size", "lit"]

    bad = edit(content, "申请表字段", 2, "校验规则", "{not json")
    report = catalogue_import(content=bad, actor=None)
    assert not report.ok and report.errors[0][:2] == ("申请表字段", 2)
