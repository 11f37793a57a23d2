"""The staff side of cases through the test client: queues, the case page and its acts, files,
one-window acceptance and agent filing — always within the staff member's scope."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.accounts.tests.factories import UserFactory
from tongban.cases import selectors, services, sources
from tongban.cases.models import Case, CaseCorrection
from tongban.cases.tests.factories import (
    Crew,
    case_in,
    case_item,
    draft_case,
    officer,
    pdf_bytes,
    png_bytes,
    submitted_case,
)
from tongban.core.masking import mask
from tongban.core.models import AuditEntry
from tongban.org.tests.factories import DepartmentFactory, region_tree

pytestmark = pytest.mark.django_db

QUEUES = "/workbench/cases/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def east():
    """A county department, its published item and its crew (scoped to the county)."""
    department = DepartmentFactory(region=region_tree()["341902000000"])
    return case_item(department), Crew(department)


@pytest.fixture
def west():
    department = DepartmentFactory(region=region_tree()["341903000000"])
    return case_item(department), Crew(department)


def page_of(response) -> str:
    return response.content.decode()


def fresh(case) -> Case:
    return Case.objects.get(pk=case.pk)


def act(client, case, name, **data):
    return client.post(
        f"/workbench/cases/{case.pk}/act/{name}/",
        {f"{name}-revision": fresh(case).revision, **{f"{name}-{k}": v for k, v in data.items()}},
    )


# ---------------------------------------------------------------- access and scope


def test_citizens_are_sent_to_log_in(client):
    client.force_login(UserFactory())
    response = client.get(QUEUES)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_case_of_another_county_is_absent_everywhere(client, east, west):
    version, crew = east
    mine = case_in(Case.RECEIVED, version, crew)[0]
    theirs = case_in(Case.RECEIVED, *west)[0]
    client.force_login(crew.accept)

    listed = page_of(client.get(QUEUES, {"queue": "accept"}))
    assert mine.number in listed and theirs.number not in listed
    searched = page_of(client.get(QUEUES, {"queue": "accept", "q": theirs.number}, HTTP_HX_REQUEST="true"))
    assert f"/workbench/cases/{theirs.pk}/" not in searched and "没有找到相符的办件" in searched
    assert client.get(f"/workbench/cases/{theirs.pk}/").status_code == 404
    assert client.get("/workbench/cases/find/", {"number": theirs.number}).status_code == 404
    their_file = theirs.files.first()
    assert client.get(f"/workbench/cases/files/{their_file.pk}/").status_code == 404
    assert act(client, theirs, "accept").status_code == 404
    assert fresh(theirs).status == Case.RECEIVED


def test_queues_put_my_posts_first_and_mask_applicants(client, east):
    version, crew = east
    case = case_in(Case.HANDLING, version, crew)[0]
    client.force_login(crew.review)
    page = page_of(client.get(QUEUES))
    assert page.index("待审核") < page.index("待受理")
    assert case.number in page
    assert mask("name", case.applicant_name) in page and case.applicant_name not in page
    assert 'class="clock clock-green"' in page


def test_live_search_finds_by_number_and_full_id_number(client, east):
    version, crew = east
    case = case_in(Case.RECEIVED, version, crew)[0]
    other = case_in(Case.RECEIVED, version, crew)[0]
    client.force_login(crew.accept)
    by_number = client.get(QUEUES, {"queue": "accept", "q": case.number}, HTTP_HX_REQUEST="true")
    rows = page_of(by_number)
    assert "<html" not in rows and case.number in rows and other.number not in rows
    by_id = page_of(client.get(QUEUES, {"queue": "accept", "q": case.person.id_number}))
    assert case.number in by_id and other.number not in by_id


def test_clock_filter_and_empty_state(client, east):
    version, crew = east
    case = case_in(Case.HANDLING, version, crew)[0]
    client.force_login(crew.review)
    assert case.number in page_of(client.get(QUEUES, {"queue": "review", "clock": "green", "sort": "-due"}))
    red = page_of(client.get(QUEUES, {"queue": "review", "clock": "red"}))
    assert case.number not in red and "没有找到相符的办件" in red
    assert "这个队列里暂时没有办件" in page_of(client.get(QUEUES, {"queue": "special"}))


def test_queue_page_queries_do_not_grow_with_rows(client, east):
    version, crew = east
    case = case_in(Case.HANDLING, version, crew)[0]
    services.case_claim(actor=crew.review, case_id=case.pk)
    client.force_login(crew.review)
    client.get(QUEUES, {"queue": "review"})  # warm the per-process caches
    with CaptureQueriesContext(connection) as one_row:
        client.get(QUEUES, {"queue": "review"})
    for _ in range(4):
        services.case_claim(actor=crew.review, case_id=case_in(Case.HANDLING, version, crew)[0].pk)
    with CaptureQueriesContext(connection) as five_rows:
        response = client.get(QUEUES, {"queue": "review"})
    assert page_of(response).count('class="clock clock-green"') == 5
    assert len(five_rows) == len(one_row), [q["sql"] for q in five_rows.captured_queries]


def test_home_shows_my_queue_counts(client, east):
    version, crew = east
    case_in(Case.RECEIVED, version, crew)
    client.force_login(crew.accept)
    page = page_of(client.get("/workbench/"))
    assert "我的办件队列" in page and "/workbench/cases/?queue=accept" in page and "一窗受理" in page
    assert "代办" not in page.split("</nav>")[0]


# ---------------------------------------------------------------- claim, conflicts, acts


def test_claim_and_release(client, east):
    version, crew = east
    case = case_in(Case.HANDLING, version, crew)[0]
    client.force_login(crew.review)
    client.post(f"/workbench/cases/{case.pk}/claim/", {"next": f"{QUEUES}?queue=review"})
    assert fresh(case).claimed_by == crew.review
    colleague = officer(crew.department, "review")
    client.force_login(colleague)
    page = page_of(client.get(f"/workbench/cases/{case.pk}/"))
    assert "已由" in page and "确认审核通过" not in page
    blocked = act(client, case, "approve_step", opinion="同意")
    assert blocked.status_code == 409 and "请先由其释放" in page_of(blocked)
    assert fresh(case).step_post == "review"
    refused = client.post(f"/workbench/cases/{case.pk}/release/", follow=True)
    assert "只有认领人可以释放" in page_of(refused) and fresh(case).claimed_by == crew.review
    client.force_login(crew.review)
    client.post(f"/workbench/cases/{case.pk}/release/")
    assert fresh(case).claimed_by is None


def test_acting_on_a_stale_revision_changes_nothing(client, east):
    version, crew = east
    case = case_in(Case.RECEIVED, version, crew)[0]
    client.force_login(crew.accept)
    seen = fresh(case).revision
    colleague = officer(crew.department, "window")
    services.case_accept(actor=colleague, case_id=case.pk)  # someone else acted meanwhile
    after = fresh(case)
    stale = {"refuse-revision": seen, "refuse-reason": "不属于本部门职权", "refuse-legal_basis": "《行政许可法》"}
    response = client.post(f"/workbench/cases/{case.pk}/act/refuse/", stale)
    assert response.status_code == 409
    assert "该办件刚被其他人处理过" in page_of(response)
    assert "审核" in page_of(response) and "确认不予受理" not in page_of(response)  # the fresh page
    unchanged = fresh(case)
    assert (unchanged.status, unchanged.revision) == (Case.HANDLING, after.revision)
    assert list(case.history.filter(act__in=["accept", "refuse"]).values_list("actor_id", flat=True)) == [colleague.pk]


def test_refusal_without_a_legal_basis_is_shown_next_to_the_form(client, east):
    version, crew = east
    case = case_in(Case.RECEIVED, version, crew)[0]
    client.force_login(crew.accept)
    response = act(client, case, "refuse", reason="不属于本部门职权", legal_basis="")
    assert response.status_code == 422 and "不予受理须写明理由和法律依据" in page_of(response)
    assert fresh(case).status == Case.RECEIVED


def test_accept_through_the_page(client, east):
    version, crew = east
    case = case_in(Case.RECEIVED, version, crew)[0]
    client.force_login(crew.accept)
    page = page_of(client.get(f"/workbench/cases/{case.pk}/"))
    assert "店铺名称" in page and "老街面馆" in page and "确认受理" in page
    assert case.person.id_number not in page and case.person.masked_id_number in page
    response = act(client, case, "accept", opinion="材料齐全")
    assert response.status_code == 302
    assert fresh(case).status == Case.HANDLING
    assert "已受理" in page_of(client.get(response["Location"]))


def test_correction_notice_through_the_page(client, east):
    version, crew = east
    case = case_in(Case.RECEIVED, version, crew)[0]
    material = case.materials.first()
    client.force_login(crew.accept)
    response = act(
        client,
        case,
        "request_correction",
        **{f"material_{material.pk}": "on", f"reason_{material.pk}": "照片模糊", "other": "营业场所照片：未提供"},
        note="请一次补齐",
    )
    assert response.status_code == 302, page_of(response)
    case = fresh(case)
    assert case.status == Case.CORRECTION
    lines = CaseCorrection.objects.get(case=case).items
    assert [line["reason"] for line in lines] == ["照片模糊", "未提供"]


def test_a_case_walks_from_review_to_delivery_through_the_pages(client, east):
    version, crew = east
    case = case_in(Case.HANDLING, version, crew)[0]

    client.force_login(crew.review)
    assert act(client, case, "approve_step", opinion="材料齐全，符合条件").status_code == 302
    assert fresh(case).step_post == "approve"

    client.force_login(crew.approve)
    page = page_of(client.get(f"/workbench/cases/{case.pk}/"))
    assert "退回" in page and "审核通过" in page  # the timeline and the return form
    assert act(client, case, "decide", decision="approved", opinion="同意").status_code == 302
    assert fresh(case).status == Case.APPROVED

    client.force_login(crew.issue)
    assert act(client, case, "issue_result", reference="JY13419020000001").status_code == 302
    assert fresh(case).result_reference == "JY13419020000001"

    client.force_login(crew.deliver)
    # the applicant chose mail before submitting
    Case.objects.filter(pk=case.pk).update(delivery_choice="mail", delivery_address="示范市城东区东华街道1号")
    form = page_of(client.get(f"/workbench/cases/{case.pk}/"))
    assert "收件地址：示范市城东区东华街道1号" in form and 'value="window"' not in form
    not_chosen = act(client, case, "deliver", method="window")
    assert not_chosen.status_code == 422 and fresh(case).status == Case.COMPLETED
    missing = act(client, case, "deliver", method="mail", carrier="邮政EMS")
    assert missing.status_code == 422 and "邮寄送达须填写快递公司和运单号" in page_of(missing)
    assert act(client, case, "deliver", method="mail", carrier="邮政EMS", tracking_number="EM1234").status_code == 302
    case = fresh(case)
    assert case.status == Case.DELIVERED and case.tracking_number == "EM1234"
    history = page_of(client.get(f"/workbench/cases/{case.pk}/"))
    assert "送达" in history and "邮政EMS" in history and "作出决定" in history


def test_return_and_special_procedure_through_the_pages(client, east):
    version, crew = east
    case = case_in(Case.HANDLING, version, crew)[0]
    services.case_step_approve(actor=crew.review, case_id=case.pk, opinion="同意")
    client.force_login(crew.approve)
    assert act(client, case, "return_step", to_step=2, reason="核实经营场所").status_code == 302
    assert fresh(case).step_post == "review"
    client.force_login(crew.review)
    assert act(client, case, "start_special", kind="inspection", note="现场核查").status_code == 302
    assert fresh(case).status == Case.SPECIAL
    assert act(client, case, "end_special", result="场所符合要求").status_code == 302
    assert fresh(case).status == Case.HANDLING


def test_material_file_is_shown_inline_and_audited(client, east):
    version, crew = east
    case = case_in(Case.RECEIVED, version, crew)[0]
    case_file = case.files.first()
    client.force_login(crew.accept)
    page = page_of(client.get(f"/workbench/cases/{case.pk}/"))
    assert f"/workbench/cases/files/{case_file.pk}/" in page and "<iframe" in page
    response = client.get(f"/workbench/cases/files/{case_file.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert AuditEntry.objects.filter(action="case.file_view", actor_id=crew.accept.pk).count() == 1


def test_reviewers_see_shared_data_with_its_source(client, east, monkeypatch):
    crew = east[1]
    materials = [{"standard": "户口簿", "order": 1, "source": "shared", "source_ref": "population.household"}]
    version = case_item(crew.department, materials=materials)
    monkeypatch.setattr(sources, "_resolvers", {"licence": [], "shared": []})
    snapshot = {"户号": "340100123456", "户籍地址": "东华区和平路1号"}
    sources.material_source_register(
        "shared",
        lambda **_: sources.Evidence("shared", "population:3419**********1234", "市公安局·人口库", snapshot, True),
    )
    case = draft_case(version, upload=False)
    services.case_submit(actor=case.filed_by, case_id=case.pk)
    client.force_login(crew.accept)
    page = page_of(client.get(f"/workbench/cases/{case.pk}/"))
    assert "共享数据" in page and "市公安局·人口库" in page and "东华区和平路1号" in page


def test_bulk_accept_reports_accepted_and_refused(client, east):
    version, crew = east
    first = submitted_case(version)
    second = submitted_case(version)
    services.case_accept(actor=crew.accept, case_id=second.pk)  # already taken by a colleague
    client.force_login(crew.accept)
    queue = page_of(client.get(QUEUES, {"queue": "accept"}))
    assert 'name="case_ids"' in queue and "受理勾选的办件" in queue
    response = client.post(
        "/workbench/cases/bulk-accept/", {"case_ids": [first.pk, second.pk], "next": f"{QUEUES}?queue=accept"}
    )
    page = page_of(client.get(response["Location"]))
    assert fresh(first).status == Case.HANDLING
    assert f"已受理 1 件：{fresh(first).number}" in page
    assert f"{second.number} 未受理" in page


# ---------------------------------------------------------------- one window


def desk_find(client, who: str, path: str = "/workbench/cases/window/"):
    """Look the applicant up at the desk: posted, then kept in the session, never in a URL."""
    found = client.post(path, {"who": who})
    assert found.status_code == 302 and found["Location"] == path and who not in found["Location"]
    return found


@pytest.fixture
def window_clerk(client, east):
    crew = east[1]
    clerk = officer(crew.department, "window")
    client.force_login(clerk)
    return clerk


def test_window_walk_in_is_accepted_on_the_spot(client, east, window_clerk):
    version = east[0]
    villager = UserFactory().person
    desk_find(client, villager.id_number)
    found = page_of(client.get("/workbench/cases/window/", {"q": "食品"}))
    assert villager.masked_id_number in found and "食品经营许可" in found
    assert villager.id_number not in found
    started = client.post("/workbench/cases/window/", {"item_id": version.item_id})
    case = Case.objects.get(person=villager)
    assert started["Location"] == f"/workbench/cases/filing/{case.pk}/" and case.channel == Case.WINDOW

    form = page_of(client.get(started["Location"]))
    assert "店铺名称" in form and "纸质原件已核验" in form
    assert villager.id_number not in form and villager.masked_id_number in form
    id_card, premises = case.materials.filter(required=True).order_by("order")
    missing = client.post(started["Location"], {"f_shop_name": "", "action": "submit_accept"})
    assert missing.status_code == 422 and "请填写“店铺名称”" in page_of(missing)
    done = client.post(
        started["Location"],
        {
            "f_name": villager.real_name,
            "f_id_number": villager.id_number,
            "f_shop_name": "东华小吃",
            f"paper_{id_card.pk}": "on",
            f"file_{premises.pk}": _upload("场所证明.pdf", pdf_bytes()),
            "action": "submit_accept",
        },
    )
    case = fresh(case)
    assert done["Location"] == f"/workbench/cases/{case.pk}/receipt/"
    assert case.status == Case.HANDLING and case.number and case.answers["shop_name"] == "东华小吃"
    receipt = page_of(client.get(done["Location"]))
    assert case.number in receipt and "已受理" in receipt
    assert "打印受理通知书" in receipt and f"/documents/cases/{case.pk}/receipt.pdf" in receipt


def test_the_window_records_how_the_walk_in_wants_the_result(client, east, window_clerk):
    version = east[0]
    villager = UserFactory().person
    desk_find(client, villager.id_number)
    started = client.post("/workbench/cases/window/", {"item_id": version.item_id})
    form = page_of(client.get(started["Location"]))
    assert "办理结果的领取方式（请询问申请人）" in form and "邮寄送达" in form
    no_address = client.post(started["Location"], {"f_shop_name": "街角小吃", "delivery": "mail", "action": "save"})
    assert no_address.status_code == 422 and "收件地址" in page_of(no_address)
    client.post(
        started["Location"],
        {"f_shop_name": "街角小吃", "delivery": "mail", "delivery_address": "示范市城东区幸福路8号", "action": "save"},
    )
    case = Case.objects.get(person=villager)
    assert (case.delivery_choice, case.delivery_address) == ("mail", "示范市城东区幸福路8号")


def test_the_clerk_sees_the_full_name_of_the_person_at_the_desk_and_the_read_is_audited(client, east, window_clerk):
    villager = UserFactory().person
    desk_find(client, villager.id_number)
    page = page_of(client.get("/workbench/cases/window/"))
    assert f"在您面前的是 <strong>{villager.real_name}</strong>" in page
    assert villager.masked_id_number in page and villager.id_number not in page
    [entry] = AuditEntry.objects.filter(action="person.identify", object_id=str(villager.pk))
    assert (entry.actor_id, entry.detail["via"]) == (window_clerk.pk, "window")


def test_window_gives_a_one_time_correction_notice(client, east, window_clerk):
    version = east[0]
    villager = UserFactory().person
    desk_find(client, villager.id_number)
    client.post("/workbench/cases/window/", {"item_id": version.item_id})
    case = Case.objects.get(person=villager)
    id_card, premises = case.materials.filter(required=True).order_by("order")
    client.post(
        f"/workbench/cases/filing/{case.pk}/",
        {
            "f_name": villager.real_name,
            "f_id_number": villager.id_number,
            "f_shop_name": "东华小吃",
            f"paper_{id_card.pk}": "on",
            f"paper_{premises.pk}": "on",
            f"correct_{premises.pk}": "on",
            f"correct_reason_{premises.pk}": "租赁合同已过期",
            "action": "submit_correction",
        },
    )
    case = fresh(case)
    assert case.status == Case.CORRECTION
    assert CaseCorrection.objects.get(case=case).items[0]["reason"] == "租赁合同已过期"


def test_window_offers_only_items_of_the_clerks_region(client, east, west, window_clerk):
    villager = UserFactory().person
    desk_find(client, villager.id_number)
    page = page_of(client.get("/workbench/cases/window/"))
    assert f'value="{east[0].item_id}"' in page and f'value="{west[0].item_id}"' not in page
    refused = client.post("/workbench/cases/window/", {"item_id": west[0].item_id})
    assert refused.status_code == 302 and not Case.objects.filter(person=villager).exists()


def test_an_unknown_id_number_is_reported_and_forgets_the_last_applicant(client, east, window_clerk):
    villager = UserFactory().person
    desk_find(client, villager.id_number)
    stranger = client.post("/workbench/cases/window/", {"who": "11010519491231002X"})
    assert stranger.status_code == 200 and "没有找到该证件号码" in page_of(stranger)
    assert villager.masked_id_number not in page_of(client.get("/workbench/cases/window/"))


def test_window_needs_a_front_desk_post(client, east):
    client.force_login(east[1].review)
    assert client.get("/workbench/cases/window/").status_code == 403


# ---------------------------------------------------------------- agent filing


@pytest.fixture
def agent(client, east):
    village = region_tree()["341902001001"]
    user = officer(DepartmentFactory(region=village), "agent")
    client.force_login(user)
    return user


def _upload(name, content):
    return SimpleUploadedFile(name, content)


def test_agent_files_for_a_villager_with_sms_consent(client, east, agent, sms_gateway):
    version = east[0]
    villager = UserFactory()
    assert "代办" in page_of(client.get("/workbench/"))
    desk_find(client, villager.person.id_number, "/workbench/cases/agent/")
    client.post("/workbench/cases/agent/", {"item_id": version.item_id})
    sent = client.post("/workbench/cases/agent/consent/", {"action": "sms_send"}, follow=True)
    assert f"已发送至 {mask('phone', villager.person.phone)}" in page_of(sent)
    [message] = sms_gateway.received
    assert message["phone"] == villager.person.phone and "食品经营许可" in message["text"]
    code = re.search(r"验证码为(\d{6})", message["text"]).group(1)
    wrong_code = f"{(int(code) + 1) % 1_000_000:06d}"
    wrong = client.post("/workbench/cases/agent/consent/", {"action": "sms_confirm", "code": wrong_code})
    assert wrong.status_code == 422 and "验证码不正确" in page_of(wrong)
    assert not Case.objects.filter(person=villager.person).exists()

    confirmed = client.post("/workbench/cases/agent/consent/", {"action": "sms_confirm", "code": code})
    case = Case.objects.get(person=villager.person)
    assert confirmed["Location"] == f"/workbench/cases/filing/{case.pk}/"
    assert case.channel == Case.AGENT and case.consent["method"] == "sms"
    assert case.consent["phone_masked"] == mask("phone", villager.person.phone) and case.consent["confirmed_at"]

    uploads = {f"file_{m.pk}": _upload("扫描件.pdf", pdf_bytes()) for m in case.materials.filter(required=True)}
    submitted = client.post(
        f"/workbench/cases/filing/{case.pk}/",
        {
            "f_name": villager.person.real_name,
            "f_id_number": villager.person.id_number,
            "f_shop_name": "村口小卖部",
            "action": "submit",
            **uploads,
        },
    )
    case = fresh(case)
    assert submitted["Location"] == f"/workbench/cases/{case.pk}/receipt/"
    assert case.status == Case.RECEIVED and case.filed_by == agent
    assert case in selectors.cases_of_applicant(actor=villager).object_list  # the villager follows it
    assert case.number in page_of(client.get("/workbench/cases/agent/"))  # and so does the agent


def test_without_an_sms_gateway_the_agent_is_told_to_use_a_signature(client, east, agent, sms_gateway):
    villager = UserFactory()
    desk_find(client, villager.person.id_number, "/workbench/cases/agent/")
    client.post("/workbench/cases/agent/", {"item_id": east[0].item_id})
    sms_gateway.status = 503
    refused = client.post("/workbench/cases/agent/consent/", {"action": "sms_send"})
    assert refused.status_code == 503 and "短信平台暂时无法发送" in page_of(refused)
    assert "已发送至" not in page_of(client.get("/workbench/cases/agent/consent/"))


def test_agent_signature_consent_keeps_the_hash(client, east, agent):
    version = east[0]
    villager = UserFactory()
    desk_find(client, villager.person.id_number, "/workbench/cases/agent/")
    client.post("/workbench/cases/agent/", {"item_id": version.item_id})
    not_image = client.post(
        "/workbench/cases/agent/consent/", {"action": "signature", "signature": _upload("签名.pdf", pdf_bytes())}
    )
    assert not_image.status_code == 422 and "签名须为PNG或JPG图片" in page_of(not_image)
    client.post(
        "/workbench/cases/agent/consent/", {"action": "signature", "signature": _upload("签名.png", png_bytes())}
    )
    case = Case.objects.get(person=villager.person)
    assert case.consent["method"] == "signature" and len(case.consent["sha256"]) == 64
    assert case.files.filter(material__name__contains="授权", sha256=case.consent["sha256"]).exists()
