"""Item codes. An implementation code (实施编码) embeds who implements the item and where:

    <implementing body's USCC, 18><division code of its region, 12><basic code (基本编码)>

and a handling-item code (业务办理项编码) is the implementation code plus a two-digit situation
number. Both are strings; the embedded parts are checked with the national validators.
"""

from dataclasses import dataclass

from tongban.core.errors import ValidationFailed
from tongban.core.identifiers import parse_uscc, region_level


@dataclass(frozen=True)
class ImplementationCode:
    uscc: str
    region_code: str
    basic_code: str


def parse_implementation_code(code: str, *, field: str = "implementation_code") -> ImplementationCode:
    code = (code or "").strip().upper()
    if len(code) <= 30:
        raise ValidationFailed(
            "实施编码应由实施主体统一社会信用代码（18位）、行政区划代码（12位）和基本编码依次组成。",
            code="implementation_code_format",
            field=field,
        )
    uscc = parse_uscc(code[:18], field=field).value
    region_level(code[18:30], field=field)
    return ImplementationCode(uscc=uscc, region_code=code[18:30], basic_code=code[30:])


def make_implementation_code(*, uscc: str, region_code: str, basic_code: str) -> str:
    return f"{uscc}{region_code}{basic_code}"
