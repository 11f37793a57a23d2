"""Imports of historical licences (存量证照入库) as background batches: checks at upload, row-by-row
issuance with the rejected rows reported, progress, the pages and the API."""

import datetime as dt
import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from tongban.accounts.models import Staff
from tongban.accounts.tests.factories import LegalPersonFactory, PersonFactory, StaffFactory
from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.core.models import AuditEntry
from tongban.licences import imports, seal, services, tasks
from tongban.licences.models import Licence, LicenceImport, LicenceType
from tongban.licences.tests.factories import issuer_officer, licence_type
from tongban.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

HEADER = "type_code,holder_id,issued_on,valid_until,spouse_name,registered_on"
LEGAL_LABELS = ("经营范围", "注册资本（万元）", "成立日期", "连锁经营")
NONE4 = (None, None, None, None)


@pytest.fixture(autouse=True)
def _inline_and_private_media(settings, tmp_path):
    settings.TONGBAN_LICENCE_IMPORT_BACKGROUND = False  # run the batch inline, as exchange tests do
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def kind():
    return licence_type(name="结婚证", validity_years=5)


@pytest.fixture
def department(kind):
    return kind.defining_department


@pytest.fixture
def officer(department):
    return issuer_officer(department)


def csv_upload(lines: list[str], *, name: str = "存量.csv", bom: bool = True) -> SimpleUploadedFile:
    text = ("\ufeff" if bom else "") + "\n".join(lines) + "\n"
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def xlsx_upload(rows: list[list], *, name: str = "存量.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def run_import(actor, department, upload, django_capture_on_commit_callbacks) -> LicenceImport:
    """Start a batch and run it as the commit would (inline: TONGBAN_LICENCE_IMPORT_BACKGROUND off)."""
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.licence_import_start(actor=actor, department_id=department.pk, upload=upload)
    batch.refresh_from_db()
    return batch


def stored_files(tmp_path) -> list:
    return [path for path in tmp_path.rglob("*") if path.is_file()]


def test_good_rows_go_in_signed_and_each_bad_row_is_rejected_with_its_line_and_reason(
    kind, department, officer, tmp_path, django_capture_on_commit_callbacks
):
    alice, bob, carol = PersonFactory(), PersonFactory(), PersonFactory()
    elsewhere = licence_type()  # a type this department is not registered to issue
    past = (dt.date.today() - dt.timedelta(days=10)).isoformat()
    future = (dt.date.today() + dt.timedelta(days=3650)).isoformat()  # still valid on any date the suite runs
    upload = csv_upload(
        [
            HEADER,
            f"{kind.short_code},{alice.id_number},2020-01-01,{future},李四,2020-01-01",
            f"{kind.code},{bob.id_number},2015-01-01,{past},王五,2015-01-01",
            f"NOPE,{alice.id_number},2020-01-01,,李四,2020-01-01",
            f"{kind.short_code},110101199003070000,2020-01-01,,李四,2020-01-01",
            "",
            f"{kind.short_code},{carol.id_number},2020/01/01,,李四,2020-01-01",
            f"{kind.short_code},{carol.id_number},2020-01-01,,,2020-01-01",
            f"{elsewhere.short_code},{carol.id_number},2020-01-01,,李四,2020-01-01",
            f"{kind.short_code},{carol.id_number},2020-01-01,2019-01-01,李四,2020-01-01",
        ]
    )
    batch = run_import(officer, department, upload, django_capture_on_commit_callbacks)

    assert batch.status == LicenceImport.DONE and batch.error == ""
    assert (batch.total_rows, batch.processed_rows, batch.imported, batch.rejected) == (8, 8, 2, 6)
    reasons = {entry["row"]: entry["reasons"][0] for entry in batch.rejections}
    assert sorted(reasons) == [4, 5, 7, 8, 9, 10]  # line 6 is blank: not a row, but it keeps its number
    assert "证照类型“NOPE”不存在" in reasons[4]
    assert "人口库" in reasons[5]
    assert "有效日期" in reasons[7]
    assert "“配偶姓名”为必填项" in reasons[8]
    assert f"不是{elsewhere.name}的颁发机构" in reasons[9]
    assert "早于" in reasons[10]

    current, expired = Licence.objects.select_related("type", "issuer").order_by("id")
    assert (current.holder_person_id, current.status, current.issued_on) == (alice.pk, "01", dt.date(2020, 1, 1))
    assert (expired.holder_person_id, expired.status) == (bob.pk, "05")  # past its end: imported as 失效
    assert seal.seal_verify(current) and seal.seal_verify(expired)
    assert list(current.history.values_list("act", flat=True)) == ["import"]
    audit = AuditEntry.objects.get(action="licence.import_batch")
    assert (audit.detail["imported"], audit.detail["rejected"], audit.outcome) == (2, 6, "success")
    assert batch.file.name == "" and stored_files(tmp_path) == []  # the file (ID numbers) is not kept


def test_an_xlsx_file_with_chinese_headers_and_typed_cells_mixing_two_types(
    kind, department, officer, django_capture_on_commit_callbacks
):
    business = licence_type(department=department, holder_kind=LicenceType.LEGAL, name="食品经营许可证")
    shop, person = LegalPersonFactory(name="示范市早餐店"), PersonFactory()
    upload = xlsx_upload(
        [
            [*("证照类型代码", "持证主体证件号码", "颁发日期", "有效期至"), *LEGAL_LABELS, "配偶姓名", "registered_on"],
            [business.short_code, shop.uscc, dt.datetime(2021, 3, 1), None, "食品销售", 100, dt.date(2020, 1, 2), True],
            [
                kind.short_code,
                person.id_number,
                dt.date(2022, 6, 1),
                dt.date(2027, 5, 31),
                *NONE4,
                "李四",
                dt.date(2022, 6, 1),
            ],
            [business.short_code, shop.uscc, dt.date(2021, 3, 1), None, "食品销售", "一百", dt.date(2020, 1, 2)],
        ]
    )
    batch = run_import(officer, department, upload, django_capture_on_commit_callbacks)

    assert (batch.status, batch.imported, batch.rejected) == (LicenceImport.DONE, 2, 1)
    assert batch.rejections == [{"row": 4, "reasons": ["“注册资本（万元）”应为整数。"]}]
    permit = Licence.objects.get(holder_legal_person=shop)
    assert permit.data == {"scope": "食品销售", "capital": 100, "established_on": "2020-01-02", "chain": True}
    assert permit.issued_on == dt.date(2021, 3, 1) and seal.seal_verify(permit)
    marriage = Licence.objects.get(holder_person=person)
    assert marriage.data == {"spouse_name": "李四", "registered_on": "2022-06-01"}
    assert marriage.valid_until == dt.date(2027, 5, 31)


@pytest.mark.parametrize(
    ("lines", "words"),
    [
        (["type_code,issued_on,spouse_name", "T,2020-01-01,李四"], "缺少列：holder_id（持证主体证件号码）"),
        ([f"{HEADER},身高", "T,1,2020-01-01,,李四,2020-01-01,180"], "无法识别的列：身高"),
        (["type_code,holder_id,issued_on,颁发日期", "T,1,2020-01-01,2020-01-01"], "列重复：issued_on"),
        ([HEADER], "只有标题行"),
    ],
)
def test_a_wrong_header_is_refused_at_once_and_nothing_is_stored(department, officer, tmp_path, lines, words):
    with pytest.raises(ValidationFailed) as refused:
        services.licence_import_start(actor=officer, department_id=department.pk, upload=csv_upload(lines))
    assert words in refused.value.message and refused.value.field == "file"
    assert not LicenceImport.objects.exists() and stored_files(tmp_path) == []


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (SimpleUploadedFile("old.xls", b"\xd0\xcf\x11\xe0"), "请上传CSV"),
        (SimpleUploadedFile("renamed.csv", b"PK\x03\x04rest-of-a-zip"), "不是CSV文本"),
        (SimpleUploadedFile("renamed.xlsx", HEADER.encode()), "不是xlsx工作簿"),
        (SimpleUploadedFile("gbk.csv", f"{HEADER}\nT,1,2020-01-01,,李四,2020-01-01\n".encode("gbk")), "UTF-8"),
        (SimpleUploadedFile("empty.csv", b""), "是空的"),
    ],
)
def test_the_file_type_is_checked_by_its_content(department, officer, tmp_path, upload, words):
    with pytest.raises(ValidationFailed) as refused:
        services.licence_import_start(actor=officer, department_id=department.pk, upload=upload)
    assert words in refused.value.message
    assert not LicenceImport.objects.exists() and stored_files(tmp_path) == []


def test_a_file_over_the_size_limit_is_refused(department, officer, settings):
    settings.TONGBAN_LICENCE_IMPORT_MAX_BYTES = 10
    with pytest.raises(ValidationFailed, match="文件过大"):
        services.licence_import_start(actor=officer, department_id=department.pk, upload=csv_upload([HEADER, "x,y,z"]))


def test_only_issuing_staff_of_the_department_may_import(kind, department):
    upload = csv_upload([HEADER, f"{kind.short_code},1,2020-01-01,,李四,2020-01-01"])
    clerk = StaffFactory(department=department, posts=["accept"]).user
    other = issuer_officer(DepartmentFactory(region=department.region), posts=("issue",))
    Staff.objects.filter(user=other).update(scope_all_departments=False)
    for actor in (clerk, other):
        with pytest.raises(PermissionDenied):
            services.licence_import_start(actor=actor, department_id=department.pk, upload=upload)
    assert not LicenceImport.objects.exists()


def test_progress_is_written_as_the_rows_go_and_the_run_is_idempotent(
    kind, department, officer, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(imports, "PROGRESS_ROWS", 2)
    seen = []
    progress = imports.batch_progress

    def watched(batch, **counts):
        progress(batch, **counts)
        row = LicenceImport.objects.get(pk=batch.pk)
        seen.append((row.status, row.total_rows, row.processed_rows, row.imported, row.rejected))

    monkeypatch.setattr(imports, "batch_progress", watched)
    people = [PersonFactory() for _ in range(4)]
    lines = [f"{kind.short_code},{p.id_number},2020-01-01,,李四,2020-01-01" for p in people]
    lines.insert(2, f"{kind.short_code},110101199003070000,2020-01-01,,李四,2020-01-01")
    batch = run_import(officer, department, csv_upload([HEADER, *lines]), django_capture_on_commit_callbacks)

    assert seen == [
        ("running", 5, 0, 0, 0),  # the estimate, before the first row
        ("running", 5, 2, 2, 0),
        ("running", 5, 4, 3, 1),
        ("done", 5, 5, 4, 1),  # the final counts
    ]
    assert batch.status == "done"
    assert tasks.import_run.run(batch.pk) == ""  # a batch that is not pending is left alone
    assert Licence.objects.count() == 4


def test_a_file_submitted_again_issues_nothing_twice(kind, department, officer, django_capture_on_commit_callbacks):
    person = PersonFactory()
    lines = [HEADER, f"{kind.short_code},{person.id_number},2020-01-01,,李四,2020-01-01"]
    first = run_import(officer, department, csv_upload(lines), django_capture_on_commit_callbacks)
    again = run_import(officer, department, csv_upload(lines), django_capture_on_commit_callbacks)
    assert (first.imported, again.imported, again.rejected) == (1, 0, 1)
    assert "已入库" in again.rejections[0]["reasons"][0]
    assert Licence.objects.count() == 1


def test_a_run_that_breaks_keeps_what_went_in_and_says_where_it_stopped(
    kind, department, officer, monkeypatch, django_capture_on_commit_callbacks
):
    people = [PersonFactory() for _ in range(3)]
    issue = services.licence_import_row

    def breaking(actor, dept, row):
        if row["holder_id"] == people[1].id_number:
            raise RuntimeError("disk full")
        return issue(actor, dept, row)

    monkeypatch.setattr(services, "licence_import_row", breaking)
    lines = [HEADER, *(f"{kind.short_code},{p.id_number},2020-01-01,,李四,2020-01-01" for p in people)]
    batch = run_import(officer, department, csv_upload(lines), django_capture_on_commit_callbacks)
    assert batch.status == LicenceImport.FAILED
    assert "系统错误" in batch.error and "已处理至第3行" in batch.error
    assert (batch.imported, Licence.objects.count()) == (1, 1)
    assert AuditEntry.objects.get(action="licence.import_batch").outcome == "failure"


def test_the_sweep_fails_batches_left_running_and_restarts_waiting_ones(department, officer):
    old = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    stuck = LicenceImport.objects.create(department=department, filename="a.csv", status="running", created_at=old)
    waiting = LicenceImport.objects.create(department=department, filename="b.csv", created_at=old)
    started = []
    assert imports.licence_imports_sweep(dispatch=started.append) == {"failed": 1, "restarted": 1}
    stuck.refresh_from_db()
    assert stuck.status == "failed" and "中断" in stuck.error
    assert started == [waiting.pk]


# ---------------------------------------------------------------- pages


def test_the_page_uploads_a_file_and_shows_the_batch_and_its_rejected_rows(
    client, kind, department, officer, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    page = client.get(reverse("licwork:imports"))
    assert page.status_code == 200
    body = page.content.decode()
    assert department.name in body and kind.short_code in body  # the department to choose, the template

    person = PersonFactory()
    upload = csv_upload(
        [
            HEADER,
            f"{kind.short_code},{person.id_number},2020-01-01,,李四,2020-01-01",
            f"{kind.short_code},{person.id_number},2020-13-01,,李四,2020-01-01",
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(reverse("licwork:imports"), {"department": department.pk, "file": upload})
    batch = LicenceImport.objects.get()
    assert posted.status_code == 302 and posted["Location"] == reverse("licwork:import_detail", args=[batch.pk])

    detail = client.get(posted["Location"]).content.decode()
    assert "已完成" in detail and "已入库 1 张，拒绝 1 行" in detail
    assert "<td>3</td>" in detail and "2020-13-01" in detail
    assert 'hx-trigger="every 1s"' not in detail  # finished: no more polling
    partial = client.get(posted["Location"], headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith("<section")

    report = client.get(reverse("licwork:import_rejections", args=[batch.pk]))
    assert report["Content-Type"].startswith("text/csv")
    (reason,) = batch.rejections[0]["reasons"]
    assert report.content.decode("utf-8-sig").splitlines()[:2] == ["行号,原因", f"3,{reason}"]

    listing = client.get(reverse("licwork:imports")).content.decode()
    assert "存量.csv" in listing and reverse("licwork:import_detail", args=[batch.pk]) in listing
    assert reverse("licwork:imports") in client.get(reverse("licwork:list")).content.decode()


def test_a_running_batch_polls_and_a_refused_upload_stays_on_the_page(client, kind, department, officer):
    client.force_login(officer)
    batch = LicenceImport.objects.create(
        department=department, filename="x.csv", status="running", total_rows=10, processed_rows=4, started_by=officer
    )
    body = client.get(reverse("licwork:import_detail", args=[batch.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in body and 'value="4"' in body

    refused = client.post(
        reverse("licwork:imports"), {"department": department.pk, "file": csv_upload(["type_code", "x"])}
    )
    assert refused.status_code == 422 and "缺少列" in refused.content.decode()
    assert LicenceImport.objects.count() == 1


def test_the_list_page_makes_a_fixed_number_of_queries(client, department, officer, django_assert_max_num_queries):
    client.force_login(officer)
    for n in range(5):
        LicenceImport.objects.create(department=department, filename=f"{n}.csv", started_by=officer)
    with django_assert_max_num_queries(20) as counted:
        client.get(reverse("licwork:imports"))
    few = len(counted)
    for n in range(10):
        LicenceImport.objects.create(
            department=DepartmentFactory(region=department.region), filename=f"more{n}.csv", started_by=officer
        )
    with django_assert_max_num_queries(few):
        assert client.get(reverse("licwork:imports")).status_code == 200


def test_batches_of_departments_out_of_scope_are_not_shown(client, department, officer):
    stranger = issuer_officer(DepartmentFactory())
    Staff.objects.filter(user=stranger).update(scope_all_departments=False)
    batch = LicenceImport.objects.create(department=department, filename="secret.csv", started_by=officer)
    client.force_login(stranger)
    assert "secret.csv" not in client.get(reverse("licwork:imports")).content.decode()
    assert client.get(reverse("licwork:import_detail", args=[batch.pk])).status_code == 404


def test_the_template_has_the_fixed_columns_and_the_types_fields(client, kind, officer):
    client.force_login(officer)
    response = client.get(reverse("licwork:import_template"), {"type": kind.short_code})
    assert response["Content-Type"].startswith("text/csv")
    assert (
        response.content.decode("utf-8-sig").strip()
        == "type_code,holder_id,issued_on,valid_until,spouse_name,registered_on,note"
    )
    unknown = client.get(reverse("licwork:import_template"), {"type": "NOPE"})
    assert unknown.status_code == 302


# ---------------------------------------------------------------- API


def test_the_api_answers_202_with_the_batch_and_then_its_status(
    client, kind, department, officer, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    person = PersonFactory()
    upload = csv_upload(
        [
            HEADER,
            f"{kind.short_code},{person.id_number},2020-01-01,,李四,2020-01-01",
            f"{kind.short_code},{person.id_number},2020-01-01,,,2020-01-01",
        ]
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        accepted = client.post("/api/v1/licences/imports", {"department_id": department.pk, "file": upload})
    assert accepted.status_code == 202, accepted.content
    body = accepted.json()
    assert (body["status"], body["department_id"], body["filename"]) == ("pending", department.pk, "存量.csv")
    for callback in callbacks:
        callback()
    status = client.get(f"/api/v1/licences/imports/{body['id']}").json()
    assert (status["status"], status["imported"], status["rejected"]) == ("done", 1, 1)
    assert status["rejections"][0]["line"] == 3 and "配偶姓名" in status["rejections"][0]["reason"]
    report = client.get(f"/api/v1/licences/imports/{body['id']}/rejections.csv")
    assert report.status_code == 200 and "配偶姓名" in report.content.decode("utf-8-sig")


def test_the_api_refuses_a_wrong_header_and_a_non_issuer_as_problems(client, department, officer):
    client.force_login(officer)
    wrong = client.post(
        "/api/v1/licences/imports", {"department_id": department.pk, "file": csv_upload(["type_code", "x"])}
    )
    assert wrong.status_code == 422 and wrong["Content-Type"] == "application/problem+json"
    assert wrong.json()["code"] == "licence_import_columns"
    client.force_login(StaffFactory(department=department, posts=["accept"]).user)
    refused = client.post(
        "/api/v1/licences/imports", {"department_id": department.pk, "file": csv_upload([HEADER, "a,b,c"])}
    )
    assert refused.status_code == 403
    assert client.get("/api/v1/licences/imports/999999").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_in_the_embedded_mode_the_batch_runs_on_a_thread_while_the_upload_returns(settings, kind, department, officer):
    settings.TONGBAN_LICENCE_IMPORT_BACKGROUND = True
    person = PersonFactory()
    upload = csv_upload([HEADER, f"{kind.short_code},{person.id_number},2020-01-01,,李四,2020-01-01"])
    batch = services.licence_import_start(actor=officer, department_id=department.pk, upload=upload)
    # Wait on the thread, not by polling the row: the test database is SQLite's shared in-memory
    # cache, where a read at the moment the thread writes fails the write ("table is locked").
    workers = [thread for thread in threading.enumerate() if thread.name.startswith("tongban-import_run-")]
    assert workers, "the batch did not run on a thread"
    for worker in workers:
        worker.join(timeout=30)
    batch.refresh_from_db()
    assert (batch.status, batch.imported) == ("done", 1)
    assert Licence.objects.filter(holder_person=person).exists()
