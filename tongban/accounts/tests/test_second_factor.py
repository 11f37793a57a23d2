"""The staff second factor (动态口令): enrolment, codes accepted once within one step of drift,
single-use recovery codes, the shared lockout, the security officer's reset, and the pending
log-in between the password and the code on every log-in page."""

import datetime as dt
import re
import zoneinfo

import pyotp
import pytest
from django.test import Client
from django.test.utils import override_settings

from tongban.accounts import second_factor
from tongban.accounts.models import RecoveryCode, TotpDevice, User
from tongban.accounts.tests.factories import PASSWORD, UserFactory, staff_in, totp_code, totp_enrol
from tongban.core.errors import Conflict, PermissionDenied, ValidationFailed
from tongban.core.models import AuditEntry

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 3, 2, 10, 0, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))  # a step boundary


@pytest.fixture
def clock(time_machine):
    """The clock frozen on a step boundary; `clock(seconds)` moves it on."""
    time_machine.move_to(NOON, tick=False)
    moved = [0]

    def advance(seconds: float) -> None:
        moved[0] += seconds
        time_machine.move_to(NOON + dt.timedelta(seconds=moved[0]), tick=False)

    return advance


def supervisor() -> User:
    return staff_in("341902000000", "supervise").user


def enrolled() -> tuple[User, str]:
    user = supervisor()
    return user, totp_enrol(user)


def code_at(secret: str, offset_seconds: float) -> str:
    return pyotp.TOTP(secret).at(NOON + dt.timedelta(seconds=offset_seconds))


def wrong_code(secret: str) -> str:
    """A six-digit code that is none of the accepted ones around NOON."""
    accepted = {code_at(secret, offset) for offset in (-30, 0, 30)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


# --- services ----------------------------------------------------------------------------------


def test_a_second_factor_is_required_by_any_post_that_says_so():
    assert second_factor.second_factor_required(supervisor())
    assert second_factor.second_factor_required(staff_in("341902000000", "window", "data").user)
    assert not second_factor.second_factor_required(staff_in("341902000000", "window").user)
    assert not second_factor.second_factor_required(UserFactory())


def test_enrolment_gives_a_secret_and_an_otpauth_uri_issued_by_tongban(clock):
    user = supervisor()
    device = second_factor.second_factor_enrol_start(user=user)
    uri = second_factor.provisioning_uri(device)
    assert uri.startswith("otpauth://totp/") and "issuer=%E9%80%9A%E5%8A%9E" in uri  # 通办
    assert re.fullmatch(r"[A-Z2-7]{32}", device.secret) and not device.confirmed
    assert not second_factor.second_factor_enrolled(user)


def test_confirming_enrolment_needs_a_right_code_and_returns_ten_codes_kept_only_as_hashes(clock):
    user = supervisor()
    device = second_factor.second_factor_enrol_start(user=user)
    with pytest.raises(ValidationFailed):
        second_factor.second_factor_enrol_confirm(user=user, code=wrong_code(device.secret))
    codes = second_factor.second_factor_enrol_confirm(user=user, code=code_at(device.secret, 0))
    assert len(codes) == 10 == len(set(codes)) and all(
        re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", c) for c in codes
    )
    stored = list(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not set(stored) & {c for code in codes for c in (code, code.replace("-", ""))}
    assert second_factor.second_factor_enrolled(user)
    outcomes = AuditEntry.objects.filter(action="second_factor.enrol", actor_id=user.pk).values_list(
        "outcome", flat=True
    )
    assert sorted(outcomes) == ["failed", "success"]


def test_a_confirmed_authenticator_cannot_be_replaced_by_its_holder(clock):
    user, _ = enrolled()
    with pytest.raises(Conflict):
        second_factor.second_factor_enrol_start(user=user)


def test_a_code_is_accepted_once_even_within_its_window(clock):
    user, secret = enrolled()
    assert second_factor.second_factor_verify(user=user, code=code_at(secret, 0)).method == "totp"
    clock(10)
    with pytest.raises(ValidationFailed) as replay:
        second_factor.second_factor_verify(user=user, code=code_at(secret, 0))
    assert replay.value.code == "second_factor_wrong"


def test_one_step_of_drift_either_way_is_tolerated_and_two_are_not(clock):
    user, secret = enrolled()
    assert second_factor.second_factor_verify(user=user, code=code_at(secret, -30))
    assert second_factor.second_factor_verify(user=user, code=code_at(secret, 30))
    with pytest.raises(ValidationFailed):
        second_factor.second_factor_verify(user=user, code=code_at(secret, 60))


def test_after_a_newer_code_an_older_one_is_refused(clock):
    user, secret = enrolled()
    second_factor.second_factor_verify(user=user, code=code_at(secret, 30))
    with pytest.raises(ValidationFailed):
        second_factor.second_factor_verify(user=user, code=code_at(secret, 0))


def test_a_recovery_code_works_once_however_it_is_typed(clock):
    user = supervisor()
    device = second_factor.second_factor_enrol_start(user=user)
    codes = second_factor.second_factor_enrol_confirm(user=user, code=code_at(device.secret, 0))
    verified = second_factor.second_factor_verify(user=user, code=f" {codes[3].lower().replace('-', '')} ")
    assert (verified.method, verified.recovery_codes_left) == ("recovery", 9)
    with pytest.raises(ValidationFailed):
        second_factor.second_factor_verify(user=user, code=codes[3])
    assert second_factor.recovery_codes_left(user) == 9


def test_regenerating_recovery_codes_voids_the_old_ones_and_needs_a_current_code(clock):
    user = supervisor()
    device = second_factor.second_factor_enrol_start(user=user)
    old = second_factor.second_factor_enrol_confirm(user=user, code=code_at(device.secret, 0))
    clock(30)
    with pytest.raises(ValidationFailed):
        second_factor.second_factor_recovery_regenerate(user=user, code=old[0])  # a recovery code is not enough
    new = second_factor.second_factor_recovery_regenerate(user=user, code=code_at(device.secret, 30))
    assert len(new) == 10 and not set(new) & set(old)
    with pytest.raises(ValidationFailed):
        second_factor.second_factor_verify(user=user, code=old[1])
    assert second_factor.second_factor_verify(user=user, code=new[0]).method == "recovery"


@override_settings(TONGBAN_LOCKOUT_ATTEMPTS=3)
def test_wrong_codes_and_wrong_passwords_add_up_to_one_lockout(clock):
    from tongban.accounts import services

    user, secret = enrolled()
    assert services.user_authenticate(identifier=user.username, password="wrong") is None
    assert services.user_authenticate(identifier=user.username, password=PASSWORD) == user
    user.refresh_from_db()
    assert user.failed_logins == 1  # the right password alone does not wipe the count
    with pytest.raises(ValidationFailed):
        second_factor.second_factor_verify(user=user, code=wrong_code(secret))
    with pytest.raises(PermissionDenied) as locked:
        second_factor.second_factor_verify(user=user, code=wrong_code(secret))
    assert locked.value.code == "locked"
    with pytest.raises(PermissionDenied):
        second_factor.second_factor_verify(user=user, code=code_at(secret, 0))  # even the right one
    assert services.user_authenticate(identifier=user.username, password=PASSWORD) is None
    outcomes = AuditEntry.objects.filter(action="second_factor.verify").values_list("outcome", flat=True)
    assert list(outcomes) == ["failed", "locked"]


def test_a_right_code_clears_the_failure_count(clock):
    user, secret = enrolled()
    with pytest.raises(ValidationFailed):
        second_factor.second_factor_verify(user=user, code="abc")
    second_factor.second_factor_verify(user=user, code=code_at(secret, 0))
    user.refresh_from_db()
    assert user.failed_logins == 0


def test_only_a_security_officer_resets_another_members_second_factor(clock):
    user, _ = enrolled()
    RecoveryCode.objects.create(user=user, code_hash="x" * 64)
    admin = staff_in("341900000000", "admin").user
    with pytest.raises(PermissionDenied):
        second_factor.second_factor_reset(actor=admin, user=user)
    officer = staff_in("341900000000", "security").user
    with pytest.raises(PermissionDenied):
        second_factor.second_factor_reset(actor=officer, user=officer)
    second_factor.second_factor_reset(actor=officer, user=user)
    assert not TotpDevice.objects.filter(user=user).exists() and not RecoveryCode.objects.filter(user=user).exists()
    entry = AuditEntry.objects.get(action="second_factor.reset")
    assert (entry.actor_id, entry.object_id) == (officer.pk, str(user.pk))
    with pytest.raises(Conflict):
        second_factor.second_factor_reset(actor=officer, user=user)


# --- the log-in pages --------------------------------------------------------------------------


def _password(client: Client, user: User, path: str = "/login/", **extra) -> object:
    return client.post(path, {"identifier": user.username, "username": user.username, "password": PASSWORD, **extra})


def _signed_in(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def test_a_right_password_alone_does_not_sign_in_a_second_factor_user(client, clock):
    user, secret = enrolled()
    response = _password(client, user, "/login/?next=/workbench/cases/")
    assert response.status_code == 302 and response["Location"] == "/login/verify/"
    assert _signed_in(client) is None
    page = client.get("/login/verify/").content.decode()
    assert "动态口令验证" in page and 'autocomplete="one-time-code"' in page
    response = client.post("/login/verify/", {"code": code_at(secret, 0)})
    assert response["Location"] == "/workbench/cases/" and _signed_in(client) == str(user.pk)
    assert second_factor.PENDING_KEY not in client.session


def test_a_wrong_code_on_the_page_says_what_to_do(client, clock):
    user, _ = enrolled()
    _password(client, user)
    response = client.post("/login/verify/", {"code": "12345x"})
    assert response.status_code == 422 and "动态口令不正确或已使用过" in response.content.decode()
    assert _signed_in(client) is None


@override_settings(TONGBAN_LOCKOUT_ATTEMPTS=2)
def test_wrong_codes_on_the_page_lock_the_account_and_end_the_step(client, clock):
    user, secret = enrolled()
    _password(client, user)
    client.post("/login/verify/", {"code": wrong_code(secret)})
    response = client.post("/login/verify/", {"code": wrong_code(secret)}, follow=True)
    assert response.redirect_chain[-1][0] == "/login/" and "账号已锁定" in response.content.decode()
    assert second_factor.PENDING_KEY not in client.session
    assert client.post("/login/verify/", {"code": code_at(secret, 0)})["Location"] == "/login/"
    assert _signed_in(client) is None


def test_a_first_log_in_enrols_shows_the_codes_once_and_signs_in(client, clock):
    user = supervisor()
    _password(client, user)
    assert client.get("/login/verify/")["Location"] == "/login/enrol/"
    page = client.get("/login/enrol/")
    body = page.content.decode()
    assert page["Cache-Control"] == "no-store"
    assert "<svg" in body and "<script" not in body.split("<main", 1)[1] and " style=" not in body
    secret = TotpDevice.objects.get(user=user).secret
    assert second_factor.secret_for_display(secret) in body
    assert client.get("/login/enrol/").content.decode().count(second_factor.secret_for_display(secret)) == 1  # kept
    response = client.post("/login/enrol/", {"code": code_at(secret, 0)})
    body = response.content.decode()
    codes = re.findall(r"<li>([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})</li>", body)
    assert len(codes) == 10 and "只显示这一次" in body and 'href="/workbench/"' in body
    assert _signed_in(client) == str(user.pk)


def test_each_log_in_before_confirmation_gets_a_new_secret(client, clock):
    user = supervisor()
    _password(client, user)
    client.get("/login/enrol/")
    first = TotpDevice.objects.get(user=user).secret
    _password(Client(), user)
    other = Client()
    _password(other, user)
    other.get("/login/enrol/")
    assert TotpDevice.objects.get(user=user).secret != first


def test_the_pending_step_expires_after_five_minutes(client, clock):
    user, secret = enrolled()
    _password(client, user)
    clock(second_factor.PENDING_SECONDS + 1)
    response = client.post("/login/verify/", {"code": pyotp.TOTP(secret).now()}, follow=True)
    assert response.redirect_chain[0][0] == "/login/" and "已超时" in response.content.decode()
    assert _signed_in(client) is None and second_factor.PENDING_KEY not in client.session


def test_the_step_pages_need_a_pending_log_in(client):
    assert client.get("/login/verify/")["Location"] == "/login/"
    assert client.get("/login/enrol/")["Location"] == "/login/"


def test_a_recovery_code_log_in_warns_how_many_are_left(client, clock):
    user = supervisor()
    device = second_factor.second_factor_enrol_start(user=user)
    codes = second_factor.second_factor_enrol_confirm(user=user, code=code_at(device.secret, 0))
    _password(client, user)
    page = client.post("/login/verify/", {"code": codes[0]}, follow=True).content.decode()
    assert "还剩9个" in page and _signed_in(client) == str(user.pk)


def test_the_admin_log_in_page_sends_a_second_factor_user_to_the_code_step(client, clock):
    user = staff_in("341900000000", "admin").user
    User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    secret = totp_enrol(user)
    response = _password(client, user, "/admin/login/?next=/admin/accounts/post/", next="/admin/accounts/post/")
    assert response.status_code == 200 and _signed_in(client) is None
    assert '<a href="/login/verify/">继续验证动态口令</a>' in response.content.decode()
    response = client.post("/login/verify/", {"code": code_at(secret, 0)})
    assert response["Location"] == "/admin/accounts/post/" and _signed_in(client) == str(user.pk)
    assert client.get("/admin/accounts/post/").status_code == 200


def test_a_test_helper_code_signs_in_through_the_form(client):
    user = supervisor()
    secret = totp_enrol(user)
    _password(client, user)
    client.post("/login/verify/", {"code": totp_code(secret)})
    assert _signed_in(client) == str(user.pk)


# --- the workbench page ------------------------------------------------------------------------


def test_the_workbench_links_to_the_log_in_security_page(client):
    client.force_login(supervisor())
    assert 'href="/workbench/second-factor/"' in client.get("/workbench/").content.decode()


def test_a_member_regenerates_recovery_codes_on_the_workbench(client, clock):
    user = supervisor()
    device = second_factor.second_factor_enrol_start(user=user)
    old = second_factor.second_factor_enrol_confirm(user=user, code=code_at(device.secret, 0))
    client.force_login(user)
    page = client.get("/workbench/second-factor/").content.decode()
    assert "已绑定" in page and "10个" in page and "重置工作人员的动态口令" not in page
    refused = client.post("/workbench/second-factor/", {"act": "regenerate", "code": wrong_code(device.secret)})
    assert refused.status_code == 422 and "动态口令不正确" in refused.content.decode()
    clock(30)
    response = client.post("/workbench/second-factor/", {"act": "regenerate", "code": code_at(device.secret, 30)})
    new = re.findall(r"<li>([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})</li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old) and response["Cache-Control"] == "no-store"


def test_the_security_officer_resets_a_colleague_on_the_workbench(client, clock):
    user, _ = enrolled()
    client.force_login(staff_in("341900000000", "security").user)
    assert "重置工作人员的动态口令" in client.get("/workbench/second-factor/").content.decode()
    unknown = client.post("/workbench/second-factor/", {"act": "reset", "username": "nobody"})
    assert unknown.status_code == 422 and "未找到该工作人员账号" in unknown.content.decode()
    page = client.post("/workbench/second-factor/", {"act": "reset", "username": user.username}, follow=True)
    assert "下次登录时须重新绑定" in page.content.decode()
    assert not TotpDevice.objects.filter(user=user).exists()


def test_nobody_else_can_reset_on_the_workbench(client, clock):
    user, _ = enrolled()
    client.force_login(staff_in("341900000000", "admin").user)
    response = client.post("/workbench/second-factor/", {"act": "reset", "username": user.username})
    assert response.status_code == 422 and "只有安全管理员" in response.content.decode()
    assert TotpDevice.objects.filter(user=user).exists()
