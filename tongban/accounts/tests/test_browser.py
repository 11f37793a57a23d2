"""The second factor walked through in Debian's Chromium at phone width: a first log-in binds an
authenticator from the page, the next log-in asks for its code, all under the strict CSP."""

import re
import time

import pyotp
import pytest

from tongban.accounts.tests.factories import PASSWORD, staff_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _password(page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_a_supervisor_binds_an_authenticator_at_first_log_in_then_logs_in_with_a_code(page):
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    supervisor = staff_in("341902000000", "supervise").user
    _password(page, supervisor.username)
    page.wait_for_url("**/login/enrol/")
    assert page.locator("figure.qr svg").count() == 1
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.get_by_label("动态口令").fill(totp.now())
    page.get_by_role("button", name="确认绑定并登录").click()

    codes = page.locator("ol.recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", code) for code in codes)
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_url("**/workbench/")
    assert supervisor.display_name in page.locator(".who").inner_text()

    page.get_by_role("button", name="退出").click()
    page.wait_for_selector("text=您已安全退出")
    _password(page, supervisor.username)
    page.wait_for_url("**/login/verify/")
    # The enrolment's code was used up; the authenticator's next one is within the step of drift.
    page.get_by_label("动态口令").fill(totp.at(time.time(), counter_offset=1))
    page.get_by_role("button", name="验证并登录").click()
    page.wait_for_url("**/workbench/")
    assert page.locator(".who").inner_text() == supervisor.display_name
    assert violations == []  # the QR code's inline SVG and the pages hold nothing the policy forbids
