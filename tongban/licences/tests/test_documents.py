"""A licence's visual form (版式): every layout shows the holder, the identifier, every field and the
QR code to the verification page; a licence no longer valid says so across its face; an
administrator's HTML still wins; every demo type's PDF is exactly one page, however long its text."""

import base64
import io
import random
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils.html import escape
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from tongban.accounts.tests.factories import UserFactory
from tongban.core.models import AuditEntry
from tongban.demo.licence_fields import Holder, licence_field_values
from tongban.demo.licences import LAYOUTS, TYPES
from tongban.licences import documents, services
from tongban.licences.models import Licence, LicenceType
from tongban.licences.tests.factories import issued_licence, issuer_officer, licence_type

pytestmark = pytest.mark.django_db

LAYOUT_NAMES = sorted(documents.LAYOUTS)
LONG_SCOPE = (
    "一般项目：" + "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；软件开发；信息系统集成服务；" * 12
)[:500]


def reloaded(licence: Licence) -> Licence:
    return Licence.objects.select_related("type", "previous").get(pk=licence.pk)


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def cut_off(html: str) -> list[str]:
    """The text that sticks out of a box that clips it (overflow: hidden, as every layout's sheet
    and fields area do), found in WeasyPrint's layout of the first page: text lost off the licence."""
    found = []

    def walk(box, clip):
        if isinstance(box, boxes.TextBox):
            left, top = box.position_x, box.position_y
            right, bottom = left + box.width, top + box.height
            if left < clip[0] - 0.5 or top < clip[1] - 0.5 or right > clip[2] + 0.5 or bottom > clip[3] + 0.5:
                found.append(box.text)
            return
        if isinstance(box, boxes.BlockContainerBox) and box.style["overflow"] == "hidden":
            x, y = box.padding_box_x(), box.padding_box_y()
            clip = (
                max(clip[0], x),
                max(clip[1], y),
                min(clip[2], x + box.padding_width()),
                min(clip[3], y + box.padding_height()),
            )
        for child in getattr(box, "children", ()):
            walk(child, clip)

    walk(HTML(string=html).render().pages[0]._page_box, (0, 0, float("inf"), float("inf")))
    return found


@pytest.mark.parametrize("template", LAYOUT_NAMES)
@pytest.mark.parametrize("holder_kind", [LicenceType.NATURAL, LicenceType.LEGAL])
def test_every_layout_shows_the_holder_the_identifier_every_field_and_the_qr(template, holder_kind):
    licence = reloaded(issued_licence(licence_type_obj=licence_type(holder_kind=holder_kind, template=template)))
    html = documents.licence_html(licence)
    assert escape(licence.holder_name) in html and licence.holder_id_number in html
    assert licence.identifier in html and escape(licence.type.name) in html and escape(licence.issuer_name) in html
    for row in documents._context(licence)["rows"]:
        assert escape(row["label"]) in html and escape(row["value"]) in html
    assert documents.qr_data_uri(documents.verification_url(licence.identifier)) in html
    assert f"/verify/licences/{licence.identifier}/" in html
    assert documents.cn_date(licence.issued_on) in html and documents.cn_date(licence.valid_from) in html
    assert "已撤销" not in html and 'class="status-mark"' not in html


def test_dates_are_written_in_chinese_and_the_seal_carries_the_issuers_name():
    licence = reloaded(issued_licence(licence_type_obj=licence_type(template="licences/documents/certificate.html")))
    html = documents.licence_html(licence)
    assert "2024年5月20日" in html and "2024-05-20" not in html  # 登记日期
    seal = documents.seal_data_uri(licence.issuer_name)
    assert seal in html
    svg = base64.b64decode(seal.split(",", 1)[1]).decode()
    assert all(f">{char}</text>" in svg for char in licence.issuer_name) and "<polygon" in svg


@pytest.mark.parametrize("template", LAYOUT_NAMES)
def test_a_revoked_licence_says_so_on_its_face(template):
    licence = issued_licence(licence_type_obj=licence_type(template=template))
    services.licence_revoke(actor=issuer_officer(licence.issuer), licence_id=licence.pk, reason="以欺骗手段取得")
    html = documents.licence_html(reloaded(licence))
    assert "已撤销" in html and "不再作为有效证照使用" in html and 'class="status-mark"' in html


def test_a_suspended_licence_is_marked_as_suspended():
    licence = issued_licence(licence_type_obj=licence_type(template="licences/documents/permit.html"))
    services.licence_act(actor=issuer_officer(licence.issuer), licence_id=licence.pk, act="suspend", reason="整改")
    assert "已暂扣" in documents.licence_html(reloaded(licence))


def test_an_administrators_html_overrides_the_types_layout():
    kind = licence_type(template="licences/documents/business_licence.html", template_html="<p>{{ holder_name }}</p>")
    licence = reloaded(issued_licence(licence_type_obj=kind))
    assert documents.licence_html(licence) == f"<p>{escape(licence.holder_name)}</p>"


def test_an_unknown_layout_name_falls_back_to_the_generic_layout():
    licence = reloaded(issued_licence(licence_type_obj=licence_type(template="licences/documents/nonesuch.html")))
    html = documents.licence_html(licence)
    assert 'class="generic"' in html and licence.identifier in html


@pytest.mark.parametrize(("short", "name", "holder_kind", "fields"), [(t[0], t[1], t[4], t[6]) for t in TYPES])
def test_every_demo_types_pdf_is_one_page(short, name, holder_kind, fields):
    kind = licence_type(
        name=name,
        holder_kind=holder_kind,
        fields=fields,
        validity_years=5,
        template=f"licences/documents/{LAYOUTS[short]}.html",
    )
    holder = (
        Holder(name="示范市华鑫餐饮管理有限公司", legal_kind="enterprise") if holder_kind == "legal" else Holder("张伟")
    )
    data = licence_field_values(random.Random(short), type_code=short, fields=fields, holder=holder)
    licence = reloaded(issued_licence(licence_type_obj=kind, data=data))
    assert pages(documents.licence_pdf(licence)) == 1


@pytest.mark.parametrize("template", LAYOUT_NAMES)
def test_long_texts_stay_on_one_page(template):
    fields = [
        {"name": "scope", "label": "经营范围", "type": "text", "required": True},
        {"name": "address", "label": "住所", "type": "text", "required": True},
        {"name": "note", "label": "备注", "type": "text", "required": True},
    ]
    kind = licence_type(
        holder_kind=LicenceType.LEGAL, fields=fields, template=template, name="道路危险货物运输经营许可证"
    )
    data = {"scope": LONG_SCOPE, "address": "示范市城东区东华街道金桥社区" * 4, "note": "备注" * 60}
    licence = reloaded(issued_licence(licence_type_obj=kind, data=data))
    html = documents.licence_html(licence)
    assert "fit-4" in html and "fit-2" in html and "denser" in html  # set smaller, not cut off the page
    assert cut_off(html) == []
    assert pages(documents.licence_pdf(licence)) == 1


@pytest.mark.parametrize("template", LAYOUT_NAMES)
def test_even_two_fields_of_the_longest_text_allowed_stay_whole(template):
    fields = [{"name": f"f{n}", "label": f"许可事项{n}", "type": "text", "required": True} for n in range(2)]
    kind = licence_type(fields=fields, template=template)
    licence = reloaded(issued_licence(licence_type_obj=kind, data={"f0": "许可内容" * 125, "f1": "许可内容" * 125}))
    assert cut_off(documents.licence_html(licence)) == []


def test_the_html_view_shows_the_layout_to_the_holder_and_is_audited(client):
    licence = issued_licence(licence_type_obj=licence_type(template="licences/documents/certificate.html"))
    holder = Licence.objects.get(pk=licence.pk).holder_person
    client.force_login(UserFactory(person=holder))
    response = client.get(reverse("mylicences:document", args=[licence.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and "ornament" in body and licence.holder_id_number in body
    assert AuditEntry.objects.filter(action="licence.view", object_id=str(licence.pk)).exists()
    assert client.get(reverse("mylicences:document", args=[issued_licence().pk])).status_code == 404


def test_staff_open_the_html_view_from_the_licence_page(client):
    licence = issued_licence(licence_type_obj=licence_type(template="licences/documents/permit.html"))
    client.force_login(issuer_officer(licence.issuer))
    url = reverse("licwork:document", args=[licence.pk])
    assert url in client.get(reverse("licwork:detail", args=[licence.pk])).content.decode()
    body = client.get(url).content.decode()
    assert "pm-frame" in body and unquote(documents.verification_url(licence.identifier)) in body
