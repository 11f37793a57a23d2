"""Bulk import of historical licences (存量证照入库): the checks made at upload, the background run
of a batch and its template; the batch, its sweep and its rejected-rows report are those of every
import (core.import_batches). `services.licence_import_start` queues a batch; `tasks.import_run`
runs it (on a Celery worker, or a thread in the embedded mode).

Dependencies run one way: services uses this module's checks at upload, so this module imports
nothing from services; the run is handed the service that issues a row by its task.

**Row by row, not all or nothing** — unlike the registries' imports (exchange.imports), on purpose:
every row is issued by `services.licence_import_row` in its own transaction (a fresh serial, signed by
the department's current seal, the history row, the audit entry and the holder's notice), so a
rejected row (unknown type, holder not in the population or legal-entity base, bad date, missing
required field, a department not registered as issuer of that type, …) is reported with its line
and reason while the others go in. A historical licence stands on its own: one holder missing from
the register must not hold back thousands of others, and a registry can be overwritten by the
next file where a signed licence cannot be un-issued. The department fixes the rejected rows and
submits them again; a row already imported (same type, issuer, holder, issue date and data) is
rejected as a duplicate, so submitting the whole file again issues nothing twice.

Checked at once, before anything is stored (services.licence_import_start): the file's type by
its content, its size, UTF-8 from end to end for CSV (no guessing at GBK: save as "CSV UTF-8" or
upload xlsx), and its header — the fixed columns by code or Chinese label, every other column a
data field (code or label) of a type the department issues. The uploaded file holds ID numbers:
it is deleted when the run ends; the batch keeps the counts and the first REJECTIONS_KEPT reasons.
"""

import csv
import datetime as dt
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from tongban.core import tabular
from tongban.core.audit import audit_record
from tongban.core.errors import TongbanError, ValidationFailed
from tongban.core.import_batches import Rejections, batch_file_delete, batch_progress, import_batches_sweep
from tongban.licences import selectors
from tongban.licences.models import Licence, LicenceImport, LicenceType

log = logging.getLogger(__name__)

FIXED_LABELS = {
    "type_code": "证照类型代码",
    "holder_id": "持证主体证件号码",
    "issued_on": "颁发日期",
    "valid_until": "有效期至",
}
IMPORT_FIXED_COLUMNS = tuple(FIXED_LABELS)  # every other column of a file is a data field
REQUIRED_COLUMNS = ("type_code", "holder_id", "issued_on")
IMPORT_MAX_ROWS = 50_000
UPLOAD_SUFFIXES = (".csv", ".xlsx")
PROGRESS_ROWS = 100  # rows between two progress writes the page polls
STALE_AFTER = dt.timedelta(minutes=120)  # a batch running longer than this was left by a stopped worker
SYSTEM_ERROR = (
    "导入时发生系统错误，处理中断。请稍后重新上传原文件（已入库的行会被识别为重复而跳过）；如仍失败，请联系系统管理员。"
)
INTERRUPTED = "导入中断（处理进程已停止）。此前已处理的行已入库，请重新上传原文件：已入库的行会被识别为重复而跳过。"


# ---------------------------------------------------------------- checks at upload


def upload_checked(upload) -> str:
    """The upload's file name, once its suffix, size and content are right."""
    filename = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1]
    if not filename.lower().endswith(UPLOAD_SUFFIXES):
        raise ValidationFailed("请上传CSV（UTF-8编码）或xlsx文件。", code="licence_import_bad_type", field="file")
    limit = settings.TONGBAN_LICENCE_IMPORT_MAX_BYTES
    if upload.size > limit:
        raise ValidationFailed(
            f"文件过大：最大{limit // (1024 * 1024)} MB，请拆分后分批导入。",
            code="licence_import_too_large",
            field="file",
        )
    if upload.size == 0:
        raise ValidationFailed("上传的文件是空的。", code="licence_import_empty", field="file")
    try:
        tabular.table_content_check(upload, filename)
    except tabular.FileUnreadable as error:
        raise ValidationFailed(error.message, code="licence_import_unreadable", field="file") from None
    return filename


def header_checked(upload, filename: str, *, department_id: int) -> list[str | None]:
    """The file's columns, once its header is right and a data row follows; refused at once
    otherwise, with every problem of the header named."""
    try:
        head = tabular.table_head(upload, filename)
        estimate = tabular.rows_estimate(upload, filename)
    except tabular.FileUnreadable as error:
        raise ValidationFailed(error.message, code="licence_import_unreadable", field="file") from None
    if not head:
        raise ValidationFailed("文件是空的：第1行应为标题行。", code="licence_import_empty", field="file")
    columns = import_columns(head[0], types=list(selectors.licence_types_issued_by(department_id)))
    if len(head) < 2:
        raise ValidationFailed("文件只有标题行，没有数据行。", code="licence_import_no_rows", field="file")
    if estimate > IMPORT_MAX_ROWS:
        raise ValidationFailed(
            f"一次最多导入{IMPORT_MAX_ROWS}行，该文件约有{estimate}行，请拆分文件。",
            code="licence_import_too_large",
            field="file",
        )
    return columns


def import_columns(header: list[str], *, types: list[LicenceType]) -> list[str | None]:
    """The column of each header cell: a fixed column's code (written as code or label), a data
    field as written (resolved per row against the row's type), None for a blank cell."""
    fixed = {label: code for code, label in FIXED_LABELS.items()}
    known = {key for kind in types for spec in kind.fields for key in (spec["name"], spec["label"])}
    columns: list[str | None] = []
    unknown, repeated = [], []
    for cell in header:
        name = fixed.get(cell.strip(), cell.strip())
        if not name:
            columns.append(None)
            continue
        if name in columns:
            repeated.append(name)
        elif name not in FIXED_LABELS and name not in known:
            unknown.append(name)
        columns.append(name)
    problems = []
    missing = [f"{code}（{FIXED_LABELS[code]}）" for code in REQUIRED_COLUMNS if code not in columns]
    if missing:
        problems.append(f"导入文件缺少列：{'、'.join(missing)}。")
    if unknown:
        problems.append(
            f"无法识别的列：{'、'.join(unknown)}。数据列应为本机构颁发的证照类型的照面信息项"
            "（代码或名称），请下载导入模板核对。"
        )
    if repeated:
        problems.append(f"列重复：{'、'.join(repeated)}。")
    if problems:
        raise ValidationFailed("".join(problems), code="licence_import_columns", field="file", problems=problems)
    return columns


# ---------------------------------------------------------------- the run


RowIssue = Callable[..., Licence]  # services.licence_import_row(actor, department, row)


@dataclass
class _Tally(Rejections):
    rows: int = 0
    imported: int = 0
    last_line: int = 0


def licence_import_run(batch_id: int, *, issue_row: RowIssue) -> str:
    """Run one pending batch to its end, each row issued by `issue_row`; returns its final status.
    Idempotent: a batch that is not pending (already run, or being run by another worker) is left
    alone."""
    claimed = LicenceImport.objects.filter(pk=batch_id, status=LicenceImport.PENDING).update(
        status=LicenceImport.RUNNING
    )
    if not claimed:
        return ""
    batch = LicenceImport.objects.select_related("department", "started_by").get(pk=batch_id)
    tally, error = _Tally(), ""
    try:
        _run(batch, tally, issue_row)
    except TongbanError as failure:
        error = failure.message
    except Exception:
        log.exception("licence import failed", extra={"batch": batch_id})
        error = SYSTEM_ERROR
    _finish(batch, tally, error=error)
    return batch.status


def _run(batch: LicenceImport, tally: _Tally, issue_row: RowIssue) -> None:
    department = batch.department
    with batch.file.open("rb") as handle:
        batch_progress(batch, total_rows=tabular.rows_estimate(handle, batch.filename))
        rows = enumerate(tabular.file_rows(handle, batch.filename), start=1)
        header = next(((line, row) for line, row in rows if any(cell.strip() for cell in row)), None)
        if header is None:
            raise ValidationFailed("文件是空的：第1行应为标题行。", code="licence_import_empty")
        columns = import_columns(header[1], types=list(selectors.licence_types_issued_by(department.pk)))
        width = len(columns)
        for line, values in rows:
            if not any(cell.strip() for cell in values):
                continue  # a blank line is not a row
            if tally.rows >= IMPORT_MAX_ROWS:
                raise ValidationFailed(
                    f"一次最多导入{IMPORT_MAX_ROWS}行，第{line}行起未处理，请拆分文件后导入其余的行。"
                )
            tally.rows, tally.last_line = tally.rows + 1, line
            reason = _row_import(batch, department, columns, values, width, issue_row)
            if reason:
                tally.reject(line, [reason])
            else:
                tally.imported += 1
            if tally.rows % PROGRESS_ROWS == 0:
                batch_progress(batch, processed_rows=tally.rows, imported=tally.imported, rejected=tally.rejected)


def _row_import(
    batch: LicenceImport, department, columns: list[str | None], values: list[str], width: int, issue_row: RowIssue
) -> str:
    """Issue one row; '' when it went in, else why it was rejected."""
    if len(values) > width and any(cell.strip() for cell in values[width:]):
        return f"该行有{len(values)}列，多于标题行的{width}列（可能有多余的逗号或未加引号的逗号）。"
    row = {column: value for column, value in zip(columns, values, strict=False) if column is not None}
    try:
        issue_row(batch.started_by, department, row)
    except TongbanError as error:
        return "".join(error.problems) or error.message
    except DatabaseError:  # the row's own transaction rolled back; the others are not affected
        log.exception("licence import row failed", extra={"batch": batch.pk})
        return "该行写入证照库时出错，未入库，请核对各项内容的长度和格式。"
    return ""


def _finish(batch: LicenceImport, tally: _Tally, *, error: str) -> None:
    """The batch's final state and its one audit entry, in one transaction; then the uploaded file
    (personal data) is deleted."""
    if error and tally.rows:
        error = f"{error}（已处理至第{tally.last_line}行：已入库{tally.imported}行，拒绝{tally.rejected}行。）"
    stored = batch.file.name
    final = {
        "status": LicenceImport.FAILED if error else LicenceImport.DONE,
        "error": error[:300],
        "finished_at": timezone.now(),
        "total_rows": tally.rows,
        "processed_rows": tally.rows,
        "imported": tally.imported,
        "rejected": tally.rejected,
        "rejections": tally.rejections,
        "file": "",
    }
    with transaction.atomic():
        batch_progress(batch, **final)
        audit_record(
            action="licence.import_batch",
            obj=batch,
            actor=batch.started_by,
            outcome="failure" if error else "success",
            region_code=batch.department.region_id,
            detail={
                "department": batch.department.name,
                "filename": batch.filename,
                "rows": tally.rows,
                "imported": tally.imported,
                "rejected": tally.rejected,
                "error": batch.error,
            },
        )
    batch_file_delete(batch, stored)


def licence_imports_sweep(*, dispatch: Callable[[int], None]) -> dict:
    """Fail batches left running by a worker that stopped (what they issued stays: each row was its
    own transaction), delete their files, and start again pending ones nobody picked up."""
    return import_batches_sweep(LicenceImport, dispatch=dispatch, stale_after=STALE_AFTER, interrupted=INTERRUPTED)


# ---------------------------------------------------------------- template


def import_template_csv(licence_type: LicenceType) -> str:
    """The header of an import file for one type (with a BOM so Excel opens it as UTF-8): the fixed
    columns, then the type's data fields, by code."""
    out = io.StringIO()
    out.write("\ufeff")
    csv.writer(out).writerow([*IMPORT_FIXED_COLUMNS, *(spec["name"] for spec in licence_type.fields)])
    return out.getvalue()
