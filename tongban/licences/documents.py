"""A licence's visual form (版式): HTML from the type's template (its `template_html`, its `template`
name — one of the official-looking layouts in licences/documents/: business_licence.html,
permit.html, certificate.html, card.html — or the generic licences/documents/licence.html), and the
same as a one-page PDF through WeasyPrint, with a QR code to the public verification page
/verify/licences/<identifier>/ and the issuer's round seal. A licence that is no longer valid says
so across its face. Nothing is stored: the PDF is rendered on demand from the signed record, so it
always matches it."""

import base64
import datetime as dt
import functools
import math
from dataclasses import dataclass
from html import escape

from django.conf import settings
from django.db import transaction
from django.template import Context, Engine
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone, translation

from tongban.accounts.types import Actor
from tongban.core.audit import audit_record
from tongban.core.links import public_url, qr_data_uri
from tongban.licences import selectors
from tongban.licences.models import (
    CANCELLED,
    EXPIRED,
    OTHER,
    PENALISED,
    REVOKED,
    SUSPENDED,
    TRANSFERRED,
    VALID,
    Licence,
)

GENERIC_TEMPLATE = "licences/documents/licence.html"
LAYOUTS = {  # template name -> what it looks like, for the type's 版式 choice
    "licences/documents/business_licence.html": "营业执照式（A4 横版，花边框，二维码在右上）",
    "licences/documents/permit.html": "许可证式（A4 竖版，信息表格）",
    "licences/documents/certificate.html": "证书式（A4 竖版，花边框）",
    "licences/documents/card.html": "证件卡式（卡片正反面，居中于 A4）",
    GENERIC_TEMPLATE: "通用版式",
}
STATUS_MARKS = {  # printed across a licence that is no longer valid
    SUSPENDED: "已暂扣",
    REVOKED: "已撤销",
    CANCELLED: "已注销",
    EXPIRED: "已失效",
    TRANSFERRED: "已转出",
    PENALISED: "已吊销",
    OTHER: "已停用",
}
WIDE_LABELS = ("范围", "项目", "业态")  # fields that run to paragraphs on the paper licence
FIT_STEPS = (24, 60, 150, 300)  # characters from which a value is set one size smaller (fit-1 … fit-4)
# characters on the whole licence -> the sheet's class, by which every field is set smaller
DENSITY_STEPS = ((1400, "densest"), (600, "denser"), (300, "dense"))
SEAL_RED = "#d42a20"


def verification_url(identifier: str) -> str:
    return public_url(reverse("licverify:licence", args=[identifier]))


def cn_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "长期"


@functools.lru_cache(maxsize=256)
def seal_data_uri(name: str) -> str:
    """The issuer's round seal as an SVG image: a red ring, the issuer's name along the upper arc
    (each character placed and turned on its own, so renderers without textPath draw it too) and
    a five-pointed star in the middle."""
    chars = [escape(c) for c in name if not c.isspace()][:24] or ["章"]
    font, step = 26.0, 0.0
    while font > 12:  # the largest size at which the name fits 250° of the ring
        radius = 86 - 0.45 * font  # the characters' centres
        step = math.degrees(font * 1.08 / radius)
        if step * (len(chars) - 1) <= 250:
            break
        font -= 1
    baseline = 100 - (86 - 0.88 * font)
    first = -step * (len(chars) - 1) / 2
    letters = "".join(
        f'<text x="100" y="{baseline:.2f}" transform="rotate({first + i * step:.2f} 100 100)">{char}</text>'
        for i, char in enumerate(chars)
    )
    star = " ".join(
        f"{100 + r * math.cos(math.radians(-90 + 36 * k)):.2f},{100 + r * math.sin(math.radians(-90 + 36 * k)):.2f}"
        for k in range(10)
        for r in ((30 if k % 2 == 0 else 11.5),)
    )
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="200" height="200">'
        f'<circle cx="100" cy="100" r="94" fill="none" stroke="{SEAL_RED}" stroke-width="5.5"/>'
        f'<polygon points="{star}" fill="{SEAL_RED}"/>'
        f'<g fill="{SEAL_RED}" font-family="Noto Serif CJK SC, Noto Sans CJK SC, serif" font-weight="bold" '
        f'font-size="{font:g}" text-anchor="middle">{letters}</g></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _display(kind: str, value) -> str:
    if value is None:
        return ""
    if kind == "boolean":
        return "是" if value else "否"
    if kind == "date":
        try:
            return cn_date(dt.date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    return str(value)


def _fit(text: str) -> str:
    """The size class of a value: long values are set smaller so that they stay on the page."""
    steps = sum(len(text) > limit for limit in FIT_STEPS)
    return f"fit-{steps}" if steps else ""


def _rows(licence: Licence) -> list[dict]:
    kinds = {spec["label"]: spec.get("type", "text") for spec in licence.type.fields}
    rows = []
    for label, value in selectors.licence_rows(licence):
        text = _display(kinds.get(label, "text"), value)
        wide = len(text) > 40 or any(word in label for word in WIDE_LABELS)
        rows.append({"label": label, "value": text, "fit": _fit(text), "wide": wide})
    return rows


def _status_note(licence: Licence) -> tuple[str, str]:
    """(mark, sentence) for a licence that is not valid; ("", "") for a valid one."""
    if licence.status == VALID:
        if licence.valid_until and licence.valid_until < timezone.localdate():
            return "已过期", f"本证照有效期已于{cn_date(licence.valid_until)}届满，请以核验结果为准。"
        return "", ""
    mark = STATUS_MARKS.get(licence.status, "已停用")
    since = cn_date(timezone.localdate(licence.status_changed_at))
    return mark, f"本证照已于{since}{mark[1:]}，不再作为有效证照使用，请以核验结果为准。"


def _context(licence: Licence) -> dict:
    url = verification_url(licence.identifier)
    legal = bool(licence.holder_legal_person_id)
    rows = _rows(licence)
    short = [row for row in rows if not row["wide"]]
    half = (len(short) + 2) // 2  # the holder's name opens the left column
    mark, note = _status_note(licence)
    length = len(licence.holder_name) + sum(len(row["value"]) for row in rows)
    return {
        "licence": licence,
        "type_name": licence.type.name,
        "rows": rows,
        "left_rows": short[: half - 1],
        "right_rows": short[half - 1 :],
        "wide_rows": [row for row in rows if row["wide"]],
        "density": next((name for limit, name in DENSITY_STEPS if length > limit), ""),
        "holder_name": licence.holder_name,
        "holder_label": "名称" if legal else "姓名",
        "holder_role": "持证单位" if legal else "持证人",
        "holder_id_label": "统一社会信用代码" if legal else "公民身份号码",
        "holder_id": licence.holder_id_number,
        "issuer_name": licence.issuer_name,
        "issued_on": cn_date(licence.issued_on),
        "valid_from": cn_date(licence.valid_from),
        "valid_until": cn_date(licence.valid_until),
        "validity": f"{cn_date(licence.valid_from)}至{cn_date(licence.valid_until)}",
        "status": licence.status,
        "status_name": licence.get_status_display(),
        "is_valid": not mark,
        "status_mark": mark,
        "status_note": note,
        "verify_url": url,
        "qr": qr_data_uri(url),
        "seal": seal_data_uri(licence.issuer_name),
        "site_name": settings.TONGBAN_SITE_NAME,
    }


def licence_html(licence: Licence) -> str:
    context = _context(licence)
    with translation.override("zh-hans"):
        if licence.type.template_html:
            # Administrators' HTML runs in a bare engine: no custom tags, autoescaped.
            return Engine(autoescape=True).from_string(licence.type.template_html).render(Context(context))
        names = [licence.type.template, GENERIC_TEMPLATE] if licence.type.template else [GENERIC_TEMPLATE]
        return select_template(names).render(context)


def licence_pdf(licence: Licence) -> bytes:
    from weasyprint import HTML  # heavy: imported only when a licence is rendered

    return HTML(string=licence_html(licence)).write_pdf()


@dataclass(frozen=True)
class Download:
    licence: Licence
    filename: str
    content: bytes


def licence_download(*, actor: Actor, licence_id: int) -> Download:
    """The PDF for its holder's side or staff in scope; it shows the full identity number, so every
    download is an audited unmasked read."""
    licence = selectors.licence_for_reader(actor=actor, licence_id=licence_id)
    content = licence_pdf(licence)
    _unmasked_read_record(actor=actor, licence=licence, action="licence.download")
    filename = f"{licence.type.name}-{licence.serial}-{licence.version:03d}.pdf"
    return Download(licence=licence, filename=filename, content=content)


def licence_document(*, actor: Actor, licence_id: int) -> str:
    """The licence's HTML view, the same layout as its PDF, for the same readers; it shows the full
    identity number too, so it is an audited unmasked read like the download."""
    licence = selectors.licence_for_reader(actor=actor, licence_id=licence_id)
    html = licence_html(licence)
    _unmasked_read_record(actor=actor, licence=licence, action="licence.view")
    return html


def _unmasked_read_record(*, actor: Actor, licence: Licence, action: str) -> None:
    with transaction.atomic():
        audit_record(
            action=action,
            obj=licence,
            actor=actor,
            region_code=licence.region_code,
            detail={"identifier": licence.identifier},
        )
