"""Workbench pages of the catalogue: list with search and export, resource detail, import page with
progress and the rejected-rows report."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from tongban.accounts.tests.factories import PASSWORD, UserFactory, next_id_number
from tongban.cases.tests.factories import officer
from tongban.exchange.models import DataResource, ImportBatch, RegistryRecord
from tongban.exchange.tests.factories import record, resource_with_fields
from tongban.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db
LIST = "/workbench/exchange/"


@pytest.fixture(autouse=True)
def _inline_imports(settings):
    settings.TONGBAN_EXCHANGE_IMPORT_BACKGROUND = False


@pytest.fixture
def provider():
    return DepartmentFactory(name="示范市民政局")


@pytest.fixture
def resource(provider):
    return resource_with_fields(code="marriage", name="婚姻登记信息", provider=provider, is_active=True)


def other_resource(code: str, name: str):
    return resource_with_fields(
        code=code,
        name=name,
        description="部门业务数据",
        fields=[("id_number", "公民身份号码", "id_number", "sensitive"), ("item", "业务项目", "string", "internal")],
        is_active=True,
    )


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return user


def test_the_catalogue_lists_searches_and_paginates_in_few_queries(client, resource, django_assert_max_num_queries):
    for n in range(25):
        other_resource(f"ds{n:02d}", f"部门数据{n}")
    login(client, officer(DepartmentFactory(), "accept"))
    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    page = response.content.decode()
    assert response.status_code == 200
    assert "共 26 项资源，第 1 / 2 页" in page
    assert "婚姻登记信息" not in page  # sorted by code: "marriage" is on page 2
    with django_assert_max_num_queries(12):
        page = client.get(LIST, {"page": 2}).content.decode()
    assert "婚姻登记信息" in page and "ds00" not in page
    rows = client.get(LIST, {"q": "配偶"}, headers={"HX-Request": "true"}).content.decode()
    assert "marriage" in rows and "ds01" not in rows and "<html" not in rows


def test_an_empty_search_says_so(client, resource):
    login(client, officer(DepartmentFactory(), "accept"))
    page = client.get(LIST, {"q": "没有这种资源"}).content.decode()
    assert "没有找到相符的数据资源" in page


def test_citizens_are_sent_to_the_staff_login(client, resource):
    login(client, UserFactory())
    response = client.get(LIST)
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_export_downloads_csv_and_xlsx_for_the_filters(client, resource):
    other_resource("other", "其他")
    login(client, officer(DepartmentFactory(), "accept"))
    response = client.get(f"{LIST}export/", {"q": "婚姻", "format": "csv"})
    assert response["Content-Disposition"].startswith('attachment; filename="catalogue-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row[0] for row in rows[1:]} == {"marriage"} and len(rows) == 6
    response = client.get(f"{LIST}export/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 1 + 5 + 2


def test_the_detail_shows_fields_sensitivity_and_counts(client, resource, django_assert_max_num_queries):
    record(resource, next_id_number(), status="已婚")
    login(client, officer(DepartmentFactory(), "accept"))
    with django_assert_max_num_queries(14):
        response = client.get(f"{LIST}resources/marriage/")
    page = response.content.decode()
    assert "配偶姓名" in page and "敏感个人信息" in page and "有条件共享" in page
    assert "1 条" in page
    assert "导入数据" not in page  # not the provider's data officer
    assert "暂无事项的申请材料以该资源为数据来源" in page


def test_a_data_officer_imports_and_watches_the_progress(
    client, resource, provider, django_capture_on_commit_callbacks
):
    login(client, officer(provider, "data"))
    page = client.get(f"{LIST}resources/marriage/").content.decode()
    assert "导入数据" in page and "撤下" in page
    assert "还没有导入过数据" in client.get(f"{LIST}resources/marriage/imports/").content.decode()
    key = next_id_number()
    upload = SimpleUploadedFile("婚姻.csv", f"公民身份号码,姓名,婚姻状况\n{key},张三,已婚\n".encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{LIST}resources/marriage/imports/", {"file": upload})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{LIST}imports/{batch.pk}/"
    progress = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "已完成" in progress and "every 1s" not in progress and "新增 1 条" in progress
    assert RegistryRecord.objects.filter(resource=resource, key=key).exists()
    listing = client.get(f"{LIST}resources/marriage/imports/").content.decode()
    assert "婚姻.csv" in listing


def test_a_running_batch_polls_every_second(client, resource, provider):
    user = login(client, officer(provider, "data"))
    batch = ImportBatch.objects.create(
        resource=resource,
        filename="a.csv",
        status=ImportBatch.RUNNING,
        total_rows=100,
        processed_rows=40,
        started_by=user,
    )
    fragment = client.get(f"{LIST}imports/{batch.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in fragment
    assert '<progress max="100" value="40">' in fragment


def test_the_rejected_report_downloads_for_the_provider_only(
    client, resource, provider, django_capture_on_commit_callbacks
):
    login(client, officer(provider, "data"))
    upload = SimpleUploadedFile("婚姻.csv", "公民身份号码,姓名,婚姻状况\n123,张三,已婚\n".encode())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{LIST}resources/marriage/imports/", {"file": upload})
    batch = ImportBatch.objects.get()
    page = client.get(f"{LIST}imports/{batch.pk}/").content.decode()
    assert "未导入任何数据" in page and "下载拒绝行报告" in page
    report = client.get(f"{LIST}imports/{batch.pk}/rejected.csv").content.decode("utf-8-sig")
    assert report.splitlines()[1].startswith("2,") and "身份证号码应为18位" in report
    client.logout()
    login(client, officer(DepartmentFactory(), "data"))
    assert client.get(f"{LIST}imports/{batch.pk}/rejected.csv").status_code == 404


def test_another_departments_data_officer_gets_no_import_page(client, resource):
    login(client, officer(DepartmentFactory(), "data"))
    response = client.get(f"{LIST}resources/marriage/imports/")
    assert response.status_code == 403
    upload = SimpleUploadedFile("a.csv", b"id_number\n")
    assert client.post(f"{LIST}resources/marriage/imports/", {"file": upload}).status_code == 403
    assert not ImportBatch.objects.exists()


def test_a_wrong_file_type_is_shown_next_to_the_form(client, resource, provider):
    login(client, officer(provider, "data"))
    response = client.post(f"{LIST}resources/marriage/imports/", {"file": SimpleUploadedFile("a.txt", b"x")})
    assert response.status_code == 422
    assert "请上传CSV" in response.content.decode()


def test_the_provider_withdraws_and_publishes(client, resource, provider):
    login(client, officer(provider, "data"))
    client.post(f"{LIST}resources/marriage/publication/", {"publish": "0"})
    assert not DataResource.objects.get(pk=resource.pk).is_active
    client.post(f"{LIST}resources/marriage/publication/", {"publish": "1"})
    assert DataResource.objects.get(pk=resource.pk).is_active
