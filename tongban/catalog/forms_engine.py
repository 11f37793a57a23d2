"""The application-form engine: an item's form is data (VersionFormField rows); this one engine
prefills it from what the platform knows, validates answers with Chinese messages, and decides
which conditional materials apply. Case handling renders and submits through it."""

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from tongban.core.errors import TongbanError
from tongban.core.identifiers import parse_id_number, parse_uscc, region_level


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: str = "text"
    required: bool = True
    help_text: str = ""
    options: list = field(default_factory=list)
    rules: dict = field(default_factory=dict)
    prefill: str = ""


class Invalid(Exception):
    """One answer's problem, in words for the applicant."""


def form_spec(version) -> list[FieldSpec]:
    return [
        FieldSpec(
            key=f.key,
            label=f.label,
            kind=f.kind,
            required=f.required,
            help_text=f.help_text,
            options=f.options,
            rules=f.rules,
            prefill=f.prefill,
        )
        for f in version.form_fields.all()
    ]


def form_prefill(specs: list[FieldSpec], *, person=None, legal_person=None) -> dict[str, Any]:
    """Answers the platform already knows, so the applicant does not type them again."""
    known = {}
    if person is not None:
        known |= {"person.name": person.real_name, "person.id_number": person.id_number, "person.phone": person.phone}
    if legal_person is not None:
        known |= {
            "legal.name": legal_person.name,
            "legal.uscc": legal_person.uscc,
            "legal.representative": legal_person.legal_representative.real_name,
        }
    return {spec.key: known[spec.prefill] for spec in specs if spec.prefill in known}


def form_validate(specs: list[FieldSpec], data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """(clean answers, errors by field key). Empty optional answers are left out."""
    cleaned, errors = {}, {}
    for spec in specs:
        raw = data.get(spec.key)
        if _is_empty(raw):
            if spec.required:
                errors[spec.key] = f"请填写“{spec.label}”。"
            continue
        try:
            cleaned[spec.key] = CLEANERS[spec.kind](spec, raw)
        except Invalid as problem:
            errors[spec.key] = f"“{spec.label}”{problem}"
        except TongbanError as error:
            errors[spec.key] = error.message
    return cleaned, errors


def rule_applies(rule: Mapping[str, Any] | None, answers: Mapping[str, Any]) -> bool:
    """Whether a conditional material is needed: {} always; {"field", "equals"} / {"field", "in"} /
    {"field", "truthy": true}; {"all": [...]} and {"any": [...]} combine rules."""
    if not rule:
        return True
    if "all" in rule:
        return all(rule_applies(part, answers) for part in rule["all"])
    if "any" in rule:
        return any(rule_applies(part, answers) for part in rule["any"])
    value = answers.get(rule.get("field", ""))
    if "equals" in rule:
        return value == rule["equals"]
    if "in" in rule:
        return value in rule["in"]
    if "truthy" in rule:
        return bool(value) == bool(rule["truthy"])
    raise ValueError(f"unknown material rule {rule!r}")


def _is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], {})


def _text(spec: FieldSpec, raw) -> str:
    value = str(raw).strip()
    rules = spec.rules
    if "min_length" in rules and len(value) < rules["min_length"]:
        raise Invalid(f"至少应有{rules['min_length']}个字。")
    if "max_length" in rules and len(value) > rules["max_length"]:
        raise Invalid(f"最多{rules['max_length']}个字。")
    if "pattern" in rules and not re.fullmatch(rules["pattern"], value):
        raise Invalid(rules.get("pattern_message", "格式不正确。"))
    return value


def _number(spec: FieldSpec, raw) -> int | str:
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise Invalid("应为数字。") from None
    _bounds(spec, value)
    return int(value) if value == value.to_integral_value() else str(value)


def _bounds(spec: FieldSpec, value) -> None:
    if "min" in spec.rules and value < Decimal(str(spec.rules["min"])):
        raise Invalid(f"不能小于{spec.rules['min']}。")
    if "max" in spec.rules and value > Decimal(str(spec.rules["max"])):
        raise Invalid(f"不能大于{spec.rules['max']}。")


def _money(spec: FieldSpec, raw) -> int:
    """Yuan as typed ("1,234.5") → integer fen; never a float."""
    text = str(raw).strip().replace(",", "").replace("，", "")
    if not re.fullmatch(r"\d+(\.\d{1,2})?", text):
        raise Invalid("应为金额，单位元，最多两位小数。")
    fen = int(Decimal(text) * 100)
    _bounds(spec, Decimal(fen))
    return fen


def _date(spec: FieldSpec, raw) -> str:
    try:
        value = dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        raise Invalid("应为日期，格式如 2026-09-30。") from None
    return value.isoformat()


def _choice(spec: FieldSpec, raw) -> str:
    if raw not in spec.options:
        raise Invalid(f"只能从以下选项中选择：{'、'.join(map(str, spec.options))}。")
    return raw


def _multichoice(spec: FieldSpec, raw) -> list:
    values = raw if isinstance(raw, list) else [raw]
    wrong = [v for v in values if v not in spec.options]
    if wrong:
        raise Invalid(f"含有无效选项：{'、'.join(map(str, wrong))}。")
    return values


def _phone(spec: FieldSpec, raw) -> str:
    value = str(raw).strip()
    if not re.fullmatch(r"1\d{10}", value):
        raise Invalid("应为以1开头的11位手机号码。")
    return value


def _address(spec: FieldSpec, raw) -> dict:
    if not isinstance(raw, Mapping) or not str(raw.get("detail", "")).strip():
        raise Invalid("请选择所在区划并填写详细地址。")
    region = str(raw.get("region", ""))
    region_level(region)
    return {"region": region, "detail": str(raw["detail"]).strip()}


def _table(spec: FieldSpec, raw) -> list[dict]:
    if not isinstance(raw, list) or not all(isinstance(row, Mapping) for row in raw):
        raise Invalid("应为若干行数据。")
    columns = [str(column) for column in spec.options]
    rows = [{column: str(row.get(column, "")).strip() for column in columns} for row in raw]
    rows = [row for row in rows if any(row.values())]
    if spec.required and not rows:
        raise Invalid("至少应填写一行。")
    return rows


def _boolean(spec: FieldSpec, raw) -> bool:
    if isinstance(raw, bool):
        return raw
    if str(raw).lower() in {"true", "1", "on", "yes", "是"}:
        return True
    if str(raw).lower() in {"false", "0", "off", "no", "否"}:
        return False
    raise Invalid("应选择“是”或“否”。")


def _file(spec: FieldSpec, raw) -> str:
    return str(raw)  # a stored file's reference; uploads are checked where they are received


CLEANERS = {
    "text": _text,
    "textarea": _text,
    "number": _number,
    "money": _money,
    "date": _date,
    "choice": _choice,
    "multichoice": _multichoice,
    "id_number": lambda spec, raw: parse_id_number(str(raw), field=spec.key).value,
    "uscc": lambda spec, raw: parse_uscc(str(raw), field=spec.key).value,
    "phone": _phone,
    "address": _address,
    "table": _table,
    "boolean": _boolean,
    "file": _file,
}
