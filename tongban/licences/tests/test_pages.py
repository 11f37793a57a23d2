import pytest
from django.urls import reverse

from tongban.accounts.tests.factories import LegalPersonFactory, PersonFactory, StaffFactory, UserFactory
from tongban.core.models import AuditEntry
from tongban.licences import services
from tongban.licences.identifiers import licence_identifier
from tongban.licences.models import Licence, LicenceType
from tongban.licences.tests.factories import issued_licence, issuer_officer, licence_type

pytestmark = pytest.mark.django_db


def verify_url(licence):
    return reverse("licverify:licence", args=[licence.identifier])


def test_public_verification_needs_no_login_and_masks_the_holder(client):
    holder = PersonFactory(real_name="张三丰")
    licence = issued_licence(holder=holder)
    response = client.get(verify_url(licence))
    body = response.content.decode()
    assert response.status_code == 200
    assert "签章验证通过，当前有效" in body
    assert "张**" in body and "张三丰" not in body and holder.id_number not in body
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_revocation_shows_at_once(client):
    licence = issued_licence()
    assert "当前有效" in client.get(verify_url(licence)).content.decode()
    services.licence_revoke(actor=issuer_officer(licence.issuer), licence_id=licence.pk, reason="撤销许可")
    body = client.get(verify_url(licence)).content.decode()
    assert "当前有效" not in body and "已撤销" in body


def test_a_forged_record_fails_verification(client):
    licence = issued_licence()
    Licence.objects.filter(pk=licence.pk).update(data={**licence.data, "spouse_name": "伪造"})
    body = client.get(verify_url(licence)).content.decode()
    assert "签章验证未通过" in body and "当前有效" not in body


def test_wrong_or_unknown_identifiers_get_404_with_the_reason(client):
    licence = issued_licence()
    forged_check = "1" if licence.identifier[-1] == "0" else "0"
    wrong = client.get(reverse("licverify:licence", args=[licence.identifier[:-1] + forged_check]))
    assert wrong.status_code == 404 and "校验位" in wrong.content.decode()
    parts = licence.identifier.split(".")
    unknown = licence_identifier(parts[5], parts[6], "00000009", 1)
    response = client.get(reverse("licverify:licence", args=[unknown]))
    assert response.status_code == 404 and "未找到" in response.content.decode()


def test_holder_sees_own_and_enterprise_licences_and_downloads_pdf(client):
    holder = PersonFactory()
    user = UserFactory(person=holder)
    legal = LegalPersonFactory(legal_representative=holder)
    from tongban.accounts.models import Mandate

    Mandate.objects.create(person=holder, legal_person=legal, role=Mandate.REPRESENTATIVE, status=Mandate.ACTIVE)
    mine = issued_licence(holder=holder)
    ours = issued_licence(licence_type_obj=licence_type(holder_kind=LicenceType.LEGAL), holder=legal)
    theirs = issued_licence()
    client.force_login(user)
    body = client.get(reverse("mylicences:list")).content.decode()
    assert mine.type.name in body and ours.type.name in body and theirs.type.name not in body
    assert client.get(reverse("mylicences:detail", args=[theirs.pk])).status_code == 404
    pdf = client.get(reverse("mylicences:pdf", args=[mine.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="licence.download", object_id=str(mine.pk)).exists()
    assert client.get(reverse("mylicences:pdf", args=[theirs.pk])).status_code == 404


def test_holder_list_empty_state_and_query_count(client, django_assert_max_num_queries):
    user = UserFactory()
    client.force_login(user)
    assert "还没有电子证照" in client.get(reverse("mylicences:list")).content.decode()
    for _ in range(5):
        issued_licence(holder=user.person)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("mylicences:list")).status_code == 200


def test_staff_list_is_scoped_and_bounded_in_queries(client, django_assert_max_num_queries):
    kind = licence_type()
    officer = issuer_officer(kind.defining_department)
    for _ in range(6):
        issued_licence(licence_type_obj=kind, officer=officer)
    elsewhere = issued_licence()
    # A staff member scoped to one department only sees that department's licences.
    narrow = StaffFactory(department=kind.defining_department, posts=["issue"], scope_all_departments=False)
    narrow.scope_departments.set([kind.defining_department])
    client.force_login(narrow.user)
    with django_assert_max_num_queries(15):
        body = client.get(reverse("licwork:list")).content.decode()
    assert body.count(kind.name) >= 6 and elsewhere.type.name not in body.split("<tbody>")[1]
    assert client.get(reverse("licwork:detail", args=[elsewhere.pk])).status_code == 404
    assert "没有符合条件" in client.get(reverse("licwork:list"), {"status": "07"}).content.decode()


def test_staff_detail_and_lifecycle_action(client):
    licence = issued_licence()
    officer = issuer_officer(licence.issuer)
    client.force_login(officer)
    body = client.get(reverse("licwork:detail", args=[licence.pk])).content.decode()
    assert "状态记录" in body and 'value="suspend"' in body and "验证通过" in body
    assert "配偶姓名" in body and "颁发" in body  # labels from the type's schema, acts in Chinese
    response = client.post(reverse("licwork:act", args=[licence.pk]), {"act": "suspend", "reason": "暂扣整改"})
    assert response.status_code == 302
    assert Licence.objects.get(pk=licence.pk).status == "02"
    client.post(reverse("licwork:act", args=[licence.pk]), {"act": "transfer_out", "reason": "转出"})
    assert Licence.objects.get(pk=licence.pk).status == "02"  # refused from 02, shown as a message
    renewed = client.post(reverse("licwork:act", args=[licence.pk]), {"act": "restore", "reason": "整改完成"})
    assert renewed.status_code == 302 and Licence.objects.get(pk=licence.pk).status == "01"


def test_types_page_lists_types(client, django_assert_max_num_queries):
    kinds = [licence_type() for _ in range(4)]
    client.force_login(issuer_officer(kinds[0].defining_department))
    with django_assert_max_num_queries(10):
        body = client.get(reverse("licwork:types")).content.decode()
    assert all(kind.short_code in body for kind in kinds)


def test_workbench_needs_staff(client):
    client.force_login(UserFactory())
    assert client.get(reverse("licwork:list")).status_code == 302


def test_the_licence_document_carries_labels_full_id_and_a_qr_to_the_public_page():
    from tongban.licences import documents

    licence = issued_licence()
    html = documents.licence_html(Licence.objects.select_related("type", "previous").get(pk=licence.pk))
    assert "配偶姓名" in html and licence.holder_id_number in html and licence.identifier in html
    assert "data:image/svg+xml" in html and f"/verify/licences/{licence.identifier}/" in html


def test_a_type_with_its_own_html_template_is_rendered_autoescaped():
    from tongban.licences import documents

    kind = licence_type(template_html="<h1>{{ type_name }}</h1><p>{{ holder_name }}</p>")
    licence = issued_licence(licence_type_obj=kind, holder=PersonFactory(real_name="<b>张</b>"))
    html = documents.licence_html(Licence.objects.select_related("type", "previous").get(pk=licence.pk))
    assert html.startswith(f"<h1>{kind.name}</h1>") and "&lt;b&gt;" in html
