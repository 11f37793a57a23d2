"""Walked through in Debian's Chromium: a citizen applies online, a reviewer asks for a correction,
the citizen answers, the case is approved and completed and the citizen downloads the decision;
a clerk accepts a walk-in applicant's application at the window; and a provisional promise moves
when the year's schedule is published; the page behaviour that used to be inline script (confirm
before discarding a draft, print a guide) still works under the Content-Security-Policy."""

import datetime as dt
import zoneinfo
from importlib import import_module

import pytest
import time_machine
from django.apps import apps
from django.conf import settings

from tongban.accounts.tests.factories import PASSWORD, UserFactory
from tongban.cases import services
from tongban.cases.models import Case
from tongban.cases.tests.factories import Crew, case_item, draft_case, officer, pdf_bytes, submitted_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCHEDULE_2027 = "# 2027 年节假日安排\n2027-01-01,holiday,元旦\n2027-01-09,workday,元旦调休\n"


@pytest.fixture(autouse=True)
def reference_data():
    """Transactional tests end by emptying every table, the rows data migrations seeded included:
    put back the item-type dictionary and the holiday calendar these walks need."""
    from tongban.catalog.models import ItemType
    from tongban.core.models import CalendarYear

    if not ItemType.objects.exists():
        import_module("tongban.catalog.migrations.0002_dictionaries").add_dictionaries(apps, None)
    if not CalendarYear.objects.exists():
        import_module("tongban.core.migrations.0002_calendar_seed").seed(apps, None)


def log_in(page, user) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.get_by_label("账号").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def act(page, case: Case, name: str, fill: dict[str, str] | None = None, choose: str = "") -> None:
    """Open the case on the workbench and do one act through its form."""
    page.goto(f"/workbench/cases/{case.pk}/")
    panel = page.locator(f"#act-{name}")
    panel.locator("summary").click()
    for label, value in (fill or {}).items():
        panel.get_by_label(label).fill(value)
    if choose:
        panel.get_by_role("radio", name=choose, exact=True).check()
    panel.locator("button").last.click()
    page.wait_for_load_state()


def upload(page, material_id: int, name: str) -> None:
    page.locator(f"#file-{material_id}").set_input_files(
        files=[{"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    page.locator(f"#material-{material_id} form.upload button").click()
    page.locator(f"#material-{material_id} .files").wait_for()


def test_a_citizen_applies_answers_a_correction_and_downloads_the_decision(page):
    version = case_item()
    crew = Crew(version.item.department)
    citizen = UserFactory()

    log_in(page, citizen)
    page.goto(f"/services/{version.item_id}/")
    page.get_by_role("link", name="在线申请").click()
    page.wait_for_url("**/me/cases/drafts/*/")
    case = Case.objects.get(filed_by=citizen)
    if page.get_by_label("我已阅读并符合受理条件").count():
        page.get_by_label("我已阅读并符合受理条件").check()
    page.get_by_label("店铺名称").fill("老街面馆")
    page.get_by_label("店铺名称").blur()
    page.locator("#autosave").get_by_text("已自动保存").wait_for()
    for material in case.materials.filter(required=True):
        upload(page, material.pk, f"{material.name}.pdf")
    page.get_by_role("button", name="下一步：核对申请").click()
    page.get_by_role("button", name="确认提交").click()
    page.wait_for_url("**/me/cases/3419*/")
    case.refresh_from_db()
    assert case.status == Case.RECEIVED and case.number in page.content()

    log_in(page, crew.accept)
    act(page, case, "accept")
    log_in(page, crew.review)
    first = case.materials.order_by("order").first()
    page.goto(f"/workbench/cases/{case.pk}/")
    panel = page.locator("#act-request_correction")
    panel.locator("summary").click()
    panel.get_by_role("checkbox", name=first.name).check()
    panel.get_by_label(f"“{first.name}”的补正原因").fill("复印件不清晰，请重新扫描")
    panel.locator("button").last.click()
    page.wait_for_load_state()
    case.refresh_from_db()
    assert case.status == Case.CORRECTION

    log_in(page, citizen)
    page.goto(f"/me/cases/{case.number}/")
    assert "复印件不清晰" in page.content()
    upload(page, first.pk, "清晰件.pdf")
    page.get_by_label("补正说明").fill("已重新扫描上传")
    page.get_by_role("button", name="提交补正").click()
    page.wait_for_load_state()
    case.refresh_from_db()
    assert case.status == Case.HANDLING

    log_in(page, crew.review)
    act(page, case, "approve_step", {"审核意见": "材料齐全，符合条件"})
    log_in(page, crew.approve)
    act(page, case, "decide", {"审批意见": "准予许可"}, choose="准予许可")
    log_in(page, crew.issue)
    act(page, case, "issue_result")
    case.refresh_from_db()
    assert case.status == Case.COMPLETED

    log_in(page, citizen)
    page.goto(f"/me/cases/{case.number}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="审批决定书").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_a_clerk_accepts_a_walk_in_application_at_the_window(page):
    version = case_item()
    department = version.item.department
    clerk = officer(department, "window")
    walk_in = UserFactory().person

    log_in(page, clerk)
    page.goto("/workbench/cases/window/")
    page.get_by_label("申请人证件号码").fill(walk_in.id_number)
    page.get_by_role("button", name="查找", exact=True).click()
    page.get_by_label("事项名称、关键词或拼音").fill("食品经营")
    page.get_by_role("button", name="开始受理").first.click()
    page.wait_for_url("**/workbench/cases/filing/*/")
    page.get_by_label("店铺名称").fill("街角小吃")
    for checkbox in page.get_by_label("已核验").all():
        checkbox.check()
    page.get_by_role("button", name="提交并受理").click()
    page.wait_for_url("**/workbench/cases/*/receipt/")
    case = Case.objects.get(person=walk_in)
    assert (case.status, case.channel) == (Case.HANDLING, Case.WINDOW)
    assert case.number in page.content()
    assert page.get_by_role("link", name="打印受理通知书").count() == 1


def test_a_provisional_promise_moves_when_the_schedule_is_published_and_the_applicant_is_told(page):
    """Accepted on 2026-12-28 for 20 working days, before 2027's schedule is out: the citizen sees
    an estimate; the administrator imports the schedule with a make-up Saturday in the admin; the
    promise moves one working day earlier and the citizen's inbox says so."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    with time_machine.travel(dt.datetime(2026, 12, 28, 10, tzinfo=zone), tick=False):
        version = case_item(promised_limit_days=20)
        crew = Crew(version.item.department)
        citizen = UserFactory()
        case = submitted_case(version, citizen)
        services.case_accept(actor=crew.accept, case_id=case.pk)
    # The walk itself runs on the real clock: the browser keeps cookies by its own time.

    log_in(page, citizen)
    page.goto(f"/me/cases/{case.number}/")
    assert "预计 2027年1月26日（2027年节假日安排公布后可能调整）" in page.locator("#case-status").inner_text()

    log_in(page, UserFactory(is_staff=True, is_superuser=True))
    page.goto("/admin/core/calendaryear/")
    page.get_by_role("link", name="导入节假日安排").click()
    page.get_by_label("安排文件").set_input_files(
        files=[{"name": "2027.csv", "mimeType": "text/csv", "buffer": SCHEDULE_2027.encode()}]
    )
    page.get_by_label("来源").fill("国办发明电〔2026〕1号")
    page.get_by_role("button", name="导入").click()
    page.get_by_text("已导入2027年：法定节假日1天，调休上班1天").wait_for()

    log_in(page, citizen)
    page.goto("/me/inbox/")
    notice = page.get_by_text("由 2027-01-26 调整为 2027-01-25")
    assert notice.count() == 1 and "承诺办结日期已调整" in page.content()
    page.goto(f"/me/cases/{case.number}/")
    status = page.locator("#case-status").inner_text()
    assert "2027年1月25日" in status and "预计" not in status


def test_discarding_a_draft_asks_first_and_keeps_it_when_the_applicant_says_no(page):
    """The confirmation is a data-confirm attribute run by static script (the CSP allows no inline
    handler): dismissing the question keeps the draft, accepting it deletes the draft."""
    user = UserFactory()
    draft = draft_case(case_item(), user, upload=False)
    log_in(page, user)
    page.goto("/me/cases/?tab=drafts")
    questions = []

    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="删除草稿").click()
    page.wait_for_timeout(300)
    assert questions == ["确定删除这份草稿吗？删除后不能恢复。"]
    assert Case.objects.filter(pk=draft.pk).exists()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="删除草稿").click()
    page.wait_for_load_state("networkidle")
    assert not Case.objects.filter(pk=draft.pk).exists()
    assert page.get_by_role("button", name="删除草稿").count() == 0


def test_the_guide_prints_from_its_button(page):
    version = case_item()
    page.goto(f"/services/{version.item_id}/")
    page.evaluate("window.print = () => { window.printed = true; }")
    page.get_by_role("button", name="打印办事指南").click()
    assert page.evaluate("window.printed") is True
