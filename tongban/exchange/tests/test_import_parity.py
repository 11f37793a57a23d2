"""The two checkers of a registry import reach the same verdicts. Rows are checked in Python
(Schema and _Checks: every xlsx file, and every file on SQLite) or, for a CSV file on PostgreSQL,
in SQL (SqlCheck: what makes a million rows in about forty seconds possible). Both are fed the
same good and bad rows, covering every rule either has: trimming, blank rows, required cells,
ignored columns, each type, ID-number and credit-code rules, and duplicate keys, however written.
They must reject the same rows for the same reasons.

On SQLite the Python side runs alone, against what each case expects; .ci/run's PostgreSQL pass
compares the two. Not covered, on purpose: a row with more or fewer cells than the header, which
COPY refuses as a file and the Python reader rejects as a row (test_imports covers both)."""

import csv
import datetime as dt
import io
import sys

import pytest
from django.core.files.base import ContentFile

from tongban.accounts.tests.factories import next_id_number
from tongban.core.identifiers import FULL_WIDTH, HALF_WIDTH, id_number_check_char, make_id_number, make_uscc
from tongban.core.tests.racing import postgres_only
from tongban.exchange import imports
from tongban.exchange.models import ImportBatch
from tongban.exchange.tests.factories import resource_with_fields

pytestmark = pytest.mark.django_db

POSTGRES_ONLY = postgres_only("the SQL checker loads the file with COPY, which only PostgreSQL has")

FIELDS = [
    ("id_number", "公民身份号码", "id_number", "sensitive"),
    ("name", "姓名", "string", "sensitive"),  # required
    ("note", "备注", "string", "internal"),
    ("children", "子女数", "integer", "internal"),
    ("subsidy", "补贴金额", "decimal", "internal"),
    ("registered_on", "登记日期", "date", "internal"),
    ("certified", "是否持证", "boolean", "internal"),
    ("employer", "工作单位代码", "uscc", "internal"),
]
# The third column has no title: both checkers ignore it.
HEADER = ["id_number", "name", "", "note", "children", "subsidy", "registered_on", "certified", "employer"]
OK, BAD, NOT_A_ROW = "ok", "bad", "not a row"
TO_FULL_WIDTH = str.maketrans(HALF_WIDTH[:-1], FULL_WIDTH[:-1])  # digits and letters, not the space
LONG = "备" * imports.STRING_MAX
USCC = make_uscc("9", "1", "341902", "MA1234567")


def cells(key: str, **values: str) -> list[str]:
    """A file row: the key, a name, and the given cells (by column; `ignored` for the untitled one)."""
    row = dict.fromkeys(HEADER, "")
    row.update(id_number=key, name=values.pop("name", "张三"), **{"": values.pop("ignored", "")})
    row.update(values)
    return [row[column] for column in HEADER]


def flipped(code: str) -> str:
    """The code with a wrong check character."""
    return code[:17] + ("1" if code[17] == "0" else "0")


def id_with_check_x() -> str:
    for sequence in range(500):
        value = make_id_number("341902", dt.date(1990, 1, 1), sequence, "M")
        if value.endswith("X"):
            return value.lower()
    raise AssertionError("no X check character in range")


def id_born(birth: str) -> str:
    """An ID number of a birth date that may not exist, with a right check character."""
    first17 = f"341902{birth}123"
    return first17 + id_number_check_char(first17)


def typed_cases() -> list[tuple[str, list[str] | None, str]]:
    """(what, the row or None for an empty line, the verdict) for every value rule but the key."""
    cases: list[tuple[str, list[str] | None, str]] = [
        ("all optional cells empty", cells(next_id_number()), OK),
        ("an empty line", None, NOT_A_ROW),
        ("a line of blank cells", [" ", "\u3000", "", "\t", " ", "", "\u00a0", "", " "], NOT_A_ROW),
        ("a line of other blanks", ["\u2003", "\u2028", "", "\x85", "\u205f", "", "", "\x1c", ""], NOT_A_ROW),
        ("trimmed of spaces and tabs", cells(next_id_number(), name=" \t李四 ", children=" 7 "), OK),
        ("trimmed of ideographic spaces", cells(next_id_number(), name="\u3000王五\u3000"), OK),
        ("trimmed of em spaces and line breaks", cells(next_id_number(), name="\u2003赵六\n", note="\u2028"), OK),
        ("a required cell of blanks", cells(next_id_number(), name="\u2003\u00a0"), BAD),
        ("a required cell empty", cells(next_id_number(), name=""), BAD),
        ("a long string at the limit", cells(next_id_number(), note=LONG), OK),
        ("a string over the limit", cells(next_id_number(), note=LONG + "注"), BAD),
        ("an ignored cell over the limit", cells(next_id_number(), ignored=LONG + "注"), OK),
        ("an ignored cell over the limit, bad else", cells(next_id_number(), ignored=LONG + "注", children="x"), BAD),
        ("every cell wrong at once", cells("12345", name="", children="两个", certified="也许", employer="1"), BAD),
    ]
    values = {
        "children": (
            ["+5", "-0", "007", "123456789012345678"],
            ["1.0", "1e3", "１２", "1234567890123456789", "+", "5-"],
        ),
        "subsidy": (
            ["1.", ".5", "1e3", "-1.5", "+0.10", "1E-2", "1.e1"],
            ["abc", "1_0", "NaN", "Infinity", "１２", "1e", ".", "1,5", "--1"],
        ),
        "registered_on": (
            ["2020-02-29", "9999-12-31", "0001-01-01", "2021-04-30"],
            [
                *("2019-02-29", "2020-13-01", "2020-00-10", "2020-04-31", "2020-1-01", "0000-01-01", "2020/01/01"),
                *("2020-1--01", "2-20-01-01", "2020-01-1-", "2-20-02-01", "20-0-01-01", "２０２０-01-01"),
            ],
        ),
        "certified": (["是", "否", "TRUE", "false", "1", "0", "否 "], ["y", "也许", "2", "真"]),
        "employer": (
            [
                USCC,
                make_uscc("9", "1", "341902", "MA7654321").lower(),
                make_uscc("9", "1", "341902", "MA1111111").translate(TO_FULL_WIDTH),
                make_uscc("1", "1", "100000", "MB0000001"),  # registered by a national authority
            ],
            [
                make_uscc("B", "1", "341902", "MA1234567"),  # no such authority
                make_uscc("9", "1", "34190A", "MA1234567"),  # a letter in the region
                make_uscc("9", "1", "119901", "MA1234567"),  # a region GB/T 2260 never listed
                flipped(make_uscc("9", "1", "341902", "MA2222222")),
                USCC[:17],
                USCC[:10] + "I" + USCC[11:],  # a letter the code never uses
            ],
        ),
    }
    for column, (good, bad) in values.items():
        cases += [(f"{column} {value!r}", cells(next_id_number(), **{column: value}), OK) for value in good]
        cases += [(f"{column} {value!r}", cells(next_id_number(), **{column: value}), BAD) for value in bad]
    return cases


def key_cases() -> list[tuple[str, list[str] | None, str]]:
    """The key's own rules, and duplicates however the key is written."""
    good, other, invalid_first = next_id_number(), next_id_number(), next_id_number()
    grouped = next_id_number()
    return [
        ("a lower-case x check character", cells(id_with_check_x()), OK),
        ("full-width digits", cells(next_id_number().translate(TO_FULL_WIDTH)), OK),
        ("typed in groups", cells(" ".join(grouped[i : i + 6] for i in (0, 6, 12))), OK),
        ("grouped by ideographic spaces", cells("\u3000".join(next_id_number()[i : i + 9] for i in (0, 9))), OK),
        ("padded", cells(f"  {next_id_number()}\u3000"), OK),
        ("born in the future", cells(next_id_number(birth=dt.date(2099, 1, 1))), BAD),
        ("born before 1890", cells(next_id_number(birth=dt.date(1880, 1, 1))), BAD),
        ("born on 30 February", cells(id_born("19900230")), BAD),
        ("a province's code", cells(make_id_number("340000", dt.date(1990, 1, 1), 1, "M")), BAD),
        ("an unlisted region", cells("119901" + next_id_number()[6:]), BAD),
        ("a region of zeros", cells("00" + next_id_number()[2:]), BAD),
        ("17 characters", cells(next_id_number()[:17]), BAD),
        ("19 characters", cells(next_id_number() + "1"), BAD),
        ("a superscript", cells(next_id_number()[:17] + "²"), BAD),
        ("a letter among the digits", cells(next_id_number()[:9] + "A" + next_id_number()[10:]), BAD),
        ("an X among the digits", cells(next_id_number()[:9] + "X" + next_id_number()[10:]), BAD),
        ("a wrong check character", cells(flipped(next_id_number())), BAD),
        ("the key empty", cells("", name="无主键"), BAD),
        ("a key first seen", cells(good), OK),
        ("the same key again", cells(good), BAD),
        ("the same key in groups", cells(" ".join(good[i : i + 6] for i in (0, 6, 12))), BAD),
        ("the same key in full width", cells(good.translate(TO_FULL_WIDTH)), BAD),
        ("the same key in a row bad else", cells(good, name=""), BAD),
        ("a key first seen in a bad row", cells(invalid_first, children="x"), BAD),
        ("that key again in a good row", cells(invalid_first), BAD),
        ("a wrong key", cells("12345"), BAD),
        ("the same wrong key", cells("12345"), BAD),
        ("a key seen once only", cells(other), OK),
        ("the grouped one written plainly", cells(grouped), BAD),
    ]


def csv_of(header: list[str], cases) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for _, row, _ in cases:
        if row is None:
            out.write("\n")
        else:
            writer.writerow(row)
    return out.getvalue().encode("utf-8")


def expected(cases) -> tuple[int, set[int]]:
    """(rows, the row numbers to reject): row 1 is the header."""
    rows = [number for number, (_, _, verdict) in enumerate(cases, start=2) if verdict != NOT_A_ROW]
    bad = {number for number, (_, _, verdict) in enumerate(cases, start=2) if verdict == BAD}
    return len(rows), bad


def checked(resource, content: bytes, *, sql: bool) -> ImportBatch:
    """A batch of `content` checked by one of the two paths, to its report (the rows are never
    merged: every case table here has rejected rows)."""
    batch = ImportBatch.objects.create(resource=resource, filename="parity.csv", status=ImportBatch.RUNNING)
    batch.file.save("parity.csv", ContentFile(content), save=True)
    schema, stagings = imports.Schema.of(resource), list[imports.Staging]()
    try:
        if sql:
            with batch.file.open("rb") as handle:
                imports._run_sql(batch, schema, handle, stagings)
        else:
            imports._run(batch, schema, stagings)
    finally:
        for staging in stagings:
            staging.close()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.FAILED and batch.error.startswith("有"), batch.error
    return batch


def verdicts(batch: ImportBatch) -> tuple[int, int, list[dict]]:
    return batch.total_rows, batch.rejected, batch.rejections


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def resource():
    made = resource_with_fields(fields=FIELDS, code="parity")
    made.fields.filter(name="name").update(required=True)
    return made


@pytest.fixture
def addresses():
    """A resource keyed by free text: trimmed, never folded."""
    return resource_with_fields(
        fields=[("address", "地址", "string", "public"), ("owner", "户主", "string", "internal")],
        code="addresses",
        key_kind="address",
    )


ADDRESS_CASES = [
    ("an address", ["幸福路1号", "张三"], OK),
    ("the address padded", ["  幸福路1号\u3000", "李四"], BAD),
    ("full-width letters", ["ａ栋", "王五"], OK),
    ("the same in ASCII: another address", ["a栋", "王五"], OK),
    ("upper case: another address", ["A栋", "王五"], OK),
    ("no address", ["", "赵六"], BAD),
    ("an address of blanks", ["\u2003", "赵六"], BAD),
    ("a first one in a bad row", ["幸福路2号", LONG + "长"], BAD),
    ("then in a good row", ["幸福路2号", "孙七"], BAD),
]


@pytest.mark.parametrize("cases", [typed_cases, key_cases], ids=["values", "keys"])
def test_the_python_checker_rejects_exactly_the_bad_rows(resource, cases):
    cases = cases()
    rows, bad = expected(cases)
    batch = checked(resource, csv_of(HEADER, cases), sql=False)
    rejected = {entry["row"] for entry in batch.rejections}
    wrong = sorted((number, cases[number - 2][0]) for number in rejected ^ bad)
    assert not wrong, f"verdicts not as expected: {wrong}"
    assert (batch.total_rows, batch.rejected) == (rows, len(bad))
    assert all(entry["reasons"] for entry in batch.rejections)


def test_free_text_keys_are_trimmed_but_not_folded(addresses):
    rows, bad = expected(ADDRESS_CASES)
    batch = checked(addresses, csv_of(["address", "owner"], ADDRESS_CASES), sql=False)
    assert {entry["row"] for entry in batch.rejections} == bad and batch.total_rows == rows


def test_a_key_met_in_a_bad_row_makes_a_later_row_a_duplicate_as_in_sql(resource):
    key = next_id_number()
    cases = [("bad", cells(key, children="两个"), BAD), ("good", cells(key), BAD), ("again", cells(key, name=""), BAD)]
    batch = checked(resource, csv_of(HEADER, cases), sql=False)
    assert batch.rejections == [
        {"row": 2, "reasons": ["“子女数”应为整数，实为“两个”"]},
        {"row": 3, "reasons": ["“公民身份号码”与第2行重复：同一主键在一个文件中只能出现一次"]},
        {"row": 4, "reasons": ["“姓名”必填", "“公民身份号码”与第2行重复：同一主键在一个文件中只能出现一次"]},
    ]


@POSTGRES_ONLY
@pytest.mark.parametrize("cases", [typed_cases, key_cases], ids=["values", "keys"])
def test_the_sql_checker_reaches_the_python_checkers_verdicts(resource, cases):
    content = csv_of(HEADER, cases())
    python, sql = checked(resource, content, sql=False), checked(resource, content, sql=True)
    assert verdicts(sql) == verdicts(python)


@POSTGRES_ONLY
def test_the_sql_checker_reads_free_text_keys_as_python_does(addresses):
    content = csv_of(["address", "owner"], ADDRESS_CASES)
    python, sql = checked(addresses, content, sql=False), checked(addresses, content, sql=True)
    assert verdicts(sql) == verdicts(python)


def test_the_copy_checker_words_each_row_as_the_row_checker():
    """The Python path on PostgreSQL checks rows as COPY text (Schema.row_texts); in the embedded
    mode as values (Schema.row_check). Same rows, same reasons."""
    resource = resource_with_fields(fields=FIELDS, code="texts")
    resource.fields.filter(name="name").update(required=True)
    schema = imports.Schema.of(resource)
    columns = schema.columns_for(HEADER)
    plan = schema.text_plan(columns)
    for what, row, _ in typed_cases() + key_cases():
        if row is None:
            continue
        by_value, by_text = schema.row_check(columns, row), schema.row_texts(plan, row)
        if isinstance(by_value, list):
            assert by_text == by_value, what
        else:
            assert isinstance(by_text, tuple) and by_text[0][0] == by_value[0], what


def test_the_sql_trims_what_python_strips():
    every = {c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()}
    assert set(imports.WHITESPACE) == every
    assert all((c + "值" + c).strip() == "值" for c in every)
