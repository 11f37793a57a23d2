"""Publishing a year's schedule from the admin and the API, and reading any year's schedule."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.accounts.tests.factories import UserFactory
from tongban.core.models import AuditEntry, CalendarDay, CalendarYear, OutboxEvent

pytestmark = pytest.mark.django_db

SCHEDULE = "# 2027 年节假日安排\n2027-01-01,holiday,元旦\n2027-01-09,workday,元旦调休\n"


def test_the_admin_imports_a_published_schedule(admin_client):
    listing = admin_client.get("/admin/core/calendaryear/").content.decode()
    assert "导入节假日安排" in listing
    assert admin_client.get("/admin/core/calendaryear/import/").status_code == 200
    upload = SimpleUploadedFile("2027.csv", SCHEDULE.encode(), content_type="text/csv")
    response = admin_client.post(
        "/admin/core/calendaryear/import/", {"file": upload, "source": "国办发明电〔2026〕1号"}, follow=True
    )
    assert "已导入2027年：法定节假日1天，调休上班1天" in response.content.decode()
    assert CalendarYear.objects.get(year=2027).source == "国办发明电〔2026〕1号"
    assert AuditEntry.objects.filter(action="calendar.import", object_id="2027").exists()
    assert OutboxEvent.objects.get(topic="calendar.changed").payload == {"years": [2027]}


def test_the_admin_refuses_a_bad_file_line_by_line_and_writes_nothing(admin_client):
    bad = SimpleUploadedFile("2027.csv", b"2027-01-01,holiday,\xe5\x85\x83\xe6\x97\xa6\n2027-02-30,holiday,x\n")
    page = admin_client.post("/admin/core/calendaryear/import/", {"file": bad, "source": "有误"}).content.decode()
    assert "导入被拒绝" in page and "第2行" in page
    gbk = SimpleUploadedFile("2027.csv", "2027-01-01,holiday,元旦\n".encode("gbk"))
    page = admin_client.post("/admin/core/calendaryear/import/", {"file": gbk, "source": "GBK"}).content.decode()
    assert "不是 UTF-8 编码" in page
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_provisional_and_an_official_year_over_the_api(client, admin_user):
    provisional = client.get("/api/v1/calendar/2027").json()
    assert provisional["official"] is False and len(provisional["days"]) == 13
    assert {"date": "2027-02-05", "kind": "holiday", "name": "农历除夕"} in provisional["days"]
    client.force_login(admin_user)
    imported = client.post(
        "/api/v1/calendar/import",
        {"source": "国办发明电〔2026〕1号", "text": SCHEDULE},
        content_type="application/json",
    )
    assert imported.status_code == 200 and imported.json()["years"] == [2027]
    official = client.get("/api/v1/calendar/2027").json()
    assert official["official"] is True
    assert [day["date"] for day in official["days"]] == ["2027-01-01", "2027-01-09"]
    assert client.get("/api/v1/calendar/2100").json()["code"] == "calendar_year_out_of_range"


def test_only_calendar_administrators_import_over_the_api(client):
    client.force_login(UserFactory())
    refused = client.post("/api/v1/calendar/import", {"source": "x", "text": SCHEDULE}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "calendar_forbidden"
    assert not CalendarDay.objects.filter(date=dt.date(2027, 1, 9)).exists()


@pytest.mark.parametrize("source", ["来源\x00", "\ud800"])
def test_control_characters_are_refused_with_a_clear_error(client, admin_user, source):
    client.force_login(admin_user)
    escaped = source.encode("unicode_escape").decode().replace("\\x00", "\\u0000")
    body = '{"source": "' + escaped + '", "text": "2027-01-01,holiday,元旦"}'
    refused = client.post("/api/v1/calendar/import", body, content_type="application/json")
    assert refused.status_code in (400, 422) and refused.json()["detail"]
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_rejected_file_over_the_api_lists_every_bad_line(client, admin_user):
    client.force_login(admin_user)
    text = "2027-01-01,holiday,元旦\n2027-02-30,holiday,春节\n2027-02-10,workday,春节调休\n"
    refused = client.post("/api/v1/calendar/import", {"source": "有误", "text": text}, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["code"] == "calendar_import_rejected"
    assert [line[:3] for line in refused.json()["problems"]] == ["第2行", "第3行"]
