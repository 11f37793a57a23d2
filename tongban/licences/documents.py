"""A licence's visual form: HTML from the type's template (its `template_html`, its `template`
name, or the generic licences/documents/licence.html), and the same as an A4 PDF through WeasyPrint,
with a QR code to the public verification page /verify/licences/<identifier>/. Nothing is stored:
the PDF is rendered on demand from the signed record, so it always matches it."""

from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django.template import Context, Engine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tongban.core.audit import audit_record
from tongban.licences import selectors
from tongban.licences.models import Licence

DEFAULT_PUBLIC_BASE_URL = "http://localhost:8000"
GENERIC_TEMPLATE = "licences/documents/licence.html"


def verification_url(identifier: str) -> str:
    base = getattr(settings, "TONGBAN_PUBLIC_BASE_URL", "") or DEFAULT_PUBLIC_BASE_URL
    return base.rstrip("/") + reverse("licverify:licence", args=[identifier])


def qr_data_uri(text: str) -> str:
    return segno.make(text, error="m", micro=False).svg_data_uri(scale=4, border=4, dark="#000")


def cn_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "长期"


def _context(licence: Licence) -> dict:
    url = verification_url(licence.identifier)
    return {
        "licence": licence,
        "type_name": licence.type.name,
        "rows": [{"label": label, "value": value} for label, value in selectors.licence_rows(licence)],
        "holder_name": licence.holder_name,
        "holder_id_label": "统一社会信用代码" if licence.holder_legal_person_id else "公民身份号码",
        "holder_id": licence.holder_id_number,
        "issuer_name": licence.issuer_name,
        "issued_on": cn_date(licence.issued_on),
        "valid_from": cn_date(licence.valid_from),
        "valid_until": cn_date(licence.valid_until),
        "verify_url": url,
        "qr": qr_data_uri(url),
        "site_name": settings.TONGBAN_SITE_NAME,
    }


def licence_html(licence: Licence) -> str:
    context = _context(licence)
    with translation.override("zh-hans"):
        if licence.type.template_html:
            # Administrators' HTML runs in a bare engine: no custom tags, autoescaped.
            return Engine(autoescape=True).from_string(licence.type.template_html).render(Context(context))
        return render_to_string(licence.type.template or GENERIC_TEMPLATE, context)


def licence_pdf(licence: Licence) -> bytes:
    from weasyprint import HTML  # heavy: imported only when a licence is rendered

    return HTML(string=licence_html(licence)).write_pdf()


@dataclass(frozen=True)
class Download:
    licence: Licence
    filename: str
    content: bytes


def licence_download(*, actor, licence_id: int) -> Download:
    """The PDF for its holder's side or staff in scope; it shows the full identity number, so every
    download is an audited unmasked read."""
    licence = selectors.licence_for_reader(actor=actor, licence_id=licence_id)
    content = licence_pdf(licence)
    with transaction.atomic():
        audit_record(
            action="licence.download",
            obj=licence,
            actor=actor,
            region_code=licence.region_code,
            detail={"identifier": licence.identifier},
        )
    filename = f"{licence.type.name}-{licence.serial}-{licence.version:03d}.pdf"
    return Download(licence=licence, filename=filename, content=content)
