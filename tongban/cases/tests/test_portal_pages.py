"""The applicant's pages: apply from a guide to a case number, my cases, the case page, corrections,
withdrawal — through the Django test client, as a browser without JavaScript and as HTMX."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tongban.accounts.tests.factories import UserFactory
from tongban.cases import services
from tongban.cases.models import Case, CaseFile
from tongban.cases.tests.factories import case_in, case_item, draft_case, pdf_bytes, png_bytes, submitted_case
from tongban.notifications.models import Notification

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def version():
    return case_item(conditions="申请人应当具有与经营的食品品种、数量相适应的经营场所。")


@pytest.fixture
def user(client):
    user = UserFactory()
    client.force_login(user)
    return user


def _started(client, version) -> Case:
    response = client.get(f"/me/cases/apply/{version.item_id}/")
    assert response.status_code == 302
    case_id = int(re.search(r"/me/cases/drafts/(\d+)/", response["Location"]).group(1))
    return Case.objects.get(pk=case_id)


def _form(user, **answers) -> dict:
    return {
        "eligible": "1",
        "f_name": user.person.real_name,
        "f_id_number": user.person.id_number,
        "f_shop_name": "老街面馆",
        "f_has_agent": "false",
        **answers,
    }


def _upload(client, case, material, name="证明.pdf", content=None, **extra):
    upload = SimpleUploadedFile(name, content if content is not None else pdf_bytes(), "application/pdf")
    return client.post(f"/me/cases/drafts/{case.pk}/files/", {"material_id": material.pk, "file": upload}, **extra)


def test_the_guide_offers_online_application_and_anonymous_users_log_in_first(client, version):
    page = client.get(f"/services/{version.item_id}/").content.decode()
    assert "在线申请" in page and f'href="/login/?next=/me/cases/apply/{version.item_id}/"' in page

    client.force_login(UserFactory())
    page = client.get(f"/services/{version.item_id}/").content.decode()
    assert f'href="/me/cases/apply/{version.item_id}/"' in page


def test_every_page_needs_a_login(client, version):
    for url in ("/me/cases/", f"/me/cases/apply/{version.item_id}/", "/me/cases/drafts/1/", "/me/inbox/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(f"/login/?next={url[:4]}"), url


def test_apply_from_start_to_case_number(client, user, version, django_capture_on_commit_callbacks):
    case = _started(client, version)
    page = client.get(f"/me/cases/drafts/{case.pk}/").content.decode()
    assert "我已阅读并符合受理条件" in page and "相适应的经营场所" in page
    assert user.person.real_name in page and 'name="f_shop_name"' in page  # prefilled from the profile
    assert "授权委托书" not in page  # only when an agent files

    saved = client.post(f"/me/cases/drafts/{case.pk}/save/", _form(user), **HTMX)
    assert "已自动保存" in saved.content.decode()
    case.refresh_from_db()
    assert case.answers["shop_name"] == "老街面馆" and case.answers["has_agent"] is False
    assert case.eligibility["confirmed"] is True

    # The same draft opens again from the guide (on another device, say): nothing is lost.
    assert _started(client, version).pk == case.pk
    assert "老街面馆" in client.get(f"/me/cases/drafts/{case.pk}/").content.decode()

    for material in case.materials.filter(required=True):
        assert _upload(client, case, material, **HTMX).status_code == 200
    review = client.get(f"/me/cases/drafts/{case.pk}/review/").content.decode()
    assert "老街面馆" in review and "提交前还需处理" not in review

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/me/cases/drafts/{case.pk}/submit/", follow=True)
    case.refresh_from_db()
    assert case.status == Case.RECEIVED and case.number
    assert response.redirect_chain[-1][0] == f"/me/cases/{case.number}/"
    page = response.content.decode()
    assert f"办件编号 {case.number}" in page and "等待部门受理" in page and "国家状态代码" not in page
    assert "您提交了申请" in page

    inbox = client.get("/me/inbox/").content.decode()
    assert "申请已提交" in inbox and case.number in inbox


def test_someone_acting_for_an_enterprise_chooses_the_identity_first(client, user, version):
    from tongban.accounts import services as accounts_services
    from tongban.accounts.tests.factories import LegalPersonFactory

    enterprise = LegalPersonFactory(legal_representative=user.person)
    accounts_services.legal_person_bind(user=user, uscc=enterprise.uscc, name=enterprise.name)
    page = client.get(f"/me/cases/apply/{version.item_id}/").content.decode()
    assert "以个人身份" in page and "以企业身份" in page and enterprise.name in page
    assert not Case.objects.exists()

    response = client.post(f"/me/cases/apply/{version.item_id}/", {"as": str(enterprise.pk)})
    case = Case.objects.get()
    assert response["Location"] == f"/me/cases/drafts/{case.pk}/"
    assert case.legal_person_id == enterprise.pk and case.applicant_name == enterprise.name


def test_an_item_whose_licence_an_enterprise_holds_is_applied_for_only_as_one(client, user, version):
    from tongban.accounts import services as accounts_services
    from tongban.accounts.tests.factories import LegalPersonFactory
    from tongban.licences.models import LicenceType
    from tongban.licences.tests.factories import licence_type

    licence_type(
        department=version.item.department, short_code="SPJYXKZ", name="食品经营许可证", holder_kind=LicenceType.LEGAL
    )
    alone = client.get(f"/me/cases/apply/{version.item_id}/").content.decode()
    assert "持证人是经营主体" in alone and "去绑定企业" in alone and "以个人身份" not in alone
    refused = client.post(f"/me/cases/apply/{version.item_id}/", {"as": "person"})
    assert refused.status_code == 422 and not Case.objects.exists()

    enterprise = LegalPersonFactory(legal_representative=user.person)
    accounts_services.legal_person_bind(user=user, uscc=enterprise.uscc, name=enterprise.name)
    page = client.get(f"/me/cases/apply/{version.item_id}/").content.decode()
    assert "以个人身份" not in page and enterprise.name in page
    client.post(f"/me/cases/apply/{version.item_id}/", {"as": str(enterprise.pk)})
    assert Case.objects.get().legal_person_id == enterprise.pk


def test_a_refused_upload_says_why_keeps_nothing_and_keeps_the_page(client, user, version, _media):
    case = _started(client, version)
    client.post(f"/me/cases/drafts/{case.pk}/save/", _form(user, f_shop_name="街角小馆"), **HTMX)
    material = case.materials.first()

    response = _upload(client, case, material, name="身份证.pdf", content="这不是PDF".encode())
    page = response.content.decode()
    assert response.status_code == 422
    assert "文件“身份证.pdf”不是PDF、JPG或PNG格式（按文件内容判断），请转换后上传。" in page
    assert "街角小馆" in page  # the form as the server keeps it
    assert not CaseFile.objects.exists()
    assert not [p for p in _media.rglob("*") if p.is_file()]

    fragment = _upload(client, case, material, name="身份证.pdf", content=b"plain text", **HTMX).content.decode()
    assert 'id="materials"' in fragment and "请转换后上传" in fragment and "<html" not in fragment
    assert not CaseFile.objects.exists()


def test_uploaded_files_show_size_and_pages_and_can_be_removed(client, user, version):
    case = _started(client, version)
    material = case.materials.first()
    _upload(client, case, material, name="身份证.pdf", content=pdf_bytes(pages=2), **HTMX)
    page = client.get(f"/me/cases/drafts/{case.pk}/").content.decode()
    assert "身份证.pdf" in page and "2页" in page

    case_file = CaseFile.objects.get()
    assert client.get(f"/me/cases/files/{case_file.pk}/").status_code == 200
    fragment = client.post(f"/me/cases/files/{case_file.pk}/remove/", **HTMX).content.decode()
    assert "身份证.pdf" not in fragment and "尚未上传" in fragment
    assert not CaseFile.objects.exists()


def test_a_conditional_material_appears_only_when_its_rule_applies(client, user, version):
    case = _started(client, version)
    assert "授权委托书" not in client.get(f"/me/cases/drafts/{case.pk}/").content.decode()

    saved = client.post(f"/me/cases/drafts/{case.pk}/save/", _form(user, f_has_agent="true"), **HTMX).content.decode()
    assert 'hx-swap-oob="true"' in saved and "授权委托书" in saved  # the list changes without a reload
    assert "授权委托书" in client.get(f"/me/cases/drafts/{case.pk}/").content.decode()

    saved = client.post(f"/me/cases/drafts/{case.pk}/save/", _form(user, f_has_agent="false"), **HTMX).content.decode()
    assert "授权委托书" not in saved.split("已自动保存")[0]
    assert "授权委托书" not in client.get(f"/me/cases/drafts/{case.pk}/").content.decode()

    saved = client.post(f"/me/cases/drafts/{case.pk}/save/", _form(user, f_shop_name="改个名"), **HTMX).content.decode()
    assert "hx-swap-oob" not in saved  # nothing to redraw when the materials stay the same


def test_licence_and_shared_materials_say_they_will_be_fetched_not_that_they_were(client, user):
    materials = [{"standard": "营业执照", "order": 1, "source": "licence", "source_ref": "YYZZ"}]
    version = case_item(materials=materials)
    case = _started(client, version)
    page = client.get(f"/me/cases/drafts/{case.pk}/").content.decode()
    assert "将从电子证照库调取" in page and "提交时由平台经您授权自动调取" in page
    assert "已由电子证照提供" not in page  # only once it was
    assert 'name="file"' in page  # an upload stays offered in case the licence cannot be fetched


def test_submitting_with_a_missing_material_lists_it(client, user, version):
    case = _started(client, version)
    client.post(f"/me/cases/drafts/{case.pk}/save/", _form(user), **HTMX)
    _upload(client, case, case.materials.get(name="居民身份证"), **HTMX)

    response = client.post(f"/me/cases/drafts/{case.pk}/submit/")
    page = response.content.decode()
    assert response.status_code == 422
    assert "还缺1项材料" in page and "请提交“经营场所证明”。" in page
    case.refresh_from_db()
    assert case.status == Case.DRAFT and case.number is None


def test_submitting_with_form_errors_shows_each_beside_its_field(client, user, version):
    case = _started(client, version)
    client.post(f"/me/cases/drafts/{case.pk}/save/", _form(user, f_shop_name="", f_id_number="123"), **HTMX)
    response = client.post(f"/me/cases/drafts/{case.pk}/submit/")
    page = response.content.decode()
    assert response.status_code == 422
    assert "申请表有2处需要修改" in page and "请填写“店铺名称”。" in page
    assert "请上传“居民身份证”。" in page  # missing materials are listed at the same time

    page = client.get(f"/me/cases/drafts/{case.pk}/?check=1").content.decode()
    assert re.search(r'id="field-shop_name".*?请填写“店铺名称”。', page, re.S)


def test_submitting_without_confirming_the_conditions_is_refused(client, user, version):
    case = draft_case(version, user)
    Case.objects.filter(pk=case.pk).update(eligibility={})
    response = client.post(f"/me/cases/drafts/{case.pk}/submit/")
    assert response.status_code == 422 and "我已阅读并符合受理条件" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.DRAFT


def test_another_user_finds_neither_the_draft_nor_the_case(client, version):
    draft = draft_case(version)
    case = submitted_case(version)
    client.force_login(UserFactory())
    material = draft.materials.first()
    for response in (
        client.get(f"/me/cases/drafts/{draft.pk}/"),
        client.get(f"/me/cases/drafts/{draft.pk}/review/"),
        client.post(f"/me/cases/drafts/{draft.pk}/save/", {"f_shop_name": "偷改"}),
        client.post(f"/me/cases/drafts/{draft.pk}/submit/"),
        _upload(client, draft, material),
        client.get(f"/me/cases/{case.number}/"),
        client.get(f"/me/cases/{case.number}/status/"),
        client.post(f"/me/cases/{case.number}/withdraw/"),
        client.get(f"/me/cases/files/{draft.files.first().pk}/"),
        client.post(f"/me/cases/files/{draft.files.first().pk}/remove/"),
    ):
        assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.answers["shop_name"] == "老街面馆" and draft.files.count() == 2
    assert Case.objects.get(pk=case.pk).status == Case.RECEIVED


def _files_uploaded_yesterday(case):
    """The service tells re-uploads by the notice's date: files of the original application must
    predate it, as they do outside a test that runs in one day."""
    CaseFile.objects.filter(case=case).update(uploaded_at=timezone.now() - dt.timedelta(days=1))


def test_answering_a_correction(client, django_capture_on_commit_callbacks):
    case, _crew = case_in(Case.CORRECTION)
    _files_uploaded_yesterday(case)
    client.force_login(case.filed_by)
    page = client.get(f"/me/cases/{case.number}/").content.decode()
    assert "补正中" in page and "照片模糊" in page and "一次性告知" in page and "国家状态代码" not in page
    assert "请上传新的文件" in page and "已补传新文件" not in page

    response = client.post(f"/me/cases/{case.number}/correction/", {"answer": "已重新拍照"})
    assert response.status_code == 422 and "请补交“居民身份证”。" in response.content.decode()

    material = case.materials.first()
    upload = SimpleUploadedFile("新照片.png", png_bytes(), "image/png")
    fragment = client.post(
        f"/me/cases/{case.number}/files/", {"material_id": material.pk, "file": upload}, **HTMX
    ).content.decode()
    assert "新照片.png" in fragment and "已补传新文件" in fragment

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/me/cases/{case.number}/correction/", {"answer": "已重新拍照"}, follow=True)
    page = response.content.decode()
    assert "补正材料已提交" in page and "您提交了补正材料" in page
    assert Case.objects.get(pk=case.pk).status == Case.RECEIVED


@pytest.mark.parametrize(
    "renewal",
    ["none", "file_before_the_notice", "file_after_the_notice", "paper"],
)
def test_the_page_and_the_answer_agree_on_what_was_renewed(client, renewal):
    case, _crew = case_in(Case.CORRECTION)
    _files_uploaded_yesterday(case)
    material = case.materials.first()
    notice = case.corrections.get()
    if renewal == "file_before_the_notice":
        services.case_file_add(
            actor=case.filed_by, case_id=case.pk, material_id=material.pk, name="旧.pdf", content=pdf_bytes()
        )
        CaseFile.objects.filter(material=material, original_name="旧.pdf").update(uploaded_at=notice.requested_at)
    elif renewal == "file_after_the_notice":
        services.case_file_add(
            actor=case.filed_by, case_id=case.pk, material_id=material.pk, name="新.pdf", content=pdf_bytes()
        )
    elif renewal == "paper":
        type(material).objects.filter(pk=material.pk).update(provided=type(material).PAPER)
    client.force_login(case.filed_by)
    shown_renewed = "已补传新文件" in client.get(f"/me/cases/{case.number}/").content.decode()
    answer = client.post(f"/me/cases/{case.number}/correction/", {"answer": "已补交"})
    accepted = answer.status_code == 302
    assert shown_renewed == accepted == (renewal in ("file_after_the_notice", "paper"))


def test_a_refused_correction_upload_is_shown_beside_the_material(client):
    case, _crew = case_in(Case.CORRECTION)
    client.force_login(case.filed_by)
    upload = SimpleUploadedFile("照片.jpg", b"not an image", "image/jpeg")
    response = client.post(
        f"/me/cases/{case.number}/files/", {"material_id": case.materials.first().pk, "file": upload}
    )
    assert response.status_code == 422 and "不是PDF、JPG或PNG格式" in response.content.decode()


def test_withdrawing_asks_first_and_ends_the_case(client, django_capture_on_commit_callbacks):
    case, _crew = case_in(Case.RECEIVED)
    client.force_login(case.filed_by)
    assert "撤回申请" in client.get(f"/me/cases/{case.number}/").content.decode()
    confirm = client.get(f"/me/cases/{case.number}/withdraw/").content.decode()
    assert "确定要撤回" in confirm and Case.objects.get(pk=case.pk).status == Case.RECEIVED

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(f"/me/cases/{case.number}/withdraw/", {"reason": "不办了"}, follow=True).content.decode()
    assert "申请已撤回" in page and "已撤回" in page and "国家状态代码" not in page
    assert Case.objects.get(pk=case.pk).status == Case.WITHDRAWN
    assert "/withdraw/" not in page
    assert "申请已撤回" in client.get("/me/inbox/").content.decode()


def test_a_completed_case_tells_where_to_pick_up_the_result(client):
    case, _crew = case_in(Case.COMPLETED)
    client.force_login(case.filed_by)
    page = client.get(f"/me/cases/{case.number}/").content.decode()
    assert "已办结" in page and "领取办理结果" in page and "窗口领取" in page and "食品经营许可证" in page
    assert "/withdraw/" not in page and 'hx-trigger="every 30s"' in page  # delivery is still to come


def test_the_status_box_is_polled_and_notices_progress(client):
    case, crew = case_in(Case.RECEIVED)
    client.force_login(case.filed_by)
    page = client.get(f"/me/cases/{case.number}/").content.decode()
    assert f'hx-get="/me/cases/{case.number}/status/?revision={case.revision}"' in page
    assert 'hx-trigger="every 30s"' in page

    fragment = client.get(f"/me/cases/{case.number}/status/?revision={case.revision}", **HTMX).content.decode()
    assert "已接件" in fragment and "办件有新进展" not in fragment and "<html" not in fragment
    services.case_accept(actor=crew.accept, case_id=case.pk)
    fragment = client.get(f"/me/cases/{case.number}/status/?revision={case.revision}", **HTMX).content.decode()
    assert "办理中" in fragment and "办件有新进展" in fragment and f"?revision={case.revision}" in fragment


def test_the_timeline_speaks_plainly(client):
    case, _crew = case_in(Case.DELIVERED)
    client.force_login(case.filed_by)
    page = client.get(f"/me/cases/{case.number}/").content.decode()
    for sentence in ("您提交了申请", "受理了您的申请", "进入“审核”环节", "作出了审批决定：审批通过", "办理结果已送达"):
        assert sentence in page, sentence
    assert "approve_step" not in page and "国家状态代码" not in page
    assert "hx-trigger" not in page  # the case has ended: nothing more to poll for


def test_a_completed_case_waiting_for_delivery_is_no_longer_in_progress(client):
    completed, _crew = case_in(Case.COMPLETED)
    client.force_login(completed.filed_by)
    assert completed.number not in client.get("/me/cases/").content.decode()
    finished = client.get("/me/cases/?tab=done").content.decode()
    assert completed.number in finished and "已办结" in finished


def test_my_cases_has_tabs_and_empty_states(client, user, version):
    page = client.get("/me/cases/").content.decode()
    assert "您没有正在办理的办件" in page
    open_case = submitted_case(version, user)
    ended = submitted_case(version, user)
    services.case_withdraw(actor=user, case_id=ended.pk)
    draft_case(version, user)

    page = client.get("/me/cases/").content.decode()
    assert open_case.number in page and Case.objects.get(pk=ended.pk).number not in page
    page = client.get("/me/cases/?tab=done").content.decode()
    assert Case.objects.get(pk=ended.pk).number in page and open_case.number not in page and "已撤回" in page
    page = client.get("/me/cases/?tab=drafts").content.decode()
    assert "继续填写" in page and "删除草稿" in page and open_case.number not in page


def test_a_draft_can_be_discarded(client, user, version):
    case = draft_case(version, user)
    response = client.post(f"/me/cases/drafts/{case.pk}/discard/", follow=True)
    assert "已删除" in response.content.decode() and not Case.objects.filter(pk=case.pk).exists()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_my_cases_makes_the_same_queries_however_many_cases(client, user, version, django_assert_max_num_queries):
    for _ in range(3):
        submitted_case(version, user)
        draft_case(version, user)
    with django_assert_max_num_queries(12):
        page = client.get("/me/cases/").content.decode()
    assert page.count('class="mono"') == 3
    few = {url: _queries(client, url) for url in ("/me/cases/", "/me/cases/?tab=drafts", "/me/cases/?tab=done")}
    for _ in range(3):
        submitted_case(version, user)
        draft_case(version, user)
    assert {url: _queries(client, url) for url in few} == few


def test_a_case_page_links_the_documents_of_the_case(client):
    case, _crew = case_in(Case.CORRECTION)
    client.force_login(case.filed_by)
    page = client.get(f"/me/cases/{case.number}/").content.decode()
    assert 'id="documents"' in page and f"/documents/cases/{case.pk}/correction.pdf" in page


def test_a_case_page_lists_documents_when_the_documents_module_offers_them(client, monkeypatch):
    from tongban.cases import views_portal

    case, _crew = case_in(Case.RECEIVED)
    client.force_login(case.filed_by)

    class Link:
        title, url = "受理通知书", "/documents/receipt.pdf"

    monkeypatch.setattr(views_portal, "document_links", lambda case: [Link()])
    page = client.get(f"/me/cases/{case.number}/").content.decode()
    assert "受理通知书" in page and "/documents/receipt.pdf" in page


def test_the_nav_shows_my_cases_and_the_unread_count(client, user, version, django_capture_on_commit_callbacks):
    page = client.get("/").content.decode()
    assert "我的办件" in page and ">消息</a>" in page
    with django_capture_on_commit_callbacks(execute=True):
        submitted_case(version, user)
    assert Notification.objects.filter(recipient=user).count() == 1
    page = client.get("/").content.decode()
    assert re.search(r'消息 <span class="badge[^"]*" aria-label="1条未读">1</span>', page)


EVERY_KIND = [
    {"order": 1, "key": "shop", "label": "店铺名称", "kind": "text", "rules": {"max_length": 20}},
    {"order": 2, "key": "scope", "label": "经营范围说明", "kind": "textarea"},
    {"order": 3, "key": "area", "label": "经营面积", "kind": "number"},
    {"order": 4, "key": "opening", "label": "开业日期", "kind": "date"},
    {"order": 5, "key": "mode", "label": "经营方式", "kind": "choice", "options": ["堂食", "外卖"]},
    {"order": 6, "key": "items", "label": "经营项目", "kind": "multichoice", "options": ["热食", "冷食", "饮品"]},
    {"order": 7, "key": "id_number", "label": "负责人身份证号", "kind": "id_number", "prefill": "person.id_number"},
    {"order": 8, "key": "uscc", "label": "统一社会信用代码", "kind": "uscc", "required": False},
    {"order": 9, "key": "phone", "label": "联系电话", "kind": "phone", "prefill": "person.phone"},
    {"order": 10, "key": "address", "label": "经营地址", "kind": "address"},
    {"order": 11, "key": "capital", "label": "注册资本", "kind": "money"},
    {"order": 12, "key": "staff", "label": "从业人员", "kind": "table", "options": ["姓名", "岗位"]},
    {"order": 13, "key": "chain", "label": "是否连锁经营", "kind": "boolean"},
    {"order": 14, "key": "plan", "label": "平面图", "kind": "file", "required": False},
]


def test_every_field_kind_renders_saves_and_submits(client, user, django_capture_on_commit_callbacks):
    from tongban.catalog import services as catalog_services
    from tongban.catalog.tests.factories import draft_item, standard_material

    version = draft_item()
    catalog_services.version_parts_replace(
        actor=None,
        version_id=version.pk,
        form_fields=EVERY_KIND,
        materials=[{"standard": standard_material("居民身份证"), "order": 1}],
    )
    version = catalog_services.version_publish(actor=None, version_id=version.pk)
    case = _started(client, version)
    page = client.get(f"/me/cases/drafts/{case.pk}/").content.decode()
    for name in ("f_shop", "f_scope", "f_area", "f_opening", "f_mode", "f_items", "f_uscc", "f_address__region"):
        assert f'name="{name}"' in page, name
    assert 'name="f_staff__0__1"' in page and 'name="f_chain" value="true"' in page and 'name="f_plan"' in page
    assert user.person.phone in page  # prefilled

    region = case.region_code[:6].ljust(12, "0")
    form = {
        "f_shop": "老街面馆",
        "f_scope": "中式面点",
        "f_area": "56.5",
        "f_opening": "2026-12-01",
        "f_mode": "堂食",
        "f_items": ["热食", "饮品"],
        "f_id_number": user.person.id_number,
        "f_uscc": "",
        "f_phone": user.person.phone,
        "f_address__region": region,
        "f_address__detail": "幸福路12号",
        "f_capital": "1,234.5",
        "f_staff__rows": "4",
        "f_staff__0__0": "王五",
        "f_staff__0__1": "厨师",
        "f_staff__2__0": "赵六",
        "f_chain": "false",
        "f_plan": "",
    }
    client.post(f"/me/cases/drafts/{case.pk}/save/", form, **HTMX)
    case.refresh_from_db()
    assert case.answers["items"] == ["热食", "饮品"] and case.answers["chain"] is False
    assert case.answers["address"] == {"region": region, "detail": "幸福路12号"}
    assert case.answers["staff"] == [{"姓名": "王五", "岗位": "厨师"}, {"姓名": "赵六", "岗位": ""}]
    page = client.get(f"/me/cases/drafts/{case.pk}/").content.decode()
    assert 'value="热食" checked' in page and 'value="false" checked' in page and 'value="王五"' in page

    _upload(client, case, case.materials.get(), **HTMX)
    review = client.get(f"/me/cases/drafts/{case.pk}/review/").content.decode()
    assert "提交前还需处理" not in review, review
    assert "热食、饮品" in review and "1,234.5 元" in review and "幸福路12号" in review and "<td>赵六</td>" in review

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/me/cases/drafts/{case.pk}/submit/", follow=True)
    case.refresh_from_db()
    assert case.status == Case.RECEIVED and case.answers["capital"] == 123450
    assert "1234.50 元" in response.content.decode()
