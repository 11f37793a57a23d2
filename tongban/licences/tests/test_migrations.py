"""Data migrations of licences, run on rows written the way the code before them wrote."""

from importlib import import_module

import pytest
from django.apps import apps

from tongban.licences.models import LicenceImport
from tongban.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

unified = import_module("tongban.licences.migrations.0004_import_rejections_unified")


def test_rejected_rows_of_licence_imports_take_the_one_format_and_can_go_back():
    department = DepartmentFactory()
    former = [{"line": 3, "reason": "证件号码校验位错误"}, {"line": 7, "reason": "该证照已入库（X），未重复导入。"}]
    old = LicenceImport.objects.create(department=department, filename="a.csv", rejected=2, rejections=former)
    clean = LicenceImport.objects.create(department=department, filename="b.csv")

    unified.forwards(apps, None)
    old.refresh_from_db()
    assert old.rejections == [
        {"row": 3, "reasons": ["证件号码校验位错误"]},
        {"row": 7, "reasons": ["该证照已入库（X），未重复导入。"]},
    ]
    unified.forwards(apps, None)  # again: nothing changes
    old.refresh_from_db()
    assert old.rejections[0] == {"row": 3, "reasons": ["证件号码校验位错误"]}

    unified.backwards(apps, None)
    old.refresh_from_db()
    assert old.rejections == former
    assert LicenceImport.objects.get(pk=clean.pk).rejections == []
