"""Walked through in Debian's Chromium at phone width."""

import pytest

from tongban.accounts.tests.factories import PASSWORD, next_id_number, staff_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_signs_up_sees_a_clear_error_then_succeeds(page):
    page.goto("/signup/")
    page.get_by_label("姓名").fill("王小明")
    page.get_by_label("公民身份号码").fill("110105194912310021")
    page.get_by_label("手机号码").fill("13912345678")
    page.get_by_label("设置密码").fill(PASSWORD)
    page.get_by_label("再次输入密码").fill(PASSWORD)
    page.get_by_label("我已阅读并同意").check()
    page.get_by_role("button", name="注册").click()
    assert "第18位应为“X”" in page.locator(".field.has-error").inner_text()

    id_number = next_id_number()
    page.get_by_label("公民身份号码").fill(id_number)
    page.get_by_label("设置密码").fill(PASSWORD)
    page.get_by_label("再次输入密码").fill(PASSWORD)
    page.get_by_role("button", name="注册").click()
    page.wait_for_url("**/me/")
    assert id_number[:6] + "********" + id_number[-4:] in page.content()


def test_large_text_mode_enlarges_the_page(page):
    page.goto("/")
    normal = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    page.get_by_role("button", name="大字模式").click()
    page.wait_for_selector("html.large-text")
    assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") > normal


def test_a_clerk_reveals_an_id_number_with_a_listed_purpose_and_a_note(page):
    from tongban.accounts.tests.factories import PersonFactory

    clerk = staff_in("341902000000", "window")
    person = PersonFactory()
    page.goto("/login/")
    page.get_by_label("账号").fill(clerk.user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/workbench/")
    page.goto(f"/workbench/persons/{person.pk}/")
    page.locator("#reveal-id_number summary").click()
    page.locator("#grounds-id_number").select_option("purpose:record_correction")
    page.locator("#reveal-id_number button").click()
    page.wait_for_selector("#reveal-id_number .error")  # a purpose needs its note; nothing is shown
    assert "须在备注中写明具体事由" in page.locator("#reveal-id_number .error").inner_text()
    assert person.id_number not in page.content()
    page.locator("#note-id_number").fill("户籍登记住址有误，申请人当面更正")
    page.locator("#reveal-id_number button").click()
    page.wait_for_selector("#reveal-id_number .revealed")
    assert page.locator("#reveal-id_number .revealed").inner_text() == person.id_number
