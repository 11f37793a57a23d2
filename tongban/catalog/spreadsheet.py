"""Implementation lists as spreadsheets (xlsx), the form in which departments keep them.

One workbook, six sheets: 事项 (one row per item with every element of its current version), and
申请材料 / 办理环节 / 收费项目 / 申请表字段 / 特别程序 (rows keyed by the item's 实施主体统一社会信用代码 +
基本编码 + 办理情形).
`catalogue_export` writes the published catalogue; `catalogue_import` reads such a workbook:
a new item is created, a changed item gets a new version, an unchanged one is left alone, and
every version passes the publishing rules. The import is all-or-nothing: one bad row and nothing
is written; the report lists every bad row with its sheet, row number and reason. A dry run does
the same work and rolls it back. docs/catalogue-spreadsheet.md documents the columns.
"""

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from io import BytesIO

from django.db import transaction
from openpyxl import Workbook, load_workbook

from tongban.accounts.types import Actor
from tongban.catalog import services
from tongban.catalog.models import (
    Item,
    ItemType,
    ItemVersion,
    StandardMaterial,
    Theme,
    VersionFormField,
    VersionMaterial,
    VersionSpecialProcedure,
)
from tongban.core.audit import audit_record
from tongban.core.errors import TongbanError
from tongban.core.money import yuan
from tongban.org import selectors as org_selectors

KEY_HEADERS = ("实施主体统一社会信用代码", "基本编码", "办理情形")
YES, NO = "是", "否"


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: str = "text"  # text | int | bool | choice


VERSION_COLUMNS = (
    Column("事项名称", "name"),
    Column("实施编码", "implementation_code"),
    Column("业务办理项编码", "handling_code"),
    Column("设定依据", "legal_basis"),
    Column("行使层级", "level", "choice"),
    Column("服务对象：自然人", "for_persons", "bool"),
    Column("服务对象：法人", "for_legal_persons", "bool"),
    Column("关键词", "keywords"),
    Column("办件类型", "promise_kind", "choice"),
    Column("审查类型", "review_kind", "choice"),
    Column("法定时限（工作日）", "legal_limit_days", "int"),
    Column("承诺时限（工作日）", "promised_limit_days", "int"),
    Column("受理条件", "conditions"),
    Column("到现场次数", "visits", "int"),
    Column("到现场原因", "visits_reason"),
    Column("网办深度", "online_depth", "int"),
    Column("窗口办理", "by_window", "bool"),
    Column("网上办理", "by_online", "bool"),
    Column("快递申请", "by_mail", "bool"),
    Column("是否收费", "charged", "bool"),
    Column("网上支付", "online_payment", "bool"),
    Column("审批结果类型", "result_type", "choice"),
    Column("审批结果名称", "result_name"),
    Column("结果电子证照类型", "result_licence_type"),
    Column("窗口领取", "delivery_window", "bool"),
    Column("邮寄送达", "delivery_mail", "bool"),
    Column("电子送达", "delivery_electronic", "bool"),
    Column("送达时限（工作日）", "delivery_days", "int"),
    Column("办理窗口", "windows"),
    Column("办理时间", "hours"),
    Column("咨询电话", "consult_phone"),
    Column("监督投诉电话", "complaint_phone"),
)
ITEM_HEADERS = (*KEY_HEADERS, "层级", "上级基本编码", "事项类型", "主题分类", *(c.header for c in VERSION_COLUMNS))
MATERIAL_HEADERS = (
    *KEY_HEADERS,
    "顺序",
    "标准材料代码",
    "材料名称",
    "必要",
    "需要提交的情形",
    "原件份数",
    "复印件份数",
    "纸质",
    "电子",
    "来源",
    "来源标识",
)
STEP_HEADERS = (*KEY_HEADERS, "顺序", "环节", "岗位", "时限（工作日）")
FEE_HEADERS = (*KEY_HEADERS, "收费项目", "收费标准（元）", "收费依据")
FIELD_HEADERS = (*KEY_HEADERS, "顺序", "字段标识", "名称", "类型", "必填", "填写说明", "选项", "校验规则", "预填来源")
PROCEDURE_HEADERS = (*KEY_HEADERS, "程序", "时限（工作日）", "说明")
SHEETS = {
    "事项": ITEM_HEADERS,
    "申请材料": MATERIAL_HEADERS,
    "办理环节": STEP_HEADERS,
    "收费项目": FEE_HEADERS,
    "申请表字段": FIELD_HEADERS,
    "特别程序": PROCEDURE_HEADERS,
}


# --- export ------------------------------------------------------------------------------------


def catalogue_export(versions=None) -> bytes:
    """The published catalogue (or the given versions) as an xlsx workbook."""
    if versions is None:
        versions = ItemVersion.objects.filter(status=ItemVersion.PUBLISHED)
    versions = (
        versions.select_related("item__department", "item__parent", "item_type")
        .prefetch_related("themes", "materials", "steps", "fees", "form_fields", "special_procedures")
        .order_by("item__department__uscc", "item__basic_code", "item__situation")
    )
    book = Workbook()
    book.remove(book.active)
    sheets = {title: book.create_sheet(title) for title in SHEETS}
    for title, headers in SHEETS.items():
        sheets[title].append(list(headers))
    for version in versions:
        rows = version_rows(version)
        for title in SHEETS:
            for row in rows[title]:
                sheets[title].append(list(row))
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def version_rows(version: ItemVersion) -> dict[str, list[tuple[str, ...]]]:
    """The cells of one version on every sheet, as strings: the unit that export writes and
    import compares."""
    item = version.item
    key = (item.department.uscc, item.basic_code, item.get_situation_display())
    item_row = (
        *key,
        item.get_kind_display(),
        item.parent.basic_code if item.parent_id else "",
        version.item_type.name,
        "、".join(f"{t.get_audience_display()}·{t.name}" for t in version.themes.all()),
        *(_cell(version, column) for column in VERSION_COLUMNS),
    )
    materials = [
        (
            *key,
            str(m.order),
            m.standard_id,
            m.name,
            _yes(m.required),
            m.condition,
            str(m.original_count),
            str(m.copy_count),
            _yes(m.paper),
            _yes(m.electronic),
            m.get_source_display(),
            m.source_ref,
        )
        for m in version.materials.all()
    ]
    steps = [(*key, str(s.order), s.name, s.post_code, str(s.budget_days)) for s in version.steps.all()]
    fees = [(*key, f.name, yuan(f.amount_fen), f.legal_basis) for f in version.fees.all()]
    fields = [
        (
            *key,
            str(f.order),
            f.key,
            f.label,
            f.get_kind_display(),
            _yes(f.required),
            f.help_text,
            _json(f.options),
            _json(f.rules),
            f.prefill,
        )
        for f in version.form_fields.all()
    ]
    procedures = [(*key, p.get_kind_display(), str(p.limit_days), p.note) for p in version.special_procedures.all()]
    return {
        "事项": [item_row],
        "申请材料": materials,
        "办理环节": steps,
        "收费项目": fees,
        "申请表字段": fields,
        "特别程序": procedures,
    }


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""


def _cell(version: ItemVersion, column: Column) -> str:
    value = getattr(version, column.field)
    if column.kind == "bool":
        return _yes(value)
    if column.kind == "choice":
        return getattr(version, f"get_{column.field}_display")()
    return str(value)


def _yes(value: bool) -> str:
    return YES if value else NO


# --- import ------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list[tuple[str, int, str]] = field(default_factory=list)  # (sheet, row number, reason)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class _Rollback(Exception):
    pass


def catalogue_import(*, content: bytes, actor: Actor, dry_run: bool = False) -> ImportReport:
    """Import a workbook all-or-nothing; with `dry_run` report what would happen and write nothing."""
    report = ImportReport(dry_run=dry_run)
    try:
        sheets = _read(content)
    except _BadWorkbook as problem:
        report.errors.append(("文件", 0, str(problem)))
        return report
    try:
        with transaction.atomic():
            _import_sheets(sheets, actor, report)
            if report.errors or dry_run:
                raise _Rollback
            audit_record(
                action="catalogue.import",
                object_type="catalog",
                actor=actor,
                detail={"created": report.created, "changed": report.changed},
            )
    except _Rollback:
        pass
    return report


class _BadWorkbook(Exception):
    pass


Row = tuple[int, tuple[str, ...]]  # (spreadsheet row number, cells as strings)


def _read(content: bytes) -> dict[str, list[Row]]:
    try:
        book = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise _BadWorkbook("无法读取该文件：请上传按模板填写的 .xlsx 工作簿。") from None
    sheets = {}
    for title, headers in SHEETS.items():
        if title not in book.sheetnames:
            raise _BadWorkbook(f"缺少工作表“{title}”：请使用导出的模板。")
        rows = list(book[title].iter_rows(values_only=True))
        found = tuple(_text(cell) for cell in (rows[0] if rows else ()))[: len(headers)]
        if found != headers:
            raise _BadWorkbook(f"工作表“{title}”的表头与模板不一致：请使用导出的模板，不要增删或调换列。")
        sheets[title] = [
            (number, tuple(_text(cell) for cell in row[: len(headers)]) + ("",) * (len(headers) - len(row)))
            for number, row in enumerate(rows[1:], start=2)
            if any(_text(cell) for cell in row)
        ]
    return sheets


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _import_sheets(sheets: dict[str, list[Row]], actor: Actor, report: ImportReport) -> None:
    parts: dict[str, dict[tuple, list[Row]]] = {title: defaultdict(list) for title in SHEETS if title != "事项"}
    for title, by_key in parts.items():
        for number, cells in sheets[title]:
            by_key[cells[:3]].append((number, cells))
    known_keys = set()
    for number, cells in sheets["事项"]:
        key = cells[:3]
        if key in known_keys:
            report.errors.append(("事项", number, "同一事项（实施主体、基本编码、办理情形）出现了两次。"))
            continue
        known_keys.add(key)
        try:
            _import_item(number, cells, {title: by_key.get(key, []) for title, by_key in parts.items()}, actor, report)
        except _RowError as problem:
            report.errors.append((problem.sheet, problem.number, problem.reason))
    for title, by_key in parts.items():
        for key, rows in by_key.items():
            if key not in known_keys:
                report.errors.extend((title, number, "在“事项”表中找不到对应的事项。") for number, _ in rows)


class _RowError(Exception):
    def __init__(self, sheet: str, number: int, reason: str):
        super().__init__(reason)
        self.sheet, self.number, self.reason = sheet, number, reason


def _import_item(
    number: int, cells: tuple[str, ...], part_rows: dict[str, list[Row]], actor: Actor, report: ImportReport
) -> None:
    uscc, basic_code, situation_name = cells[:3]
    row = dict(zip(ITEM_HEADERS, cells, strict=True))
    item = (
        Item.objects.select_related("department", "current")
        .filter(department__uscc=uscc, basic_code=basic_code.upper(), situation=_situation(number, situation_name))
        .first()
    )
    if item and item.current_id and _unchanged(item.current, cells, part_rows):
        report.unchanged += 1
        return
    fields = _version_fields(number, row)
    parts = _parts(part_rows)
    try:
        with transaction.atomic():
            if item is None:
                version = _item_create(number, row, fields, actor)
                report.created += 1
            else:
                version = services.version_draft_new(actor=actor, item_id=item.pk)
                services.version_update(actor=actor, version_id=version.pk, **fields)
                report.changed += 1
            services.version_parts_replace(actor=actor, version_id=version.pk, **parts)
            services.version_publish(actor=actor, version_id=version.pk)
    except TongbanError as error:
        detail = "；".join(error.problems)
        raise _RowError("事项", number, error.message + (f"（{detail}）" if detail else "")) from None


def _unchanged(current: ItemVersion, cells: tuple[str, ...], part_rows: dict[str, list[Row]]) -> bool:
    exported = version_rows(current)
    if exported["事项"][0] != cells:
        return False
    return all(sorted(exported[title]) == sorted(c for _, c in rows) for title, rows in part_rows.items())


def _situation(number: int, name: str) -> str:
    if not name:
        return ""
    for value, label in Item.SITUATIONS:
        if label == name:
            return value
    raise _RowError("事项", number, f"办理情形“{name}”应为新设、变更、延续、注销之一或留空。")


def _item_create(number: int, row: dict[str, str], fields: dict, actor: Actor) -> ItemVersion:
    department = _department(number, row["实施主体统一社会信用代码"])
    kinds = {label: value for value, label in Item.KINDS}
    if row["层级"] not in kinds:
        raise _RowError("事项", number, "层级应为主项、子项或业务办理项。")
    parent_id = None
    if row["上级基本编码"]:
        parent = Item.objects.filter(
            department=department, basic_code=row["上级基本编码"].upper(), kind__in=[Item.MAIN, Item.SUB]
        ).first()
        if parent is None:
            raise _RowError("事项", number, f"找不到上级事项“{row['上级基本编码']}”：请把上级事项放在前面的行。")
        parent_id = parent.pk
    return services.item_create(
        actor=actor,
        department_id=department.pk,
        basic_code=row["基本编码"],
        kind=kinds[row["层级"]],
        parent_id=parent_id,
        situation=_situation(number, row["办理情形"]),
        **fields,
    )


def _department(number: int, uscc: str):
    for department in org_selectors.departments_by_uscc([uscc]):
        return department
    raise _RowError("事项", number, f"实施主体统一社会信用代码“{uscc}”不是已登记的部门。")


def _version_fields(number: int, row: dict[str, str]) -> dict:
    item_type = ItemType.objects.filter(name=row["事项类型"]).first()
    if item_type is None:
        raise _RowError("事项", number, f"事项类型“{row['事项类型']}”不在事项类型字典中。")
    fields: dict = {"item_type": item_type, "themes": _themes(number, row["主题分类"])}
    for column in VERSION_COLUMNS:
        fields[column.field] = _parse(number, column, row[column.header])
    return fields


def _themes(number: int, cell: str) -> list[Theme]:
    audiences = {label: value for value, label in Theme.AUDIENCES}
    themes = []
    for name in filter(None, cell.split("、")):
        audience, _, theme_name = name.partition("·")
        theme = Theme.objects.filter(audience=audiences.get(audience, ""), name=theme_name).first()
        if theme is None:
            raise _RowError("事项", number, f"主题分类“{name}”不存在（格式如“法人·准营准办”）。")
        themes.append(theme)
    return themes


PARSERS: dict[str, Callable[[Column, str], object]] = {
    "text": lambda column, cell: cell,
    "int": lambda column, cell: int(cell),
    "bool": lambda column, cell: {YES: True, NO: False}[cell],
    "choice": lambda column, cell: {label: value for value, label in ItemVersion._meta.get_field(column.field).choices}[
        cell
    ],
}


def _parse(number: int, column: Column, cell: str):
    try:
        return PARSERS[column.kind](column, cell)
    except (KeyError, ValueError):
        expected = {"int": "一个整数", "bool": "“是”或“否”", "choice": "下拉选项之一", "text": "文字"}[column.kind]
        raise _RowError("事项", number, f"“{column.header}”应为{expected}，实为“{cell}”。") from None


def _parts(part_rows: dict[str, list[Row]]) -> dict[str, list[dict]]:
    return {
        "materials": [
            _material(number, dict(zip(MATERIAL_HEADERS, cells, strict=True)))
            for number, cells in part_rows["申请材料"]
        ],
        "steps": [
            _step(number, dict(zip(STEP_HEADERS, cells, strict=True))) for number, cells in part_rows["办理环节"]
        ],
        "fees": [_fee(number, dict(zip(FEE_HEADERS, cells, strict=True))) for number, cells in part_rows["收费项目"]],
        "form_fields": [
            _form_field(number, dict(zip(FIELD_HEADERS, cells, strict=True)))
            for number, cells in part_rows["申请表字段"]
        ],
        "special_procedures": [
            _procedure(number, dict(zip(PROCEDURE_HEADERS, cells, strict=True)))
            for number, cells in part_rows["特别程序"]
        ],
    }


def _form_field(number: int, row: dict[str, str]) -> dict:
    kinds = {label: value for value, label in VersionFormField.KINDS}
    prefills = {value for value, _ in VersionFormField.PREFILLS}
    try:
        return {
            "order": int(row["顺序"]),
            "key": row["字段标识"],
            "label": row["名称"],
            "kind": kinds[row["类型"]],
            "required": {YES: True, NO: False}[row["必填"]],
            "help_text": row["填写说明"],
            "options": json.loads(row["选项"]) if row["选项"] else [],
            "rules": json.loads(row["校验规则"]) if row["校验规则"] else {},
            "prefill": row["预填来源"] if row["预填来源"] in prefills else _bad_prefill(number, row["预填来源"]),
        }
    except (KeyError, ValueError):
        raise _RowError(
            "申请表字段", number, "顺序应为整数，类型和必填应为下拉选项，选项和校验规则应为 JSON。"
        ) from None


def _bad_prefill(number: int, value: str):
    raise _RowError("申请表字段", number, f"预填来源“{value}”不在可选范围内（如 person.name、legal.uscc）。")


def _procedure(number: int, row: dict[str, str]) -> dict:
    kinds = {label: value for value, label in VersionSpecialProcedure.KINDS}
    try:
        return {"kind": kinds[row["程序"]], "limit_days": int(row["时限（工作日）"]), "note": row["说明"]}
    except (KeyError, ValueError):
        raise _RowError(
            "特别程序", number, "程序应为现场勘查、专家评审、听证、公示、检验检测之一，时限应为整数。"
        ) from None


def _material(number: int, row: dict[str, str]) -> dict:
    standard = StandardMaterial.objects.filter(code=row["标准材料代码"]).first()
    if standard is None:
        raise _RowError("申请材料", number, f"标准材料代码“{row['标准材料代码']}”不在标准材料字典中。")
    sources = {label: value for value, label in VersionMaterial.SOURCES}
    try:
        return {
            "order": int(row["顺序"]),
            "standard": standard,
            "name": row["材料名称"],
            "required": {YES: True, NO: False}[row["必要"]],
            "condition": row["需要提交的情形"],
            "original_count": int(row["原件份数"]),
            "copy_count": int(row["复印件份数"]),
            "paper": {YES: True, NO: False}[row["纸质"]],
            "electronic": {YES: True, NO: False}[row["电子"]],
            "source": sources[row["来源"]],
            "source_ref": row["来源标识"],
        }
    except (KeyError, ValueError):
        raise _RowError(
            "申请材料", number, "顺序和份数应为整数，“必要/纸质/电子”应为是或否，来源应为下拉选项之一。"
        ) from None


def _step(number: int, row: dict[str, str]) -> dict:
    try:
        return {
            "order": int(row["顺序"]),
            "name": row["环节"],
            "post_code": row["岗位"],
            "budget_days": int(row["时限（工作日）"]),
        }
    except ValueError:
        raise _RowError("办理环节", number, "顺序和时限应为整数。") from None


def _fee(number: int, row: dict[str, str]) -> dict:
    try:
        amount = Decimal(row["收费标准（元）"])
    except InvalidOperation:
        raise _RowError("收费项目", number, f"收费标准应为金额（元），实为“{row['收费标准（元）']}”。") from None
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise _RowError("收费项目", number, "收费标准应为不小于0、最多两位小数的金额。")
    return {"name": row["收费项目"], "amount_fen": int(amount * 100), "legal_basis": row["收费依据"]}
