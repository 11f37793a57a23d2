"""Walked in Debian's Chromium, the promises of issue 16 kept so far: each role sees only the acts
it can take (a supervisor gets no 认领 that would fail); citizens read plain words and find a case
with its result under 已结束; every link a document prints is on the public base URL; the citizen
pages fit a 390 px phone; a file is chosen with a Chinese control; the window names the person at
the desk in full, and a clerk starting a walk-in again continues the draft already started; the
licence promised to an enterprise is in its wallet once the case is completed; the delivery the
applicant chose is on the receipt and is the only one the deliverer is offered."""

import io

import pytest
from django.conf import settings
from django.test import Client
from pypdf import PdfReader

from tongban.accounts.tests.factories import LegalPersonFactory, UserFactory
from tongban.cases import services
from tongban.cases.models import Case
from tongban.cases.tests.factories import Crew, case_in, case_item, draft_case, officer, pdf_bytes
from tongban.cases.tests.test_browser import act, log_in, reference_data  # noqa: F401 - fixture
from tongban.licences.tests.factories import licence_type

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC = "https://zwfw.example.gov.cn"


def signed_in(page, live_server, user) -> None:
    """A session for `user` handed to the browser (staff whose posts log in with a second factor
    are walked here past it: the log-in itself has its own walks)."""
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def test_a_supervisor_gets_no_claim_button_the_front_desk_does(page, live_server):
    case, crew = case_in(Case.RECEIVED)
    supervisor = officer(crew.department, "supervise")
    signed_in(page, live_server, supervisor)
    page.goto("/workbench/cases/?queue=accept")
    row = page.locator("tr", has_text=case.number)
    assert row.count() == 1 and row.get_by_role("button", name="认领").count() == 0
    page.goto(f"/workbench/cases/{case.pk}/")
    assert page.get_by_role("button", name="认领").count() == 0

    signed_in(page, live_server, crew.accept)
    page.goto("/workbench/cases/?queue=accept")
    page.locator("tr", has_text=case.number).get_by_role("button", name="认领").click()
    page.wait_for_load_state()
    assert "已认领" in page.content() and Case.objects.get(pk=case.pk).claimed_by == crew.accept


def test_a_citizen_reads_plain_words_and_finds_a_completed_case_under_finished(page):
    case, _crew = case_in(Case.COMPLETED)
    log_in(page, case.filed_by)
    page.goto("/me/cases/")
    assert page.get_by_role("link", name=case.number).count() == 0
    page.goto("/me/cases/?tab=done")
    page.get_by_role("link", name=case.number).click()
    page.wait_for_load_state()
    timeline = page.locator(".timeline").inner_text()
    assert "您提交了申请" in timeline and "受理了您的申请" in timeline
    assert "国家状态代码" not in page.content()


def test_every_link_a_document_prints_is_on_the_public_base_url(page, settings):
    settings.TONGBAN_PUBLIC_BASE_URL = PUBLIC
    case, _crew = case_in(Case.COMPLETED)
    log_in(page, case.filed_by)
    for kind in ("receipt", "decision"):
        response = page.request.get(f"/documents/cases/{case.pk}/{kind}.pdf")
        assert response.ok and response.headers["content-type"] == "application/pdf"
        links = _pdf_links(response.body())
        assert links and all(link.startswith(PUBLIC + "/") for link in links), links
        assert not any("localhost" in link or "127.0.0.1" in link for link in links)


def _pdf_links(content: bytes) -> list[str]:
    """The URI of every link annotation in the PDF, read by an independent library."""
    uris = []
    for pdf_page in PdfReader(io.BytesIO(content)).pages:
        for annotation in pdf_page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            if action.get("/URI"):
                uris.append(str(action["/URI"]))
    return uris


def _overflow(page) -> int:
    """How far the page scrolls sideways, in CSS pixels (0: it fits the screen)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_the_citizen_pages_fit_a_phone_without_scrolling_sideways(page):
    case, _crew = case_in(Case.CORRECTION)
    public = ["/", "/services/", f"/services/{case.version.item_id}/", "/login/", "/signup/"]
    for path in public:
        page.goto(path)
        assert _overflow(page) <= 0, path
    log_in(page, case.filed_by)
    for path in ["/me/", "/me/cases/", f"/me/cases/{case.number}/", "/me/inbox/", "/me/licences/"]:
        page.goto(path)
        assert _overflow(page) <= 0, path


def test_a_file_is_chosen_with_a_chinese_control_that_names_it(page):
    case, _crew = case_in(Case.CORRECTION)
    material = case.materials.first()
    log_in(page, case.filed_by)
    page.goto(f"/me/cases/{case.number}/")
    control = page.locator(f"#material-{material.pk} .file-control")
    assert control.locator(".button").inner_text() == "选择文件"
    assert control.locator(".file-chosen").inner_text() == "未选择文件"
    page.locator(f"#file-{material.pk}").set_input_files(
        files=[{"name": "身份证正面.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    assert control.locator(".file-chosen").inner_text() == "身份证正面.pdf"
    page.locator(
        f"#material-{material.pk} form.upload button[type=submit], #material-{material.pk} form.upload button"
    ).last.click()
    page.locator(f"#material-{material.pk} .files").wait_for()
    assert "身份证正面.pdf" in page.locator(f"#material-{material.pk}").inner_text()


def test_the_window_names_the_walk_in_and_starting_again_opens_the_draft_already_started(page):
    version = case_item()
    clerk = officer(version.item.department, "window")
    walk_in = UserFactory().person
    log_in(page, clerk)
    for _attempt in range(2):  # the clerk goes back and clicks 开始受理 once more
        page.goto("/workbench/cases/window/")
        page.get_by_label("申请人证件号码").fill(walk_in.id_number)
        page.get_by_role("button", name="查找", exact=True).click()
        assert f"在您面前的是 {walk_in.real_name}" in page.locator("main").inner_text()  # to check against the card
        page.get_by_label("事项名称、关键词或拼音").fill("食品经营")
        page.get_by_role("button", name="开始受理").first.click()
        page.wait_for_url("**/workbench/cases/filing/*/")
    [draft] = Case.objects.filter(person=walk_in, status=Case.DRAFT)
    assert page.url.endswith(f"/workbench/cases/filing/{draft.pk}/")


def test_the_licence_promised_to_an_enterprise_is_in_its_wallet_after_completion(page):
    version = case_item()
    licence_type(
        department=version.item.department, short_code="SPJYXKZ", name="食品经营许可证", holder_kind="legal", fields=[]
    )
    shop = LegalPersonFactory(name="街角小吃店")
    case, crew = case_in(Case.APPROVED, version, legal_person=shop)
    log_in(page, crew.issue)
    act(page, case, "issue_result")
    assert Case.objects.get(pk=case.pk).status == Case.COMPLETED

    log_in(page, case.filed_by)
    page.goto("/me/licences/")
    wallet = page.locator("main").inner_text()
    assert "食品经营许可证" in wallet and "街角小吃店" in wallet


def test_the_delivery_the_applicant_chose_is_on_the_receipt_and_is_the_only_one_offered(page):
    case = draft_case(case_item())
    log_in(page, case.filed_by)
    page.goto(f"/me/cases/drafts/{case.pk}/review/")
    page.get_by_label("邮寄送达", exact=True).check()
    page.get_by_role("button", name="确认提交").click()
    assert page.locator("#delivery .error").inner_text().startswith("邮寄送达请填写完整的收件地址")
    page.get_by_label("邮寄地址（选择邮寄送达时填写）").fill("示范市城东区东华街道幸福路1号")
    page.get_by_role("button", name="确认提交").click()
    page.wait_for_url("**/me/cases/3419*/")
    assert "邮寄送达" in page.locator("main").inner_text() and "幸福路1号" in page.locator("main").inner_text()

    case = Case.objects.get(pk=case.pk)
    crew = Crew(case.department)
    services.case_accept(actor=crew.accept, case_id=case.pk)
    receipt = page.request.get(f"/documents/cases/{case.pk}/receipt.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt.body())).pages)
    assert "领取方式" in text and "邮寄送达" in text

    for act_name in ("approve_step", "decide", "issue_result"):
        ACTS[act_name](case, crew)
    log_in(page, crew.deliver)
    page.goto(f"/workbench/cases/{case.pk}/")
    panel = page.locator("#act-deliver")
    panel.locator("summary").click()
    assert panel.get_by_role("radio").count() == 1 and panel.get_by_label("邮寄送达", exact=True).is_checked()
    assert "幸福路1号" in panel.inner_text()


ACTS = {
    "approve_step": lambda c, crew: services.case_step_approve(actor=crew.review, case_id=c.pk, opinion="材料齐全"),
    "decide": lambda c, crew: services.case_decide(
        actor=crew.approve, case_id=c.pk, decision="approved", opinion="同意"
    ),
    "issue_result": lambda c, crew: services.case_result_issue(actor=crew.issue, case_id=c.pk),
}
