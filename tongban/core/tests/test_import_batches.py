"""The base every bulk import shares (core.import_batches): one format for rejected rows, the CSV
report, and the sweep that recovers batches a stopped worker left behind. Shown on the two batch
models that exist (exchange's registry imports, licences' historical licences)."""

import datetime as dt

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.utils import timezone

from tongban.core import import_batches
from tongban.core.import_batches import AbstractImportBatch, Rejections, import_batches_sweep, rejections_csv
from tongban.exchange.models import ImportBatch
from tongban.exchange.tests.factories import resource_with_fields
from tongban.licences.models import LicenceImport
from tongban.org.tests.factories import DepartmentFactory


def test_every_model_that_keeps_rejected_rows_is_an_import_batch():
    keeping = [model for model in apps.get_models() if "rejections" in {f.name for f in model._meta.fields}]
    assert set(keeping) >= {ImportBatch, LicenceImport}
    assert all(issubclass(model, AbstractImportBatch) for model in keeping)


def test_a_run_counts_every_rejected_row_and_keeps_the_first_ones_in_the_one_format(monkeypatch):
    monkeypatch.setattr(import_batches, "REJECTIONS_KEPT", 2)
    tally = Rejections()
    tally.reject(3, ["“姓名”必填", "“登记日期”应为YYYY-MM-DD格式的日期"])
    tally.reject(5, ["该证照已入库"])
    tally.reject(9, ["不会保留"])
    assert tally.rejected == 3
    assert tally.rejections == [
        {"row": 3, "reasons": ["“姓名”必填", "“登记日期”应为YYYY-MM-DD格式的日期"]},
        {"row": 5, "reasons": ["该证照已入库"]},
    ]


def test_the_report_is_csv_with_a_bom_a_chinese_header_and_one_line_per_row():
    batch = ImportBatch(
        pk=7,
        rejected=2,
        rejections=[
            {"row": 3, "reasons": ["“姓名”必填", "“子女数”应为整数，实为“两个”"]},
            {"row": 12, "reasons": ["“地址”过长，含逗号,和\n换行"]},
        ],
    )
    assert rejections_csv(batch) == (
        '\ufeff行号,原因\r\n3,“姓名”必填；“子女数”应为整数，实为“两个”\r\n12,"“地址”过长，含逗号,和\n换行"\r\n'
    )


def test_the_report_counts_the_rows_it_does_not_list_in_the_words_of_its_context():
    kept = [{"row": 2, "reasons": ["有误"]}]
    registry = rejections_csv(ImportBatch(rejected=5, rejections=kept))
    licences = rejections_csv(LicenceImport(rejected=5, rejections=kept))
    assert registry.splitlines()[-1] == ",另有4行未通过校验，未逐行列出；请修改以上各行后重新导入以查看。"
    assert licences.splitlines()[-1] == ",另有4行被拒绝，未逐行列出（报告只保留前1000行的原因）。"


def test_the_report_downloads_under_its_contexts_file_name():
    response = import_batches.rejections_download(LicenceImport(pk=42, rejected=1, rejections=[]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="licence-import-42-rejected.csv"'
    unlisted = ",另有1行被拒绝，未逐行列出（报告只保留前1000行的原因）。"
    assert response.content.decode("utf-8-sig").splitlines() == ["行号,原因", unlisted]


@pytest.mark.django_db
def test_the_sweep_fails_stuck_batches_deleting_their_files_and_restarts_queued_ones(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    resource = resource_with_fields(provider=DepartmentFactory())
    long_ago, now = timezone.now() - dt.timedelta(hours=3), timezone.now()

    def batch(status: str, created_at: dt.datetime) -> ImportBatch:
        made = ImportBatch(resource=resource, filename="a.csv", status=status, created_at=created_at)
        made.file.save("a.csv", ContentFile(b"id_number\n"), save=True)
        return made

    stuck, busy = batch(ImportBatch.RUNNING, long_ago), batch(ImportBatch.RUNNING, now)
    queued, fresh = batch(ImportBatch.PENDING, long_ago), batch(ImportBatch.PENDING, now)
    started: list[int] = []

    def sweep() -> dict:
        return import_batches_sweep(
            ImportBatch, dispatch=started.append, stale_after=dt.timedelta(hours=1), interrupted="导入中断"
        )

    assert sweep() == {"failed": 1, "restarted": 1}
    assert started == [queued.pk]
    stuck.refresh_from_db()
    assert (stuck.status, stuck.error, stuck.file.name) == (ImportBatch.FAILED, "导入中断", "")
    assert stuck.finished_at is not None
    left = {path.name for path in tmp_path.rglob("*.csv")}
    assert len(left) == 3  # the stuck batch's upload (personal data) is gone; the others keep theirs
    assert {ImportBatch.objects.get(pk=b.pk).status for b in (busy, fresh)} == {"running", "pending"}
    assert sweep()["failed"] == 0  # a batch is failed once
