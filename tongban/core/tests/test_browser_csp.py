"""In Chromium: the pages run under the Content-Security-Policy without a single violation (HTMX,
the admin, the API docs), so the policy is strict and nothing it forbids was needed."""

import pytest

from tongban.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = ["/", "/services/", "/login/", "/signup/", "/me/", "/me/cases/", "/me/inbox/", "/api/v1/docs"]


def _watch(page) -> list[str]:
    violations: list[str] = []

    def console(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", console)
    return violations


def _log_in(page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


def test_portal_pages_and_the_api_docs_run_without_a_policy_violation(page):
    violations = _watch(page)
    _log_in(page, UserFactory().username)
    for path in PAGES:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    assert page.locator(".swagger-ui").count() == 1  # the docs rendered under the policy, offline
    page.locator(".opblock").first.wait_for()  # with their operations, from our own static files
    assert page.locator(".opblock").count() > 50
    assert violations == []


def test_the_admin_runs_without_a_policy_violation(page):
    admin = UserFactory(kind="staff", is_staff=True, is_superuser=True)
    violations = _watch(page)
    page.goto("/admin/login/")
    page.get_by_label("用户名").fill(admin.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_load_state("networkidle")
    for path in ["/admin/", "/admin/core/calendaryear/", "/admin/core/calendaryear/import/", "/admin/accounts/user/"]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    assert page.locator("#content").count() == 1
    assert violations == []
