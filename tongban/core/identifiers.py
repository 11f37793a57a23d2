"""National identifiers: ID numbers (GB 11643), unified social credit codes (GB 32100) and
statistical division codes. Each validator returns what the identifier tells, or raises
ValidationFailed naming the check that failed. The `make_*` helpers build valid identifiers for
the demo city and tests.

What a person may reasonably type is normalised first (full-width characters to ASCII, spaces
dropped, letters upper-cased); anything else outside ASCII is refused, so two spellings of one
number can never be two people. Region codes are checked against the shipped GB/T 2260 table.
"""

import datetime as dt
import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

from tongban.core.errors import ValidationFailed

# --- Normalisation -----------------------------------------------------------------------------

# What a person may reasonably type for an ASCII code: full-width digits and letters, ideographic space.
HALF_WIDTH = string.digits + string.ascii_uppercase + string.ascii_lowercase + " "
FULL_WIDTH = "".join(chr(ord(c) + 0xFEE0) for c in HALF_WIDTH[:-1]) + "\u3000"
FULL_WIDTH_TO_ASCII = str.maketrans(FULL_WIDTH, HALF_WIDTH)


def ascii_fold(text: str) -> str:
    """What a person typed, as the ASCII they meant: full-width digits and letters to half-width,
    spaces dropped, upper case. Anything else is kept as it is (a validator refuses it, a search
    finds nothing); the exchange's SQL check folds the same way (`imports.SqlCheck`)."""
    folded = (text or "").translate(FULL_WIDTH_TO_ASCII).strip().replace(" ", "")
    return folded.upper() if folded.isascii() else folded


def _ascii_code(raw: str, *, what: str, code: str, field: str) -> str:
    value = ascii_fold(raw)
    bad = sorted({c for c in value if not (c.isascii() and c.isalnum())})
    if bad:
        raise ValidationFailed(
            f"{what}含有不允许的字符“{''.join(bad)}”：只能填写数字和字母（全角会自动转换），"
            "请检查是否混入了上标、其他文字的数字或符号。",
            code=code,
            field=field,
        )
    return value


# --- GB/T 2260: administrative division codes --------------------------------------------------

DIVISION_TABLE = Path(__file__).parent / "data" / "gb2260.tsv"
NATIONAL_CODE = "100000"  # a credit code registered by a national authority


@cache
def _divisions() -> dict[str, str]:
    with DIVISION_TABLE.open(encoding="utf-8") as table:
        rows = (line.rstrip("\n").split("\t") for line in table if not line.startswith("#"))
        return {code: name for code, name in rows}


def division_codes() -> list[str]:
    return sorted(_divisions())


def division_known(code: str) -> bool:
    """A six-digit division code GB/T 2260 has listed since 1980, or one of the platform's local
    codes (TONGBAN_LOCAL_DIVISIONS: prefixes of divisions the national table does not list)."""
    return code in _divisions() or code.startswith(tuple(settings.TONGBAN_LOCAL_DIVISIONS))


# --- GB 11643: citizen identity number ---------------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


@dataclass(frozen=True)
class IdNumber:
    value: str
    region_code: str  # six-digit address code
    birth_date: dt.date
    sex: str  # "M" or "F"


def id_number_check_char(first17: str) -> str:
    return ID_CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def parse_id_number(raw: str, *, field: str = "id_number") -> IdNumber:
    value = _ascii_code(raw, what="身份证号码", code="id_number_format", field=field)
    if len(value) != 18:
        raise ValidationFailed(f"身份证号码应为18位，当前为{len(value)}位。", code="id_number_length", field=field)
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationFailed("身份证号码前17位应为数字，最后一位为数字或X。", code="id_number_format", field=field)
    if value[:6].endswith("0000") or not division_known(value[:6]):
        raise ValidationFailed(
            f"身份证号码的前6位“{value[:6]}”不是有效的行政区划代码，请核对。", code="id_number_region", field=field
        )
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationFailed(
            f"身份证号码第7至14位的出生日期“{value[6:14]}”不是有效日期。", code="id_number_birth_date", field=field
        ) from None
    if birth.year < 1890 or birth > dt.date.today():
        raise ValidationFailed("身份证号码中的出生日期不在合理范围内。", code="id_number_birth_date", field=field)
    expected = id_number_check_char(value[:17])
    if value[17] != expected:
        raise ValidationFailed(
            f"身份证号码校验位错误：按前17位计算，第18位应为“{expected}”，请核对后重新输入。",
            code="id_number_checksum",
            field=field,
        )
    return IdNumber(value=value, region_code=value[:6], birth_date=birth, sex="M" if int(value[16]) % 2 else "F")


def make_id_number(region_code: str, birth_date: dt.date, sequence: int, sex: str) -> str:
    """A valid ID number; `sequence` 0–499 picks the 3-digit order code, parity follows `sex`."""
    order = sequence % 500 * 2 + (1 if sex == "M" else 0)
    first17 = f"{region_code[:6]}{birth_date:%Y%m%d}{order:03d}"
    return first17 + id_number_check_char(first17)


# --- GB 32100: unified social credit code ------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 symbols: no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_AUTHORITIES = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}


@dataclass(frozen=True)
class CreditCode:
    value: str
    authority: str  # registering authority code (1st character)
    kind: str  # organisation kind code (2nd character)
    region_code: str  # six-digit region code


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def parse_uscc(raw: str, *, field: str = "uscc") -> CreditCode:
    value = _ascii_code(raw, what="统一社会信用代码", code="uscc_format", field=field)
    if len(value) != 18:
        raise ValidationFailed(f"统一社会信用代码应为18位，当前为{len(value)}位。", code="uscc_length", field=field)
    bad = sorted({c for c in value if c not in USCC_ALPHABET})
    if bad:
        raise ValidationFailed(
            f"统一社会信用代码含有不允许的字符“{''.join(bad)}”（只能是数字和除I、O、S、V、Z以外的大写字母）。",
            code="uscc_format",
            field=field,
        )
    if value[0] not in USCC_AUTHORITIES:
        raise ValidationFailed(
            f"统一社会信用代码第1位“{value[0]}”不是有效的登记管理部门代码。", code="uscc_authority", field=field
        )
    if not value[2:8].isdigit() or not (value[2:8] == NATIONAL_CODE or division_known(value[2:8])):
        raise ValidationFailed(
            f"统一社会信用代码第3至8位“{value[2:8]}”不是有效的行政区划代码，请核对。", code="uscc_region", field=field
        )
    expected = uscc_check_char(value[:17])
    if value[17] != expected:
        raise ValidationFailed(
            f"统一社会信用代码校验位错误：按前17位计算，第18位应为“{expected}”，请核对后重新输入。",
            code="uscc_checksum",
            field=field,
        )
    return CreditCode(value=value, authority=value[0], kind=value[1], region_code=value[2:8])


def make_uscc(authority: str, kind: str, region_code: str, organisation_code: str) -> str:
    """A valid USCC from its parts; `organisation_code` is 9 characters of the USCC alphabet."""
    first17 = f"{authority}{kind}{region_code[:6]}{organisation_code}"
    if len(first17) != 17:
        raise ValueError("organisation_code must have 9 characters")
    return first17 + uscc_check_char(first17)


# --- Statistical division codes (统计用区划代码) --------------------------------------------------

REGION_LEVELS = ("province", "city", "county", "township", "village")
# significant digits of each level: 2 province, 4 city, 6 county, 9 township, 12 village
REGION_PREFIX_LENGTH = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}


def region_level(code: str, *, field: str = "code") -> str:
    """The level of a 12-digit division code, checking its structure; raises ValidationFailed."""
    if len(code) != 12 or not code.isdigit():
        raise ValidationFailed("行政区划代码应为12位数字。", code="region_format", field=field)
    if code[:2] in {"00", "10", "20", "30", "40", "80", "90"}:
        raise ValidationFailed(
            f"行政区划代码前2位“{code[:2]}”不是有效的省级代码。", code="region_province", field=field
        )
    level = "province"
    for candidate in REGION_LEVELS[1:]:
        start = REGION_PREFIX_LENGTH[REGION_LEVELS[REGION_LEVELS.index(candidate) - 1]]
        segment = code[start : REGION_PREFIX_LENGTH[candidate]]
        if int(segment) == 0:
            if candidate == "county" and int(code[6:9]):
                continue  # a city without counties (东莞 441900, 中山 442000): towns directly under it
            break
        level = candidate
    if set(code[REGION_PREFIX_LENGTH[level] :]) - {"0"}:
        raise ValidationFailed("行政区划代码中某一级为全零，但其后仍有非零数字。", code="region_structure", field=field)
    # GB/T 10114: 001–099 street, 100–199 town, 200–399 township, 400–599 government-enterprise units
    # (state farms, forestry bureaus, development zones), which the statistical codes list too.
    if level in {"township", "village"} and not 1 <= int(code[6:9]) <= 599:
        raise ValidationFailed(
            "乡级代码（第7至9位）应在001–599之间：001–099为街道，100–199为镇，200–399为乡，400–599为政企合一单位。",
            code="region_township",
            field=field,
        )
    if level == "village" and not 1 <= int(code[9:12]) <= 399:
        raise ValidationFailed(
            "村级代码（第10至12位）应在001–399之间：001–199为居委会（社区），200–399为村委会。",
            code="region_village",
            field=field,
        )
    return level


def region_prefix(code: str) -> str:
    """The significant digits of a division code: every code in its subtree starts with them."""
    return code[: REGION_PREFIX_LENGTH[region_level(code)]]


def region_parent_code(code: str) -> str | None:
    level = region_level(code)
    if level == "province":
        return None
    parent_len = REGION_PREFIX_LENGTH[REGION_LEVELS[REGION_LEVELS.index(level) - 1]]
    return code[:parent_len].ljust(12, "0")
