"""Bulk import into hosted registries: validation, checksums, all-or-nothing, upsert, progress and
the rejected-rows report."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from tongban.accounts.tests.factories import next_id_number
from tongban.cases.tests.factories import officer
from tongban.core import import_batches
from tongban.core.audit import audit_seal
from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.core.identifiers import make_id_number, make_uscc
from tongban.core.models import AuditEntry
from tongban.exchange import imports, services, tasks
from tongban.exchange.models import DataResource, ImportBatch, RegistryRecord
from tongban.exchange.tests.factories import record, resource_with_fields
from tongban.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

FIELDS = [
    ("id_number", "公民身份号码", "id_number", "sensitive"),
    ("name", "姓名", "string", "sensitive"),
    ("status", "婚姻状况", "string", "internal"),
    ("registered_on", "登记日期", "date", "internal"),
    ("children", "子女数", "integer", "internal"),
    ("subsidy", "补贴金额", "decimal", "internal"),
    ("certified", "是否持证", "boolean", "internal"),
    ("employer", "工作单位代码", "uscc", "internal"),
]


@pytest.fixture(autouse=True)
def _inline_imports(settings):
    settings.TONGBAN_EXCHANGE_IMPORT_BACKGROUND = False


@pytest.fixture
def provider():
    return DepartmentFactory(name="示范市民政局")


@pytest.fixture
def resource(provider):
    resource = resource_with_fields(fields=FIELDS, provider=provider, code="civil")
    resource.fields.filter(name__in=["name", "status"]).update(required=True)
    return resource


@pytest.fixture
def data_officer(provider):
    return officer(provider, "data")


def csv_file(lines: list[str], *, bom: bool = False, name: str = "婚姻.csv") -> SimpleUploadedFile:
    text = "\n".join(lines) + "\n"
    return SimpleUploadedFile(name, (("\ufeff" if bom else "") + text).encode("utf-8"), content_type="text/csv")


def run_import(actor, resource, upload, django_capture_on_commit_callbacks) -> ImportBatch:
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.import_start(actor=actor, resource_code=resource.code, upload=upload)
    batch.refresh_from_db()
    return batch


def test_a_valid_file_is_imported_by_label_header_with_a_bom(
    data_officer, resource, django_capture_on_commit_callbacks
):
    a, b = next_id_number(), next_id_number(sex="F")
    upload = csv_file(
        [
            "公民身份号码,姓名,婚姻状况,登记日期,子女数,补贴金额,是否持证",
            f"{a},张三,已婚,2020-05-20,2,1200.50,是",
            f"{b.lower()},李四,未婚,,0,0,否",
        ],
        bom=True,
    )
    batch = run_import(data_officer, resource, upload, django_capture_on_commit_callbacks)
    assert (batch.status, batch.inserted, batch.updated, batch.rejected) == (ImportBatch.DONE, 2, 0, 0)
    assert (batch.total_rows, batch.processed_rows) == (2, 2)
    assert batch.file.name == ""  # the uploaded file (personal data) is not kept after the run
    first = RegistryRecord.objects.get(resource=resource, key=a)
    assert first.data == {
        "id_number": a,
        "name": "张三",
        "status": "已婚",
        "registered_on": "2020-05-20",
        "children": 2,
        "subsidy": "1200.50",
        "certified": True,
    }
    assert first.source == f"导入批次 {batch.pk}"
    # A lower-case x check character is stored in the canonical upper case.
    assert RegistryRecord.objects.filter(resource=resource, key=b.upper()).exists()


def test_every_bad_row_is_reported_and_nothing_is_imported(data_officer, resource, django_capture_on_commit_callbacks):
    good = next_id_number()
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    upload = csv_file(
        [
            "id_number,name,status,registered_on,children,subsidy,certified,employer",
            f"{good},张三,已婚,2020-05-20,2,10,是,",
            f"{bad_check},李四,已婚,2020-02-30,两个,abc,也许,91341902MA00000000",
            f"{next_id_number()},,,,,,,",
            f"{good},王五,未婚,,,,,",
        ]
    )
    batch = run_import(data_officer, resource, upload, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.FAILED
    assert batch.rejected == 3 and batch.inserted == 0
    assert "未导入任何数据" in batch.error
    assert not RegistryRecord.objects.filter(resource=resource).exists()
    by_row = {entry["row"]: entry["reasons"] for entry in batch.rejections}
    assert set(by_row) == {3, 4, 5}
    row3 = "；".join(by_row[3])
    assert "校验位错误" in row3
    assert "“登记日期”应为YYYY-MM-DD格式的日期" in row3
    assert "“子女数”应为整数" in row3
    assert "“补贴金额”应为数值" in row3
    assert "“是否持证”应为“是”或“否”" in row3
    assert "“工作单位代码”有误" in row3
    assert by_row[4] == ["“姓名”必填", "“婚姻状况”必填"]
    assert by_row[5] == ["“公民身份号码”与第2行重复：同一主键在一个文件中只能出现一次"]


def test_the_report_downloads_as_csv_and_is_capped_but_counts_every_row(
    data_officer, resource, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(import_batches, "REJECTIONS_KEPT", 2)
    lines = ["id_number,name,status"] + [f"12345,张{n},已婚" for n in range(5)]
    batch = run_import(data_officer, resource, csv_file(lines), django_capture_on_commit_callbacks)
    assert batch.rejected == 5 and len(batch.rejections) == 2
    report = import_batches.rejections_csv(batch)
    assert report.startswith("\ufeff行号,原因")
    assert "身份证号码应为18位，当前为5位" in report
    assert "另有3行未通过校验" in report


def test_a_second_import_updates_changed_rows_and_leaves_others(
    data_officer, resource, django_capture_on_commit_callbacks
):
    a, b, c = next_id_number(), next_id_number(), next_id_number()
    record(resource, a, id_number=a, name="张三", status="未婚", certified=False)
    record(resource, b, id_number=b, name="李四", status="已婚")
    upload = csv_file(["id_number,name,status", f"{a},张三,已婚", f"{b},李四,已婚", f"{c},王五,离婚"])
    batch = run_import(data_officer, resource, upload, django_capture_on_commit_callbacks)
    assert (batch.inserted, batch.updated) == (1, 1)
    changed = RegistryRecord.objects.get(resource=resource, key=a)
    # The columns of the file are merged in; the ones it does not carry are kept.
    assert changed.data == {"id_number": a, "name": "张三", "status": "已婚", "certified": False}
    assert changed.source == f"导入批次 {batch.pk}"
    assert RegistryRecord.objects.get(resource=resource, key=b).source == "测试数据"


def test_xlsx_files_import_with_dates_and_numbers_as_cells(data_officer, resource, django_capture_on_commit_callbacks):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["公民身份号码", "姓名", "婚姻状况", "登记日期", "子女数", "是否持证"])
    key = next_id_number()
    sheet.append([key, "张三", "已婚", dt.datetime(2021, 3, 4), 3, True])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("婚姻.xlsx", buffer.getvalue())
    batch = run_import(data_officer, resource, upload, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.DONE, batch.rejections
    data = RegistryRecord.objects.get(resource=resource, key=key).data
    assert (data["registered_on"], data["children"], data["certified"]) == ("2021-03-04", 3, True)


def test_a_wrong_header_fails_the_batch_with_the_reason(data_officer, resource, django_capture_on_commit_callbacks):
    upload = csv_file(["身份证,姓名", f"{next_id_number()},张三"])
    batch = run_import(data_officer, resource, upload, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.FAILED
    assert "第1列“身份证”不是该资源的字段" in batch.error
    assert "缺少必填列" in batch.error


def test_a_file_that_is_not_utf8_is_refused_with_advice(data_officer, resource, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("gbk.csv", "公民身份号码,姓名,婚姻状况\n".encode("gbk"))
    batch = run_import(data_officer, resource, upload, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.FAILED
    assert "UTF-8" in batch.error


def test_progress_is_written_while_the_rows_are_checked(
    data_officer, resource, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 3)
    monkeypatch.setattr(imports, "SQLITE_PROGRESS_ROWS", 3)
    monkeypatch.setattr(imports, "COPY_CHUNK_BYTES", 100)  # PostgreSQL: COPY pieces of about two rows
    seen = []
    original = imports.batch_progress

    def spy(batch, **counts):
        original(batch, **counts)
        seen.append(ImportBatch.objects.values_list("status", "total_rows", "processed_rows").get(pk=batch.pk))

    monkeypatch.setattr(imports, "batch_progress", spy)
    lines = ["id_number,name,status"] + [f"{next_id_number()},张{n},已婚" for n in range(7)]
    batch = run_import(data_officer, resource, csv_file(lines), django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.DONE and batch.inserted == 7
    assert seen[0] == (ImportBatch.RUNNING, 7, 0) and seen[-1] == (ImportBatch.RUNNING, 7, 7)
    processed = [row[2] for row in seen]
    assert processed == sorted(processed)
    assert any(0 < done < 7 for done in processed)  # it moved while the file was read


def test_a_batch_runs_once_even_if_the_task_is_delivered_twice(
    data_officer, resource, django_capture_on_commit_callbacks
):
    upload = csv_file(["id_number,name,status", f"{next_id_number()},张三,已婚"])
    batch = run_import(data_officer, resource, upload, django_capture_on_commit_callbacks)
    assert tasks.import_run.run(batch.pk) == ""
    assert ImportBatch.objects.get(pk=batch.pk).inserted == 1


def test_the_import_is_audited(data_officer, resource, django_capture_on_commit_callbacks):
    upload = csv_file(["id_number,name,status", f"{next_id_number()},张三,已婚"])
    batch = run_import(data_officer, resource, upload, django_capture_on_commit_callbacks)
    audit_seal()
    actions = set(AuditEntry.objects.filter(object_id=str(batch.pk)).values_list("action", flat=True))
    assert {"registry.import_start", "registry.import_done"} <= actions


def test_a_data_officer_of_another_department_cannot_import(resource):
    stranger = officer(DepartmentFactory(), "data")
    upload = csv_file(["id_number,name,status", f"{next_id_number()},张三,已婚"])
    with pytest.raises(PermissionDenied):
        services.import_start(actor=stranger, resource_code=resource.code, upload=upload)
    assert not ImportBatch.objects.exists()


def test_a_clerk_of_the_provider_without_the_data_post_cannot_import(provider, resource):
    clerk = officer(provider, "accept")
    with pytest.raises(PermissionDenied):
        services.import_start(actor=clerk, resource_code=resource.code, upload=csv_file(["id_number"]))


def test_only_csv_and_xlsx_are_accepted(data_officer, resource):
    with pytest.raises(ValidationFailed, match="CSV"):
        services.import_start(actor=data_officer, resource_code=resource.code, upload=SimpleUploadedFile("a.xls", b"x"))


def test_remote_resources_take_no_import(data_officer, provider):
    remote = resource_with_fields(
        provider=provider, served_by=DataResource.REMOTE, endpoint_url="http://127.0.0.1:9/lookup"
    )
    with pytest.raises(ValidationFailed, match="接口实时提供"):
        services.import_start(actor=data_officer, resource_code=remote.code, upload=csv_file(["id_number"]))


def test_population_extension_rows_hold_only_extension_columns(
    data_officer, provider, django_capture_on_commit_callbacks
):
    population = resource_with_fields(
        provider=provider,
        code="population",
        served_by=DataResource.POPULATION,
        fields=[
            ("id_number", "公民身份号码", "id_number", "sensitive"),
            ("name", "姓名", "string", "sensitive"),
            ("household", "户籍地址", "string", "sensitive"),
            ("household_number", "户号", "string", "internal"),
        ],
    )
    key = next_id_number()
    upload = csv_file(["公民身份号码,户籍地址,户号", f"{key},示范市城东区东华街道1号,340001"])
    batch = run_import(data_officer, population, upload, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.DONE
    assert RegistryRecord.objects.get(resource=population, key=key).data == {
        "household": "示范市城东区东华街道1号",
        "household_number": "340001",
    }
    # The base columns come from identity data: a file carrying them is refused.
    upload = csv_file(["公民身份号码,姓名", f"{key},张三"])
    batch = run_import(data_officer, population, upload, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.FAILED and "来自基础库" in batch.error


def test_legal_entity_keys_are_checked_as_credit_codes(data_officer, provider, django_capture_on_commit_callbacks):
    entities = resource_with_fields(
        provider=provider,
        key_kind="uscc",
        fields=[("uscc", "统一社会信用代码", "uscc", "public"), ("rating", "信用等级", "string", "internal")],
    )
    good = make_uscc("9", "1", "341902", "MA1234567")
    upload = csv_file(["uscc,rating", f"{good},A", f"{good[:17]}{'0' if good[17] != '0' else '1'},B"])
    batch = run_import(data_officer, entities, upload, django_capture_on_commit_callbacks)
    assert batch.rejected == 1 and batch.rejections[0]["row"] == 3
    assert "校验位错误" in batch.rejections[0]["reasons"][0]


def test_the_fast_checksum_paths_agree_with_the_reference_validators():
    from hypothesis import given, settings, strategies as st

    from tongban.core.identifiers import parse_id_number, parse_uscc

    checks = imports._Checks()

    def reference(parse, value) -> bool:
        try:
            parse(value)
        except ValidationFailed:
            return False
        return True

    @settings(max_examples=400, deadline=None)
    @given(
        st.text(alphabet="0123456789X", min_size=17, max_size=19),
        st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXYIO", min_size=17, max_size=19),
    )
    def agree(id_number, uscc):
        assert checks._id_number_ok(id_number) <= reference(parse_id_number, id_number)
        assert checks._uscc_ok(uscc) == reference(parse_uscc, uscc)

    agree()
    for _ in range(50):
        value = next_id_number(birth=dt.date(1985, 2, 28))
        assert checks._id_number_ok(value) and reference(parse_id_number, value)


def test_quoted_fields_with_commas_and_line_breaks_and_padding(
    data_officer, resource, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(imports, "COPY_CHUNK_BYTES", 40)  # PostgreSQL: pieces cut inside the quoted field
    a, b = next_id_number(), next_id_number()
    upload = csv_file(
        [
            "id_number,name,status,,registered_on",
            f' {a} ,"张三,李四","已\n婚",忽略,2020-01-02',
            f"{b},\u3000王五\u3000,未婚,,",
            "",
        ]
    )
    batch = run_import(data_officer, resource, upload, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.DONE, (batch.error, batch.rejections)
    assert RegistryRecord.objects.get(resource=resource, key=a).data == {
        "id_number": a,
        "name": "张三,李四",
        "status": "已\n婚",
        "registered_on": "2020-01-02",
    }
    assert RegistryRecord.objects.get(resource=resource, key=b).data["name"] == "王五"
    assert RegistryRecord.objects.get(resource=resource, key=b).data["registered_on"] is None


def test_a_ragged_row_fails_the_batch_naming_the_row(data_officer, resource, django_capture_on_commit_callbacks):
    upload = csv_file(["id_number,name,status", f"{next_id_number()},张三,已婚", f"{next_id_number()},李四,已婚,多余"])
    batch = run_import(data_officer, resource, upload, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.FAILED
    assert not RegistryRecord.objects.exists()
    # PostgreSQL's COPY refuses the file at that row; the row-by-row reader reports the row.
    assert "第3行" in batch.error or [entry["row"] for entry in batch.rejections] == [3]


def test_the_sweep_fails_abandoned_batches_and_restarts_waiting_ones(resource, data_officer):
    old = timezone.now() - dt.timedelta(hours=2)
    abandoned = ImportBatch.objects.create(
        resource=resource, filename="a.csv", status=ImportBatch.RUNNING, created_at=old, started_by=data_officer
    )
    waiting = ImportBatch.objects.create(resource=resource, filename="b.csv", created_at=old, started_by=data_officer)
    fresh = ImportBatch.objects.create(resource=resource, filename="c.csv", started_by=data_officer)
    started = []
    assert imports.batches_sweep(dispatch=started.append) == {"failed": 1, "restarted": 1}
    assert started == [waiting.pk]
    abandoned.refresh_from_db()
    assert abandoned.status == ImportBatch.FAILED and "导入中断" in abandoned.error
    assert ImportBatch.objects.get(pk=fresh.pk).status == ImportBatch.PENDING


def _x_check_id_number() -> str:
    """A valid ID number whose check character is X, written in lower case."""
    for sequence in range(500):
        value = make_id_number("341902", dt.date(1990, 1, 1), sequence, "M")
        if value.endswith("X"):
            return value.lower()
    raise AssertionError("no X check character in range")


FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")

TRICKY = [  # (column, value): every engine must judge each value as the Python checkers do
    *[
        ("registered_on", v)
        for v in ("2020-02-29", "2019-02-29", "2020-13-01", "2020-1-01", "0000-01-01", "9999-12-31")
    ],
    *[("children", v) for v in ("+5", "-0", "007", "1.0", "1e3", "１２", "1234567890123456789")],
    *[("subsidy", v) for v in ("1.", ".5", "1e3", "-1.5", "abc", "1_0", "NaN", "１２", "+0.10")],
    *[("certified", v) for v in ("是", "TRUE", "0", "y", "否 ")],
]


def test_the_engines_judge_tricky_values_as_the_python_checkers_do(
    data_officer, resource, django_capture_on_commit_callbacks
):
    checks = imports._Checks()
    kinds = {"registered_on": checks.date, "children": checks.integer, "subsidy": checks.decimal}
    kinds["certified"] = checks.boolean
    keys = [
        _x_check_id_number(),
        next_id_number(birth=dt.date(2099, 1, 1)),
        next_id_number(birth=dt.date(1880, 1, 1)),
        "00" + next_id_number()[2:],
        next_id_number()[:17],
        next_id_number().translate(FULL_WIDTH_DIGITS),  # folded to ASCII: valid
        next_id_number()[:17] + "²",
        "119901" + next_id_number()[6:],  # a region code GB/T 2260 never listed
        " ".join(next_id_number()[i : i + 6] for i in (0, 6, 12)),  # typed in groups: valid
    ]
    lines, expected = ["id_number,name,status,registered_on,children,subsidy,certified"], set()
    order = ["registered_on", "children", "subsidy", "certified"]
    for row, (column, value) in enumerate(TRICKY, start=2):
        cells = [next_id_number(), "张三", "已婚", "", "", "", ""]
        cells[3 + order.index(column)] = value
        lines.append(",".join(cells))
        try:
            kinds[column](value.strip(), column)
        except imports.RowRejected:
            expected.add(row)
    for row, key in enumerate(keys, start=len(TRICKY) + 2):
        lines.append(f"{key},张三,已婚,,,,")
        try:
            checks.id_number(key, "公民身份号码")
        except imports.RowRejected:
            expected.add(row)
    batch = run_import(data_officer, resource, csv_file(lines), django_capture_on_commit_callbacks)
    assert {entry["row"] for entry in batch.rejections} == expected
    assert len(TRICKY) + 2 not in expected  # the lower-case x check character is valid
    assert {len(TRICKY) + 7, len(TRICKY) + 10} & expected == set()  # full-width and grouped are valid
    assert all(entry["reasons"] for entry in batch.rejections)
