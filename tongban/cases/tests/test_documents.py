import io
import re
from urllib.parse import quote

import pypdf
import pytest
from django.urls import reverse

from tongban.accounts.tests.factories import UserFactory
from tongban.cases import documents, services
from tongban.cases.documents import DOCUMENT_KINDS
from tongban.cases.models import Case
from tongban.cases.tests.factories import case_in, case_item, officer
from tongban.core.masking import mask
from tongban.core.models import AuditEntry
from tongban.licences.tests.factories import licence_type
from tongban.org.tests.factories import DepartmentFactory, region_tree

pytestmark = pytest.mark.django_db

EAST, WEST = "341902000000", "341903000000"


def _east_item(**overrides):
    return case_item(DepartmentFactory(region=region_tree()[EAST]), **overrides)


def _case_with(kind: str) -> Case:
    """A case whose latest document is `kind`."""
    if kind == "receipt":
        return case_in(Case.HANDLING)[0]
    if kind == "refusal":
        return case_in(Case.REFUSED)[0]
    if kind == "correction":
        return case_in(Case.CORRECTION)[0]
    if kind == "decision":
        return case_in(Case.NOT_APPROVED)[0]
    return case_in(Case.DELIVERED, version=case_item(result_type="document", result_name="卫生许可批复"))[0]


def _pdf_text(content: bytes) -> str:
    """The PDF's text without white space (letter-spaced titles extract with spaces between)."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def _pdf_url(case: Case, kind: str) -> str:
    return reverse("casedocs:pdf", args=[case.pk, kind])


# ---------------------------------------------------------------- the documents


@pytest.mark.parametrize("kind", list(DOCUMENT_KINDS))
def test_the_applicant_downloads_each_document_as_a_chinese_pdf(client, kind):
    case = _case_with(kind)
    title = DOCUMENT_KINDS[kind].title
    client.force_login(case.filed_by)

    response = client.get(_pdf_url(case, kind))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote(f"{case.number}-{title}.pdf")
    assert "no-store" in response["Cache-Control"]
    text = _pdf_text(response.content)
    for expected in (case.number, case.item_name, title, case.department.name, "扫码核验", case.applicant_name):
        assert expected in text, expected
    assert mask("id_number", case.person.id_number) in text and case.person.id_number not in text
    assert AuditEntry.objects.filter(
        action="case.document_download", object_id=str(case.pk), detail__kind=kind
    ).exists()


def test_documents_for_offers_only_what_the_case_has_reached():
    def kinds(case):
        return [link.kind for link in documents.documents_for(case)]

    received, _ = case_in(Case.RECEIVED)
    handling, _ = case_in(Case.HANDLING)
    # The default item's result is an e-licence; where the library has its type, the licence is
    # the result, else the case's own result document stands for it.
    licence_item = case_item()
    licence_type(department=licence_item.item.department, short_code="SPJYXKZ", fields=[])
    licence_case, _ = case_in(Case.COMPLETED, version=licence_item)
    untyped_item, _ = case_in(Case.COMPLETED, version=case_item(result_licence_type="QTZZ"))
    document_item, _ = case_in(Case.COMPLETED, version=case_item(result_type="document"))

    assert kinds(received) == []
    assert kinds(handling) == ["receipt"]
    assert kinds(licence_case) == ["receipt", "decision"]
    assert kinds(untyped_item) == ["receipt", "decision", "result"]
    assert kinds(document_item) == ["receipt", "decision", "result"]
    link = documents.documents_for(handling)[0]
    assert (link.title, link.url) == ("受理通知书", f"/documents/cases/{handling.pk}/receipt.pdf")


def test_a_correction_expired_before_acceptance_gives_a_refusal():
    case, _ = case_in(Case.CORRECTION)
    services.case_correction_expire(case_id=case.pk)
    case.refresh_from_db()

    assert [link.kind for link in documents.documents_for(case)] == ["refusal", "correction"]
    html = documents.document_html(case, "refusal")
    assert "未在规定期限内补正" in html and "六十日内" in html


def test_a_document_the_case_has_not_reached_is_a_404_with_a_reason(client):
    case, _ = case_in(Case.HANDLING)
    client.force_login(case.filed_by)

    for kind in ("refusal", "correction", "decision", "result"):
        response = client.get(_pdf_url(case, kind))
        assert response.status_code == 404, kind
    assert "作出审批决定后才有审批决定书" in client.get(_pdf_url(case, "decision")).content.decode()
    assert "没有这种文书" in client.get(_pdf_url(case, "licence")).content.decode()
    assert not AuditEntry.objects.filter(action="case.document_download").exists()


def test_another_citizen_and_anonymous_visitors_get_404(client):
    case, _ = case_in(Case.HANDLING)

    assert client.get(_pdf_url(case, "receipt")).status_code == 404
    client.force_login(UserFactory())
    response = client.get(_pdf_url(case, "receipt"))
    assert response.status_code == 404 and "未找到该办件" in response.content.decode()


def test_staff_of_another_county_get_404_and_staff_in_scope_download(client, monkeypatch):
    monkeypatch.setattr(documents, "document_render", lambda case, kind: b"%PDF-1.7 stub")
    case, crew = case_in(Case.HANDLING, version=_east_item())
    west_clerk = officer(DepartmentFactory(region=region_tree()[WEST]), "accept", "review")

    client.force_login(west_clerk)
    assert client.get(_pdf_url(case, "receipt")).status_code == 404
    client.force_login(crew.review)
    response = client.get(_pdf_url(case, "receipt"))
    assert response.status_code == 200 and response.content == b"%PDF-1.7 stub"
    entry = AuditEntry.objects.get(action="case.document_download")
    assert (entry.actor_id, entry.detail["kind"]) == (crew.review.pk, "receipt")


def test_the_decision_states_the_owed_material_and_its_deadline():
    case, crew = case_in(Case.HANDLING)
    services.case_step_approve(actor=crew.review, case_id=case.pk, opinion="材料齐全")
    case = services.case_decide(
        actor=crew.approve,
        case_id=case.pk,
        decision="approved_owing",
        opinion="同意",
        owed_material="卫生检测报告",
    )

    html = documents.document_html(case, "decision")

    assert "容缺准予许可" in html and "卫生检测报告" in html and documents.cn_date(case.owed_until) in html
    assert "行政复议" not in html


def test_a_refusal_of_the_licence_states_the_reasons_and_the_remedies():
    case, _ = case_in(Case.NOT_APPROVED)

    html = documents.document_html(case, "decision")

    assert "不予行政许可" in html and "不符合条件" in html
    assert "六十日内依法申请行政复议" in html and "六个月内依法向人民法院提起行政诉讼" in html


def test_a_document_is_the_same_every_time_it_is_rendered():
    case, _ = case_in(Case.HANDLING)

    assert documents.document_html(case, "receipt") == documents.document_html(case, "receipt")


def test_the_qr_code_points_at_the_public_verification_page(client, settings):
    settings.TONGBAN_PUBLIC_BASE_URL = "https://zwfw.example.gov.cn/"
    case, _ = case_in(Case.HANDLING)
    token = documents.verification_token(case.number)
    url = f"https://zwfw.example.gov.cn/verify/cases/{case.number}/{token}/"

    html = documents.document_html(case, "receipt")

    assert documents.verification_url(case.number) == url
    assert documents.qr_data_uri(url) in html and f'href="{url}"' in html and "扫码核验" in html
    assert client.get(f"/verify/cases/{case.number}/{token}/").status_code == 200


def test_the_verification_token_is_an_hmac_of_the_number():
    token = documents.verification_token("341900000000202601010000010001")

    assert re.fullmatch(r"[0-9a-f]{16}", token)
    assert token != documents.verification_token("341900000000202601010000010002")


# ---------------------------------------------------------------- the public verification page


def _verify_url(case: Case) -> str:
    return reverse("verify:case", args=[case.number, documents.verification_token(case.number)])


def test_the_verification_page_needs_no_login_and_shows_the_current_state(client):
    case, _ = case_in(Case.DELIVERED)

    response = client.get(_verify_url(case))

    page = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    for expected in (
        case.item_name,
        case.department.name,
        mask("name", case.applicant_name),
        "已送达",
        "11 办结（通过）",
        f"该文书由{case.department.name}出具，编号{case.number}，真实有效",
    ):
        assert expected in page, expected
    assert case.applicant_name not in page


def test_a_wrong_token_or_an_unknown_number_is_a_404(client):
    case, _ = case_in(Case.HANDLING)
    unknown = "341900000000202601010000019999"

    for url in (
        reverse("verify:case", args=[case.number, "0" * 16]),
        reverse("verify:case", args=[case.number, "核验"]),
        reverse("verify:case", args=[unknown, documents.verification_token(unknown)]),
    ):
        response = client.get(url)
        assert response.status_code == 404 and "未找到该办件，请核对二维码" in response.content.decode()


def test_a_revoked_case_shows_as_revoked_at_once(client):
    case, crew = case_in(Case.DELIVERED)
    assert "真实有效" in client.get(_verify_url(case)).content.decode()

    services.case_revoke(
        actor=crew.approve, case_id=case.pk, legal_basis="《行政许可法》第六十九条", reason="以欺骗手段取得"
    )

    page = client.get(_verify_url(case)).content.decode()
    assert "已撤销" in page and "15 撤销" in page and "真实有效" not in page
