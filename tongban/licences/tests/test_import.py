"""The row rule of the import of historical licences, through the one import path (a batch,
run inline here): each row issued on its own, the bad ones reported with line and reason."""

import datetime as dt

import pytest

from tongban.accounts.tests.factories import PersonFactory, StaffFactory
from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.core.models import AuditEntry
from tongban.licences import seal, services
from tongban.licences.models import Licence
from tongban.licences.tests.factories import issuer_officer, licence_type
from tongban.licences.tests.test_import_batches import csv_upload, run_import

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _inline_and_private_media(settings, tmp_path):
    settings.TONGBAN_LICENCE_IMPORT_BACKGROUND = False
    settings.MEDIA_ROOT = tmp_path


def test_import_issues_good_rows_and_reports_the_rejected_ones(django_capture_on_commit_callbacks):
    kind = licence_type(validity_years=5)
    department = kind.defining_department
    alice, bob = PersonFactory(), PersonFactory()
    past = (dt.date.today() - dt.timedelta(days=10)).isoformat()
    future = (dt.date.today() + dt.timedelta(days=3650)).isoformat()  # still valid on any date the suite runs
    upload = csv_upload(
        [
            "type_code,holder_id,issued_on,valid_until,spouse_name,registered_on",
            f"{kind.short_code},{alice.id_number},2020-01-01,{future},李四,2020-01-01",
            f"{kind.code},{bob.id_number},2015-01-01,{past},王五,2015-01-01",
            f"{kind.short_code},110101199003070000,2020-01-01,,李四,2020-01-01",
            f"{kind.short_code},{alice.id_number},2020-01-01,2019-01-01,李四,2020-01-01",
            f"{kind.short_code},{alice.id_number},2020/01/01,,李四,2020-01-01",
            f"NOPE,{alice.id_number},2020-01-01,,李四,2020-01-01",
            f"{kind.short_code},{alice.id_number},2020-01-01,,,2020-01-01",
        ]
    )
    batch = run_import(issuer_officer(department), department, upload, django_capture_on_commit_callbacks)
    assert batch.imported == 2
    assert [row["row"] for row in batch.rejections] == [4, 5, 6, 7, 8]
    reasons = " ".join(reason for row in batch.rejections for reason in row["reasons"])
    for words in ("人口库", "早于", "有效日期", "不存在", "配偶姓名"):
        assert words in reasons
    current, expired = Licence.objects.select_related("type", "previous").order_by("id")
    assert (current.status, expired.status) == ("01", "05")
    assert seal.seal_verify(current)
    assert AuditEntry.objects.filter(action="licence.import_batch", detail__imported=2).exists()


def test_import_needs_its_columns_and_an_issuing_officer():
    kind = licence_type()
    department = kind.defining_department
    with pytest.raises(ValidationFailed, match="holder_id"):
        services.licence_import_start(
            actor=issuer_officer(department),
            department_id=department.pk,
            upload=csv_upload(["type_code,issued_on", f"{kind.short_code},2020-01-01"]),
        )
    with pytest.raises(PermissionDenied):
        services.licence_import_start(
            actor=StaffFactory(department=department, posts=["accept"]).user,
            department_id=department.pk,
            upload=csv_upload(["type_code,holder_id,issued_on"]),
        )
