"""Case services beyond the transition table: submission, uploads, numbers, sources, events,
notifications, metrics and the audit trail."""

import hashlib
import re

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.accounts.tests.factories import UserFactory
from tongban.cases import results, services, sources
from tongban.cases.models import Case, CaseFile, CaseMaterial
from tongban.cases.tests.factories import (
    ANSWERS,
    applicant,
    case_in,
    case_item,
    draft_case,
    officer,
    pdf_bytes,
    png_bytes,
)
from tongban.core.errors import Conflict, NotFound, PermissionDenied, Unavailable, ValidationFailed
from tongban.core.events import events_dispatch
from tongban.core.models import AuditEntry, OutboxEvent
from tongban.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_a_case_number_is_region_date_item_and_sequence():
    version = case_item()
    first = services.case_submit(actor=(d := draft_case(version)).filed_by, case_id=d.pk)
    second = services.case_submit(actor=(d := draft_case(version)).filed_by, case_id=d.pk)
    region = version.item.department.region.code
    pattern = rf"{region}\d{{8}}{version.item_id:06d}(\d{{4}})"
    sequences = [int(re.fullmatch(pattern, case.number).group(1)) for case in (first, second)]
    assert sequences == [1, 2]


def test_submission_lists_every_form_problem_and_missing_material_at_once():
    version = case_item()
    user = applicant()
    case = services.case_draft_start(actor=user, item_id=version.item_id)
    services.case_draft_save(actor=user, case_id=case.pk, answers={"id_number": "110101199003077", "name": "张三"})
    with pytest.raises(ValidationFailed) as refused:
        services.case_submit(actor=user, case_id=case.pk)
    assert refused.value.code == "form_invalid"
    assert any("店铺名称" in p for p in refused.value.problems)
    assert any("身份证" in p or "公民身份号码" in p for p in refused.value.problems)
    services.case_draft_save(actor=user, case_id=case.pk, answers={**ANSWERS, "id_number": user.person.id_number})
    with pytest.raises(ValidationFailed) as refused:
        services.case_submit(actor=user, case_id=case.pk)
    assert refused.value.problems == ["请提交“居民身份证”。", "请提交“经营场所证明”。"]
    assert Case.objects.get(pk=case.pk).status == Case.DRAFT


def test_a_conditional_material_is_kept_only_when_its_rule_applies():
    version = case_item()
    without = services.case_submit(actor=(d := draft_case(version)).filed_by, case_id=d.pk)
    assert not without.materials.filter(name="授权委托书").exists()
    with_agent = draft_case(version, answers={**ANSWERS, "has_agent": True})
    with pytest.raises(ValidationFailed) as refused:
        services.case_submit(actor=with_agent.filed_by, case_id=with_agent.pk)
    assert refused.value.code == "materials_missing"
    assert refused.value.problems == ["请提交“授权委托书”。"]


def test_an_upload_is_judged_by_its_content_not_its_name():
    case = draft_case(case_item())
    material = case.materials.first()
    with pytest.raises(ValidationFailed) as refused:
        services.case_file_add(
            actor=case.filed_by, case_id=case.pk, material_id=material.pk, name="证明.pdf", content=b"just text"
        )
    assert refused.value.code == "upload_type_refused"
    with pytest.raises(ValidationFailed) as refused:
        services.case_file_add(
            actor=case.filed_by, case_id=case.pk, material_id=material.pk, name="坏.pdf", content=b"%PDF-1.4 garbage"
        )
    assert refused.value.code == "upload_pdf_broken"
    kept = services.case_file_add(
        actor=case.filed_by, case_id=case.pk, material_id=material.pk, name="照片.png", content=png_bytes()
    )
    assert (kept.content_type, kept.pages, len(kept.sha256)) == ("image/png", 1, 64)
    pdf = services.case_file_add(
        actor=case.filed_by, case_id=case.pk, material_id=material.pk, name="三页.pdf", content=pdf_bytes(pages=3)
    )
    assert pdf.pages == 3
    assert default_storage.exists(pdf.file.name)


def test_uploads_over_the_size_or_page_limit_are_refused(settings):
    case = draft_case(case_item())
    material = case.materials.first()
    settings.TONGBAN_UPLOAD_MAX_PAGES = 2
    with pytest.raises(ValidationFailed) as refused:
        services.case_file_add(
            actor=case.filed_by, case_id=case.pk, material_id=material.pk, name="长.pdf", content=pdf_bytes(3)
        )
    assert refused.value.code == "upload_pdf_too_long"
    settings.TONGBAN_UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationFailed) as refused:
        services.case_file_add(
            actor=case.filed_by, case_id=case.pk, material_id=material.pk, name="大.png", content=png_bytes() * 3
        )
    assert refused.value.code == "upload_too_large"


def test_an_application_whose_upload_fails_leaves_nothing_behind():
    version = case_item()
    user = applicant()
    answers = {**ANSWERS, "name": user.person.real_name, "id_number": user.person.id_number}
    uploads = [
        services.Upload(standard_code="M-居民身份证", name="身份证.pdf", content=pdf_bytes()),
        services.Upload(standard_code="M-经营场所证明", name="场所.pdf", content=b"not a pdf"),
    ]
    cases_before, files_before = Case.objects.count(), CaseFile.objects.count()
    with pytest.raises(ValidationFailed):
        services.case_apply(actor=user, item_id=version.item_id, answers=answers, uploads=uploads)
    assert (Case.objects.count(), CaseFile.objects.count()) == (cases_before, files_before)


def test_an_application_made_in_one_go_is_written_once_with_only_the_materials_that_apply(
    django_capture_on_commit_callbacks,
):
    version = case_item()
    user = applicant()
    answers = {**ANSWERS, "name": user.person.real_name, "id_number": user.person.id_number}  # no agent
    uploads = [
        services.Upload(standard_code=f"M-{name}", name=f"{name}.pdf", content=pdf_bytes(pages))
        for pages, name in enumerate(("居民身份证", "经营场所证明", "授权委托书"), start=1)
    ]
    not_kept = hashlib.sha256(uploads[2].content).hexdigest()[:16]  # stored files are named by their hash
    stored_before = _stored_named(not_kept)  # other tests may have stored the same content
    with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks(execute=True):
        case = services.case_apply(actor=user, item_id=version.item_id, answers=answers, uploads=uploads)
    assert not [q["sql"] for q in captured.captured_queries if q["sql"].startswith(('UPDATE "cases_case', "DELETE"))]
    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.revision, bool(case.number)) == (Case.RECEIVED, 1, True)
    kept = {m.standard_code: m for m in case.materials.all()}
    assert set(kept) == {"M-居民身份证", "M-经营场所证明"}  # the power of attorney applies only with an agent
    assert {m.provided for m in kept.values()} == {CaseMaterial.UPLOAD}
    files = list(case.files.select_related("material"))
    assert sorted((f.material.standard_code, f.pages) for f in files) == [("M-居民身份证", 1), ("M-经营场所证明", 2)]
    assert all(default_storage.exists(f.file.name) for f in files)
    assert _stored_named(not_kept) == stored_before
    entry = AuditEntry.objects.get(action="case.submit", object_id=str(case.pk))
    assert len(entry.detail["files"]) == 2


def _stored_named(prefix: str) -> set[str]:
    """Names of the stored case files (this month's folder) that start with `prefix`."""
    folder = CaseFile.file.field.generate_filename(None, "probe.pdf").rsplit("/", 1)[0]
    names = default_storage.listdir(folder)[1] if default_storage.exists(folder) else []
    return {name for name in names if name.startswith(prefix)}


def test_a_material_the_government_holds_is_fetched_instead_of_uploaded(monkeypatch):
    version = case_item(materials=[{"standard": "营业执照", "source": "licence", "source_ref": "YYZZ", "order": 1}])
    monkeypatch.setattr(sources, "_resolvers", {"licence": [], "shared": []})
    sources.material_source_register(
        "licence",
        lambda *, case, material, actor: sources.Evidence(
            provided=CaseMaterial.LICENCE, reference="1.2.156.3005.2.TEST", source="电子证照库", verified=True
        ),
    )
    case = draft_case(version, upload=False)
    submitted = services.case_submit(actor=case.filed_by, case_id=case.pk)
    material = submitted.materials.get()
    assert (material.provided, material.evidence["source"], material.checked) == (
        CaseMaterial.LICENCE,
        "电子证照库",
        True,
    )


def test_a_provider_outage_never_blocks_the_case_the_applicant_uploads_instead(monkeypatch):
    version = case_item(materials=[{"standard": "营业执照", "source": "licence", "source_ref": "YYZZ", "order": 1}])
    monkeypatch.setattr(sources, "_resolvers", {"licence": [], "shared": []})

    def down(*, case, material, actor):
        raise Unavailable("电子证照库暂时无法访问。", code="provider_down")

    sources.material_source_register("licence", down)
    user = applicant()
    case = services.case_draft_start(actor=user, item_id=version.item_id)
    services.case_draft_save(
        actor=user,
        case_id=case.pk,
        answers={**ANSWERS, "name": user.person.real_name, "id_number": user.person.id_number},
    )
    with pytest.raises(ValidationFailed) as refused:
        services.case_submit(actor=user, case_id=case.pk)
    assert refused.value.problems == ["“营业执照”未能自动调取（电子证照库暂时无法访问），请上传。"]
    material = case.materials.get()
    services.case_file_add(actor=user, case_id=case.pk, material_id=material.pk, name="执照.pdf", content=pdf_bytes())
    assert services.case_submit(actor=user, case_id=case.pk).status == Case.RECEIVED


def test_every_transition_is_in_the_audit_chain_and_announced(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case, _ = case_in(Case.DELIVERED)
    acts = list(
        AuditEntry.objects.filter(object_id=str(case.pk), action__startswith="case.").values_list("action", flat=True)
    )
    for act in ("case.submit", "case.accept", "case.approve_step", "case.decide", "case.issue_result", "case.deliver"):
        assert act in acts
    titles = list(Notification.objects.filter(case_number=case.number).values_list("title", flat=True))
    assert "申请已受理" in titles and "办理结果已送达" in titles
    assert Notification.objects.filter(case_number=case.number).values("recipient").distinct().count() == 1


def test_an_event_delivered_twice_notifies_once(django_capture_on_commit_callbacks):
    case_in(Case.RECEIVED)
    events_dispatch()
    count = Notification.objects.count()
    OutboxEvent.objects.update(dispatched_at=None)
    events_dispatch()
    assert Notification.objects.count() == count > 0


def test_metrics_are_written_when_a_case_ends():
    case, _ = case_in(Case.DELIVERED)
    metrics = case.metrics
    assert (metrics.outcome, metrics.materials_submitted, metrics.materials_exempted) == (Case.DELIVERED, 2, 0)
    assert metrics.steps >= 3 and metrics.on_time is True and len(metrics.actors) >= 4


def test_an_applicant_cannot_touch_someone_elses_case():
    case = draft_case(case_item())
    stranger = applicant()
    with pytest.raises(NotFound) as refused:
        services.case_submit(actor=stranger, case_id=case.pk)
    assert refused.value.code == "case_not_found"


def test_a_walk_in_without_materials_leaves_the_window_with_one_notice_listing_them():
    version = case_item()
    department = version.item.department
    clerk = officer(department, "window")
    walk_in = applicant()
    case = services.case_draft_start(
        actor=clerk, item_id=version.item_id, person_id=walk_in.person_id, channel="window"
    )
    services.case_draft_save(
        actor=clerk,
        case_id=case.pk,
        answers={**ANSWERS, "name": walk_in.person.real_name, "id_number": walk_in.person.id_number},
    )
    missing = [services.CorrectionItem(reason="未携带", material_id=m.pk) for m in case.materials.filter(required=True)]
    correction = services.case_submit_with_correction(actor=clerk, case_id=case.pk, items=missing)
    case.refresh_from_db()
    assert (case.status, case.channel, [line["name"] for line in correction.items]) == (
        Case.CORRECTION,
        Case.WINDOW,
        ["居民身份证", "经营场所证明"],
    )
    assert list(case.history.values_list("code", flat=True)) == [1, 6]


def test_a_citizen_cannot_submit_a_walk_in_style_application_without_materials():
    case = draft_case(case_item(), upload=False)
    with pytest.raises(PermissionDenied):
        services.case_submit_with_correction(
            actor=case.filed_by, case_id=case.pk, items=[services.CorrectionItem(reason="缺", name="材料")]
        )


def test_a_clerk_starting_the_same_walk_in_again_continues_the_draft_already_started():
    version = case_item()
    clerk = officer(version.item.department, "window")
    walk_in = UserFactory().person
    first = services.case_draft_start(actor=clerk, item_id=version.item_id, person_id=walk_in.pk, channel=Case.WINDOW)
    again = services.case_draft_start(actor=clerk, item_id=version.item_id, person_id=walk_in.pk, channel=Case.WINDOW)
    assert again.pk == first.pk
    other = UserFactory().person
    assert (
        services.case_draft_start(actor=clerk, item_id=version.item_id, person_id=other.pk, channel=Case.WINDOW).pk
        != first.pk
    )
    assert Case.objects.filter(filed_by=clerk, status=Case.DRAFT).count() == 2


@pytest.fixture
def a_producer_that_issues_nothing():
    """A result type whose producer promises a licence and issues none, registered as every
    producer is (cases.results), and taken away again."""
    promise = results.ResultPromise(licence_name="测试许可证", holder=results.PERSON)
    results.result_producer_register("testlic", lambda **kw: None, promise=lambda **kw: promise)
    yield "testlic"
    for registry in (results._producers, results._promise_readers):
        registry.pop("testlic")


def test_a_case_whose_promised_licence_was_not_issued_is_not_completed(a_producer_that_issues_nothing):
    case, crew = case_in(Case.APPROVED, case_item(result_type=a_producer_that_issues_nothing))
    with pytest.raises(Conflict) as refused:
        services.case_result_issue(actor=crew.issue, case_id=case.pk)
    assert refused.value.code == "promised_licence_not_issued" and "测试许可证" in refused.value.message
    assert Case.objects.get(pk=case.pk).status == Case.APPROVED


def test_the_applicant_chooses_how_to_receive_the_result_and_mail_needs_an_address():
    version = case_item()  # offers window pick-up and mail
    case = draft_case(version)
    assert case.delivery_choice == "window"  # preselected: the first way that needs no address
    with pytest.raises(ValidationFailed) as refused:
        services.case_delivery_choose(actor=case.filed_by, case_id=case.pk, method="mail", address="  ")
    assert refused.value.field == "delivery_address"
    with pytest.raises(ValidationFailed) as refused:
        services.case_delivery_choose(actor=case.filed_by, case_id=case.pk, method="drone")
    assert refused.value.code == "delivery_choice_invalid"
    services.case_delivery_choose(
        actor=case.filed_by, case_id=case.pk, method="mail", address="示范市城东区东华街道 1 号"
    )
    case = services.case_submit(actor=case.filed_by, case_id=case.pk)
    stored = Case.objects.get(pk=case.pk)
    assert (stored.delivery_choice, stored.delivery_address) == ("mail", "示范市城东区东华街道 1 号")


def test_a_result_is_delivered_only_the_way_the_applicant_chose():
    case, crew = case_in(Case.COMPLETED)
    assert case.delivery_choice == "window"
    with pytest.raises(ValidationFailed) as refused:
        services.case_deliver(actor=crew.deliver, case_id=case.pk, method="mail", carrier="EMS", tracking_number="1")
    assert refused.value.code == "delivery_not_as_chosen" and "窗口领取" in refused.value.message
    assert services.case_deliver(actor=crew.deliver, case_id=case.pk, method="window").status == Case.DELIVERED
