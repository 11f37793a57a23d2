import time

import pytest

from tongban.accounts.models import User
from tongban.accounts.tests.factories import PASSWORD, LegalPersonFactory, UserFactory, next_id_number, staff_in
from tongban.org.tests.factories import ServiceHallFactory

pytestmark = pytest.mark.django_db


def test_home_lists_halls_and_offers_sign_up(client):
    ServiceHallFactory(name="示范市政务服务中心")
    page = client.get("/").content.decode()
    assert "示范市政务服务中心" in page and "实名注册" in page and 'lang="zh-CN"' in page


def test_home_has_an_empty_state_without_halls(client):
    assert "暂无服务大厅信息" in client.get("/").content.decode()


def test_sign_up_logs_in_and_shows_the_masked_profile(client):
    id_number = next_id_number()
    response = client.post(
        "/signup/",
        {
            "real_name": "王小明",
            "id_number": id_number,
            "phone": "13912345678",
            "password": PASSWORD,
            "password_again": PASSWORD,
            "agree": "on",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "注册成功" in page
    assert id_number[:6] + "********" + id_number[-4:] in page
    assert id_number not in page


def test_sign_up_with_a_bad_id_number_says_which_check_failed_and_keeps_the_input(client):
    response = client.post(
        "/signup/",
        {
            "real_name": "王小明",
            "id_number": "110105194912310021",
            "phone": "13912345678",
            "password": PASSWORD,
            "password_again": PASSWORD,
            "agree": "on",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "校验位错误" in page and "王小明" in page
    assert not User.objects.exists()


def test_wrong_password_gives_a_clear_message(client):
    user = UserFactory()
    page = client.post("/login/", {"identifier": user.username, "password": "nope"}).content.decode()
    assert "账号或密码错误" in page


def test_staff_land_on_the_workbench_and_citizens_on_their_profile(client):
    clerk = staff_in("341902000000", "window")
    response = client.post("/login/", {"identifier": clerk.user.username, "password": PASSWORD})
    assert response["Location"] == "/workbench/"
    client.logout()
    citizen = UserFactory()
    response = client.post("/login/", {"identifier": citizen.person.id_number, "password": PASSWORD})
    assert response["Location"] == "/me/"


def test_login_ignores_a_foreign_next_url(client):
    citizen = UserFactory()
    response = client.post("/login/?next=https://evil.example/", {"identifier": citizen.username, "password": PASSWORD})
    assert response["Location"] == "/me/"


def test_binding_an_enterprise_from_the_profile(client):
    company = LegalPersonFactory()
    client.force_login(UserFactory(person=company.legal_representative))
    page = client.post(
        "/me/legal-persons/bind/", {"uscc": company.uscc, "name": company.name}, follow=True
    ).content.decode()
    assert "您是该企业的法定代表人" in page and company.uscc in page


def test_binding_with_a_bad_credit_code_shows_the_error_on_the_field(client):
    client.force_login(UserFactory())
    response = client.post("/me/legal-persons/bind/", {"uscc": "91341902MA0000001I", "name": "某公司"})
    assert response.status_code == 422
    assert "统一社会信用代码" in response.content.decode()


def test_the_large_text_mode_is_remembered(client):
    response = client.post("/prefs/text-size/", {"large": "1", "next": "/"})
    assert response.cookies["tb_large_text"].value == "1"
    assert 'class="large-text"' in client.get("/").content.decode()


def test_forms_are_csrf_protected():
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/login/", {"identifier": "x", "password": "y"}).status_code == 403


def test_healthz_reports_database_and_tasks(client):
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["database"]["ok"] and body["tasks"]["mode"] == "embedded"


def test_sessions_expire_after_the_idle_time_out(client, settings):
    user = UserFactory()
    client.post("/login/", {"identifier": user.username, "password": PASSWORD})
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 30 * 60


def test_a_request_pushes_the_idle_time_out_forward_at_most_once_a_minute(client, settings, monkeypatch):
    from django.contrib.sessions.models import Session

    user = UserFactory()
    client.post("/login/", {"identifier": user.username, "password": PASSWORD})
    clock = [time.time()]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    client.get("/")
    expiry = Session.objects.get().expire_date
    clock[0] += 5
    client.get("/")
    assert Session.objects.get().expire_date == expiry  # within the minute: no write
    clock[0] += settings.TONGBAN_SESSION_REFRESH_SECONDS
    client.get("/")
    assert Session.objects.get().expire_date > expiry  # a minute on: the idle count restarts


def test_unknown_pages_get_a_chinese_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()
