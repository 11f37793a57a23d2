"""What every bulk import of a context shares (批量导入批次): the batch row with its status, counts,
times and rejected rows, the sweep that recovers batches a stopped worker left behind, and the
rejected-rows report as a CSV download.

A context's batch model subclasses AbstractImportBatch and adds what it imports into (a resource,
a department), its own result counts (inserted and updated, imported), `file` with its own upload
folder, and its REJECTIONS_UNLISTED and REPORT_FILENAME. Its run counts rejected rows with
Rejections, so every batch stores them alike:

    rejections = [{"row": 12, "reasons": ["“姓名”必填", "…"]}, …]

`row` is the row number as a spreadsheet shows it (the header is row 1); the first REJECTIONS_KEPT
rows are kept with their reasons, every one is counted in `rejected`.
"""

import csv
import datetime as dt
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpResponse
from django.utils import timezone

log = logging.getLogger(__name__)

REJECTIONS_KEPT = 1000  # rejected rows a batch keeps with their reasons; all are counted
REASONS_SEPARATOR = "；"  # between the reasons of one row, where they are shown as one text
PENDING_GRACE = dt.timedelta(minutes=1)  # a pending batch younger than this may still be starting
RESTARTS_PER_SWEEP = 20


def rejection(row: int, reasons: list[str]) -> dict[str, object]:
    """One rejected row as every batch stores it."""
    return {"row": row, "reasons": list(reasons)}


@dataclass
class Rejections:
    """The rejected rows of a run: every one counted, the first REJECTIONS_KEPT kept with their
    reasons. A run's tally subclasses it with its own counts."""

    rejected: int = 0
    rejections: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, row: int, reasons: list[str]) -> None:
        self.rejected += 1
        if len(self.rejections) < REJECTIONS_KEPT:
            self.rejections.append(rejection(row, reasons))


class AbstractImportBatch(models.Model):
    PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
    STATUSES = [(PENDING, "排队中"), (RUNNING, "导入中"), (DONE, "已完成"), (FAILED, "已失败")]
    # The last line of the report when more rows were rejected than kept ({count}: those not listed).
    REJECTIONS_UNLISTED = "另有{count}行未通过校验，未逐行列出；请修改以上各行后重新导入以查看。"
    REPORT_FILENAME = "import-{pk}-rejected.csv"

    filename = models.CharField("文件名", max_length=200)
    # A subclass declares it again with its own folder; deleted when the run ends (personal data).
    file = models.FileField("文件", upload_to="imports/%Y/%m/", blank=True)
    status = models.CharField("状态", max_length=10, choices=STATUSES, default=PENDING)
    total_rows = models.PositiveIntegerField("总行数", default=0)
    processed_rows = models.PositiveIntegerField("已处理", default=0)
    rejected = models.PositiveIntegerField("拒绝", default=0)
    rejections = models.JSONField("拒绝行及原因", default=list)  # [{"row": 12, "reasons": ["…"]}], capped
    error = models.CharField("失败原因", max_length=300, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField("提交时间", default=timezone.now)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_status_display()}）"

    @property
    def live(self) -> bool:
        """Still queued or running: its page keeps polling."""
        return self.status in (self.PENDING, self.RUNNING)

    def rejection_lines(self) -> list[tuple[int, str]]:
        """The kept rejected rows as (row number, the reasons as one text), as pages and reports show them."""
        return [(entry["row"], REASONS_SEPARATOR.join(entry["reasons"])) for entry in self.rejections]


def batch_progress(batch: AbstractImportBatch, **counts: object) -> None:
    """Write counts (or any columns) of a running batch at once, for the page that polls it."""
    type(batch)._default_manager.filter(pk=batch.pk).update(**counts)
    for name, value in counts.items():
        setattr(batch, name, value)


def batch_file_delete(batch: AbstractImportBatch, name: str) -> None:
    """Delete an uploaded file from storage; a failure is logged, not raised (the run is over)."""
    if not name:
        return
    try:
        batch.file.storage.delete(name)
    except OSError:
        log.warning("could not delete an imported file", extra={"batch": batch.pk, "model": batch._meta.label})


def import_batches_sweep(
    batches: type[AbstractImportBatch], *, dispatch: Callable[[int], None], stale_after: dt.timedelta, interrupted: str
) -> dict[str, int]:
    """Fail the batches left running longer than `stale_after` by a worker that stopped (with the
    `interrupted` message; their files are deleted), and start again (`dispatch`) pending ones
    nobody picked up. What a failed batch already wrote is the context's business: its run is
    all or nothing, or row by row."""
    now = timezone.now()
    running = batches._default_manager.filter(status=AbstractImportBatch.RUNNING)
    failed = 0
    for batch in running.filter(created_at__lt=now - stale_after).only("pk", "file"):
        # Only the sweep that flips the status deletes the file: two sweeps at once do it once.
        flipped = running.filter(pk=batch.pk).update(
            status=AbstractImportBatch.FAILED, error=interrupted[:300], finished_at=now, file=""
        )
        if flipped:
            failed += 1
            batch_file_delete(batch, batch.file.name or "")
    waiting = batches._default_manager.filter(status=AbstractImportBatch.PENDING, created_at__lt=now - PENDING_GRACE)
    pending = list(waiting.values_list("pk", flat=True)[:RESTARTS_PER_SWEEP])
    for batch_id in pending:
        dispatch(batch_id)
    return {"failed": failed, "restarted": len(pending)}


def rejections_csv(batch: AbstractImportBatch) -> str:
    """The rejected-rows report as CSV text, with a BOM so Excel opens it as UTF-8: a header, each
    kept row with its reasons, and a last line counting the rows not listed when there are more."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["行号", "原因"])
    lines = batch.rejection_lines()
    writer.writerows(lines)
    if batch.rejected > len(lines):
        unlisted = batch.REJECTIONS_UNLISTED.format(count=batch.rejected - len(lines), kept=REJECTIONS_KEPT)
        writer.writerow(["", unlisted])
    return out.getvalue()


def rejections_download(batch: AbstractImportBatch) -> HttpResponse:
    response = HttpResponse(rejections_csv(batch), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{batch.REPORT_FILENAME.format(pk=batch.pk)}"'
    return response
