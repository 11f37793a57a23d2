"""E-licence identifiers (GB/T 36904-2018 电子证照标识):

    1.2.156.3005.2.<type code>.<issuer USCC>.<serial>.<version>.<check>

- type code (证照类型代码): the USCC (18) of the body that defines the licence type + 3 digits;
- issuer (颁发机构代码): the issuing department's USCC (18);
- serial (顺序号): 1–40 characters from 0-9 A-Z, assigned by the issuer per type;
- version (版本号): 3 digits, 001 for the first issue, +1 for each 变更 or 延续;
- check (校验位): ISO/IEC 7064 MOD 37,36 over type code + issuer code + serial + version
  (the concatenation, without dots), alphabet 0-9 A-Z with values 0–35.
"""

from dataclasses import dataclass

from tongban.core.errors import ValidationFailed
from tongban.core.identifiers import parse_uscc

PREFIX = "1.2.156.3005.2"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # ISO/IEC 7064 MOD 37,36: values 0–35
SERIAL_MAX = 40


@dataclass(frozen=True)
class LicenceId:
    value: str
    type_code: str
    issuer_uscc: str
    serial: str
    version: int
    check: str


def mod37_36_check_char(text: str) -> str:
    """The ISO/IEC 7064 MOD 37,36 (hybrid system, M = 36) check character of `text`."""
    product = 36
    for char in text:
        total = (product + ALPHABET.index(char)) % 36 or 36
        product = total * 2 % 37
    return ALPHABET[(37 - product) % 36]


def _bad(message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, field="identifier")


def licence_type_code_check(code: str, *, field: str = "code") -> str:
    """A licence type code: the defining body's USCC + 3 digits; returns it upper-cased."""
    value = (code or "").strip().upper()
    if len(value) != 21:
        raise ValidationFailed(
            f"证照类型代码应为21位（定义机构统一社会信用代码18位＋3位数字），当前为{len(value)}位。",
            code="licence_type_code_length",
            field=field,
        )
    if not value[18:].isdigit():
        raise ValidationFailed("证照类型代码最后3位应为数字。", code="licence_type_code_format", field=field)
    try:
        parse_uscc(value[:18], field=field)
    except ValidationFailed as error:
        raise ValidationFailed(
            f"证照类型代码前18位不是有效的统一社会信用代码：{error.message}", code="licence_type_code_uscc", field=field
        ) from None
    return value


def _serial_check(serial: str) -> str:
    if not 1 <= len(serial) <= SERIAL_MAX or any(char not in ALPHABET for char in serial):
        raise _bad(f"证照顺序号应为1至{SERIAL_MAX}位数字或大写字母，当前为“{serial}”。", "licence_id_serial")
    return serial


def licence_identifier(type_code: str, issuer_uscc: str, serial: str | int, version: int) -> str:
    """The identifier of a licence from its parts, each checked; raises ValidationFailed."""
    type_code = licence_type_code_check(type_code, field="identifier")
    issuer = parse_uscc(issuer_uscc, field="identifier").value
    serial = _serial_check(str(serial).strip().upper())
    if not 1 <= int(version) <= 999:
        raise _bad(f"证照版本号应在001至999之间，当前为{version}。", "licence_id_version")
    body = f"{type_code}{issuer}{serial}{int(version):03d}"
    return f"{PREFIX}.{type_code}.{issuer}.{serial}.{int(version):03d}.{mod37_36_check_char(body)}"


def licence_identifier_parse(raw: str) -> LicenceId:
    """Parse and check an identifier; raises ValidationFailed naming the wrong part."""
    value = (raw or "").strip().upper()
    if not value.startswith(PREFIX + "."):
        raise _bad(f"电子证照标识应以“{PREFIX}.”开头（GB/T 36904）。", "licence_id_prefix")
    parts = value[len(PREFIX) + 1 :].split(".")
    if len(parts) != 5:
        raise _bad(
            "电子证照标识在前缀之后应有5段，以“.”分隔：证照类型代码、颁发机构代码、顺序号、版本号、校验位。",
            "licence_id_parts",
        )
    type_code, issuer, serial, version, check = parts
    type_code = licence_type_code_check(type_code, field="identifier")
    try:
        issuer = parse_uscc(issuer, field="identifier").value
    except ValidationFailed as error:
        raise _bad(f"颁发机构代码不是有效的统一社会信用代码：{error.message}", "licence_id_issuer") from None
    _serial_check(serial)
    if len(version) != 3 or not version.isdigit() or version == "000":
        raise _bad(f"证照版本号应为3位数字（001至999），当前为“{version}”。", "licence_id_version")
    if len(check) != 1 or check not in ALPHABET:
        raise _bad("校验位应为1位数字或大写字母。", "licence_id_check_format")
    expected = mod37_36_check_char(f"{type_code}{issuer}{serial}{version}")
    if check != expected:
        raise _bad(
            f"电子证照标识校验位错误：按证照类型代码、颁发机构代码、顺序号和版本号计算，校验位应为“{expected}”，"
            "请核对后重新输入。",
            "licence_id_checksum",
        )
    return LicenceId(
        value=value, type_code=type_code, issuer_uscc=issuer, serial=serial, version=int(version), check=check
    )
