"""The case's documents (文书) as PDF, in Chinese: 受理通知书, 不予受理决定书, 补正材料通知书, 审批决定书 and
办理结果通知书. Nothing is stored: each document is rendered on demand from the case and its
append-only history, so the same case gives the same document, and every document carries a QR code
to the public verification page (/verify/cases/<number>/<token>/), which shows the case's current
state — a revoked decision shows as revoked the moment it is revoked.

The verification token is an HMAC of the case number, so case numbers (region + date + item +
sequence: easy to guess) cannot be enumerated on the public page.
"""

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from tongban.accounts.types import Actor
from tongban.cases import clock, results, selectors
from tongban.cases.models import Case, CaseStatus
from tongban.catalog import selectors as catalog
from tongban.core.audit import audit_record
from tongban.core.calendar import calendar_span_provisional
from tongban.core.errors import NotFound
from tongban.core.links import public_url, qr_data_uri
from tongban.core.masking import mask

# The national status codes of the project-approval data exchange (DOMAIN.md "Case lifecycle").
NATIONAL_STATUS_NAMES = {
    1: "已接件",
    2: "已撤件",
    3: "已受理",
    4: "不受理",
    5: "不予受理",
    6: "补正开始",
    7: "补正结束",
    8: "部门开始办理",
    9: "特别程序开始",
    10: "特别程序结束",
    11: "办结（通过）",
    12: "办结（容缺通过）",
    13: "办结（不通过）",
    14: "撤回",
    15: "撤销",
}

REMEDY = (
    "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，"
    "或者自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。"
)


@dataclass(frozen=True)
class DocumentKind:
    code: str
    title: str
    prefix: str  # the word in the document number: 〔2026〕受字第…号
    unavailable: str  # why a case has no such document yet (shown with the 404)


DOCUMENT_KINDS: dict[str, DocumentKind] = {
    kind.code: kind
    for kind in [
        DocumentKind("receipt", "受理通知书", "受", "办件受理后才有受理通知书。"),
        DocumentKind("refusal", "不予受理决定书", "不受", "只有不予受理的办件才有不予受理决定书。"),
        DocumentKind("correction", "补正材料通知书", "补", "该办件没有一次性告知补正。"),
        DocumentKind("decision", "审批决定书", "决", "作出审批决定后才有审批决定书。"),
        DocumentKind(
            "result",
            "办理结果通知书",
            "结",
            "办结后才有办理结果通知书；出证事项的办理结果以电子证照发放。",
        ),
    ]
}


@dataclass(frozen=True)
class DocumentLink:
    kind: str
    title: str
    url: str


@dataclass(frozen=True)
class Document:
    """A rendered document, ready to download."""

    case: Case
    kind: str
    filename: str
    content: bytes


# ---------------------------------------------------------------- verification


def verification_token(number: str) -> str:
    """The 16 hex characters that make a case's verification address unguessable."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"case-verify:{number}".encode(), hashlib.sha256)
    return digest.hexdigest()[:16]


def verification_token_valid(number: str, token: str) -> bool:
    return hmac.compare_digest(verification_token(number).encode(), token.encode())


def verification_url(number: str) -> str:
    """The absolute address of the public verification page the documents' QR code encodes."""
    return public_url(reverse("verify:case", args=[number, verification_token(number)]))


def national_status(case: Case) -> CaseStatus | None:
    """The case's latest history row that carries a national status code."""
    return selectors.case_history(case).filter(code__isnull=False).order_by("-id").first()


# ---------------------------------------------------------------- which documents a case has


def _acts(history: list[CaseStatus]) -> dict[str, CaseStatus]:
    """The first history row of each act."""
    first: dict[str, CaseStatus] = {}
    for row in history:
        first.setdefault(row.act, row)
    return first


def _refusal_row(history: list[CaseStatus]) -> CaseStatus | None:
    acts = _acts(history)
    if "accept" in acts:
        return None
    return acts.get("refuse") or acts.get("expire_correction")


def _available(case: Case, history: list[CaseStatus]) -> set[str]:
    if case.status == Case.DRAFT or not case.number:
        return set()
    acts = _acts(history)
    kinds = set()
    if "accept" in acts:
        kinds.add("receipt")
    if _refusal_row(history) is not None:
        kinds.add("refusal")
    if case.corrections.exists():
        kinds.add("correction")
    if case.decision:
        kinds.add("decision")
    if case.status in (Case.COMPLETED, Case.DELIVERED) and results.result_promise(version=_version(case)) is None:
        kinds.add("result")  # an e-licence, where one is promised, is the result itself
    return kinds


def documents_for(case: Case) -> list[DocumentLink]:
    """The documents this case has now, in the order of the procedure."""
    available = _available(case, list(selectors.case_history(case)))
    return [
        DocumentLink(kind=code, title=kind.title, url=reverse("casedocs:pdf", args=[case.pk, code]))
        for code, kind in DOCUMENT_KINDS.items()
        if code in available
    ]


# ---------------------------------------------------------------- rendering


def _version(case: Case):
    return catalog.version_for_case(case.version_id)


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment is not None else None


def cn_date(day: dt.date | None) -> str:
    """2026年1月5日 (official documents write dates in Arabic numerals, GB/T 9704-2012)."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _applicant(case: Case) -> dict:
    if case.legal_person_id:
        return {"name": case.applicant_name, "id_short": "信用代码", "id_value": case.legal_person.uscc}
    return {
        "name": case.applicant_name,
        "id_short": "证件号码",
        "id_value": mask("id_number", case.person.id_number),
    }


def _receipt(case: Case, history: list[CaseStatus]) -> dict:
    accepted = _acts(history)["accept"]
    accepted_on = case.accepted_on or _local_date(accepted.created_at)
    due, provisional = None, []
    if case.promised_days:
        due = clock.case_deadlines(accepted_on=accepted_on, promised_days=case.promised_days).due_date
        provisional = calendar_span_provisional(accepted_on, due)
    materials = [
        {"name": m.name, "provided": m.get_provided_display()}
        for m in case.materials.order_by("order", "id")
        if m.provided
    ]
    return {
        "date": accepted_on,
        "accepted_on": cn_date(accepted_on),
        "promised_days": case.promised_days,
        "due_on": cn_date(due),
        "due_provisional": "、".join(map(str, provisional)),  # years whose schedule is not yet published
        "materials": materials,
        "opinion": accepted.opinion,
        "delivery": case.get_delivery_choice_display(),
        "delivery_address": case.delivery_address,
    }


def _refusal(case: Case, history: list[CaseStatus]) -> dict:
    row = _refusal_row(history)
    return {
        "date": _local_date(row.created_at),
        "reason": row.opinion,
        "expired_correction": row.act == "expire_correction",
        "remedy": REMEDY,
    }


def _correction(case: Case, history: list[CaseStatus]) -> dict:
    correction = case.corrections.order_by("id").first()
    acts = _acts(history)
    requested = acts.get("request_correction")
    accepted = "accept" in acts and (requested is None or acts["accept"].pk < requested.pk)
    return {
        "date": correction.requested_on,
        "items": correction.items,
        "note": correction.note,
        "due_on": cn_date(correction.due_date),
        "after_acceptance": accepted,
    }


def _decision(case: Case, history: list[CaseStatus]) -> dict:
    acts = _acts(history)
    row = acts.get("decide")
    received = acts.get("receive_owed")
    owed_material = case.owed_material
    if not owed_material and received is not None:
        # The owed material was handed in: the history names it (“已收到容缺材料“…”。”).
        owed_material = received.opinion.partition("“")[2].partition("”")[0]
    return {
        "date": _local_date(case.decided_at or (row.created_at if row else None)),
        "decision": case.decision,
        "opinion": row.opinion if row else "",
        "accepted_on": cn_date(case.accepted_on),
        "owed_material": owed_material,
        "owed_until": cn_date(case.owed_until),
        "owed_received_on": cn_date(_local_date(received.created_at)) if received else "",
        "remedy": REMEDY if case.decision == "not_approved" else "",
    }


def _result(case: Case, history: list[CaseStatus]) -> dict:
    acts = _acts(history)
    issued = acts.get("issue_result")
    completed_on = _local_date(case.completed_at or (issued.created_at if issued else None))
    return {
        "date": completed_on,
        "completed_on": cn_date(completed_on),
        "result_name": case.result_name,
        "result_reference": case.result_reference,
        "delivery": case.get_delivery_display(),
        "delivered_on": cn_date(_local_date(case.delivered_at)),
        "carrier": case.carrier,
        "tracking_number": case.tracking_number,
    }


PARTS: dict[str, Callable[[Case, list[CaseStatus]], dict]] = {
    "receipt": _receipt,
    "refusal": _refusal,
    "correction": _correction,
    "decision": _decision,
    "result": _result,
}


def _context(case: Case, kind: str) -> dict:
    history = list(selectors.case_history(case))
    if kind not in DOCUMENT_KINDS:
        raise NotFound("没有这种文书。", code="document_kind_unknown")
    spec = DOCUMENT_KINDS[kind]
    if kind not in _available(case, history):
        raise NotFound(f"该办件没有{spec.title}：{spec.unavailable}", code="document_not_available")
    version = _version(case)
    part = PARTS[kind](case, history)
    issued_on: dt.date = part.pop("date")
    url = verification_url(case.number)
    return {
        "kind": kind,
        "title": spec.title,
        "doc_number": f"〔{issued_on.year}〕{spec.prefix}字第{case.number}号",
        "issued_on": cn_date(issued_on),
        "issued_on_iso": issued_on.isoformat(),
        "department": case.department.name,
        "case_number": case.number,
        "item_name": case.item_name,
        "legal_basis": version.legal_basis,
        "licensing": version.item_type_id == "XK",  # 行政许可: the notices cite the Administrative Licensing Law
        "result_type": version.result_type,
        "licence_promised": results.result_promise(version=version) is not None,
        "result_name": case.result_name or version.result_name,
        "consult_phone": version.consult_phone,
        "complaint_phone": version.complaint_phone,
        "submitted_on": cn_date(_local_date(case.submitted_at)),
        "applicant": _applicant(case),
        "verify_url": url,
        "qr": qr_data_uri(url),
        "site_name": settings.TONGBAN_SITE_NAME,
        **part,
    }


def document_html(case: Case, kind: str) -> str:
    """The document's HTML (before PDF conversion); NotFound when the case has no such document."""
    context = _context(case, kind)
    with translation.override("zh-hans"):
        return render_to_string(f"cases/documents/{kind}.html", context)


def document_render(case: Case, kind: str) -> bytes:
    """The document as an A4 PDF."""
    from weasyprint import HTML  # heavy: imported only when a document is rendered

    return HTML(string=document_html(case, kind)).write_pdf()


def document_filename(case: Case, kind: str) -> str:
    return f"{case.number}-{DOCUMENT_KINDS[kind].title}.pdf"


# ---------------------------------------------------------------- download


def case_document_download(*, actor: Actor, case_id: int, kind: str) -> Document:
    """One document of a case for someone entitled to see it, recorded in the audit chain."""
    case = selectors.case_for_reader(actor=actor, case_id=case_id)
    content = document_render(case, kind)
    with transaction.atomic():
        audit_record(
            action="case.document_download",
            obj=case,
            actor=actor,
            region_code=case.region_code,
            detail={"kind": kind, "number": case.number},
        )
    return Document(case=case, kind=kind, filename=document_filename(case, kind), content=content)
