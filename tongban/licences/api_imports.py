"""/api/v1/licences/imports: the import of historical licences (存量证照入库) for issuing staff. An
upload is checked at once (file type by content, size, UTF-8, header) and answered 202 with the
pending batch; the rows are issued in the background, each on its own (a rejected row is reported
with its line and reason, the others go in), so the caller polls the batch for its progress."""

import datetime as dt
from typing import Literal

from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.security import django_auth

from tongban.core.import_batches import rejections_download
from tongban.licences import selectors, services
from tongban.licences.models import LicenceImport

router = Router(auth=django_auth)


class RejectionOut(Schema):
    line: int = Field(description="行号，与表格软件中的行号一致（标题为第1行）")
    reason: str


class LicenceImportOut(Schema):
    id: int
    department_id: int
    department_name: str
    filename: str
    status: Literal["pending", "running", "done", "failed"] = Field(
        description="pending 排队中 running 导入中 done 已完成（可能有拒绝行） failed 已失败（见 error）"
    )
    status_name: str
    total_rows: int = Field(description="数据行数（运行中为估计值）")
    processed_rows: int
    imported: int = Field(description="已入库的证照张数")
    rejected: int = Field(description="被拒绝的行数")
    rejections: list[RejectionOut] = Field(description="被拒绝的行及原因（完成后给出，最多保留前1000行）")
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


def _out(batch: LicenceImport) -> dict:
    return {
        "id": batch.pk,
        "department_id": batch.department_id,
        "department_name": batch.department.name,
        "filename": batch.filename,
        "status": batch.status,
        "status_name": batch.get_status_display(),
        "total_rows": batch.total_rows,
        "processed_rows": batch.processed_rows,
        "imported": batch.imported,
        "rejected": batch.rejected,
        # The API keeps its own shape for a rejected row: one reason text per row.
        "rejections": [{"line": row, "reason": reason} for row, reason in batch.rejection_lines()],
        "error": batch.error,
        "created_at": batch.created_at,
        "finished_at": batch.finished_at,
    }


@router.post(
    "",
    response={202: LicenceImportOut},
    summary="存量证照导入：上传CSV（UTF-8）或xlsx文件，立即校验文件和标题行，后台逐行签发入库",
)
def licence_import_start(request, department_id: Form[int], file: File[UploadedFile]):
    batch = services.licence_import_start(actor=request.user, department_id=department_id, upload=file)
    return Status(202, _out(selectors.licence_import_get(actor=request.user, batch_id=batch.pk)))


@router.get("/{int:batch_id}", response=LicenceImportOut, summary="一个导入批次的状态、进度和拒绝行")
def licence_import_detail(request, batch_id: int):
    return _out(selectors.licence_import_get(actor=request.user, batch_id=batch_id))


@router.get(
    "/{int:batch_id}/rejections.csv",
    summary="导入批次的拒绝行报告（CSV，UTF-8 带BOM）",
    openapi_extra={
        "responses": {
            200: {"description": "行号,原因", "content": {"text/csv": {"schema": {"type": "string"}}}},
        }
    },
)
def licence_import_rejections(request, batch_id: int):
    return rejections_download(selectors.licence_import_get(actor=request.user, batch_id=batch_id))
