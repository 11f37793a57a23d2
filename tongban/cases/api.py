"""Cases over HTTP (/api/v1/cases): what a department system or the mobile app needs to file an
application, follow it, and move it along the workflow.

Every endpoint reads through selectors (scope: "not found" outside it) and writes through one
service; a refusal is a TongbanError, mapped once to application/problem+json by tongban.config.api.
Every act takes the `expected_revision` the caller last saw, so two clerks cannot both act on the
same state (the second gets 409 `case_changed`). Personal data in responses is masked.
"""

import base64
import binascii
import datetime as dt
from typing import Literal

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.errors import ValidationError
from ninja.security import django_auth
from pydantic import ValidationError as PydanticValidationError

from tongban.accounts import selectors as accounts
from tongban.accounts.types import Actor
from tongban.cases import clock, selectors, services, workflow
from tongban.cases.models import Case
from tongban.cases.uploads import stored_file_response, upload_read
from tongban.catalog import selectors as catalog
from tongban.catalog.selectors import form_spec
from tongban.core.errors import NotFound, TongbanError, ValidationFailed
from tongban.core.masking import mask
from tongban.core.nul import NUL_REFUSED, json_has_nul

router = Router(auth=django_auth)

# Answer kinds that hold personal data, and how they are masked in responses.
MASKED_KINDS = {"id_number": "id_number", "phone": "phone"}
MASKED_PREFILLS = {"person.name": "name", "person.id_number": "id_number", "person.phone": "phone"}


# ---------------------------------------------------------------- schemas


class FileIn(Schema):
    """One material file, its content in Base64."""

    name: str = Field(..., max_length=200, examples=["身份证.pdf"])
    content_base64: str = Field(..., description="文件内容的 Base64 编码（PDF、JPG 或 PNG）")


class ApplyFileIn(FileIn):
    """A file sent with an application, for the material the catalogue lists under `standard_code`."""

    standard_code: str = Field(..., max_length=30, description="材料的标准编码（见事项的材料清单）")


class ApplicationIn(Schema):
    """What every application states besides its files."""

    item_id: int
    answers: dict = Field(default_factory=dict, description="申请表，按事项表单字段的 key 填写")
    person_id: int | None = Field(None, description="窗口或代办人员代申请人填报时，申请人的自然人 id")
    legal_person_id: int | None = Field(None, description="以企业身份申请时，企业的法人 id")
    channel: Literal["web", "mobile", "api", "window", "agent"] = "api"
    consent: dict | None = Field(None, description='代办时申请人的授权，如 {"method": "sms", "reference": "…"}')
    conditions_confirmed: bool = Field(
        False, description="申请人已阅读并符合受理条件（网上、移动端和部门系统申请有受理条件的事项时必须为 true）"
    )


class ApplyIn(ApplicationIn):
    """An application with its files in Base64 (`POST /cases`)."""

    files: list[ApplyFileIn] = Field(default_factory=list)


class ApplyMultipartIn(ApplicationIn):
    """The JSON of a multipart application's `application` part (`POST /cases/multipart`)."""

    file_codes: list[str] = Field(
        default_factory=list, description="与 files 部分逐一对应：每个文件所属材料的标准编码（standard_code）"
    )


class CaseSummary(Schema):
    number: str
    item_id: int
    item_name: str
    applicant_name: str
    status: str
    status_label: str
    queue: str
    step_name: str
    clock: str
    due_date: dt.date | None
    due_date_provisional: bool = Field(
        False, description="承诺办结日期为预计：所跨年份的节假日安排尚未公布，公布后自动重算"
    )
    submitted_at: dt.datetime | None
    updated_at: dt.datetime
    channel: str
    claimed: bool
    revision: int


class CasePage(Schema):
    count: int
    page: int
    pages: int
    items: list[CaseSummary]


class QueueOut(Schema):
    code: str
    label: str
    mine: bool
    count: int


class Applicant(Schema):
    kind: Literal["person", "legal_person"]
    name: str
    id_number: str = Field("", description="证件号码（脱敏）")
    phone: str = Field("", description="手机号码（脱敏）")
    legal_person_name: str = ""
    uscc: str = ""


class FileOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    pages: int
    sha256: str
    uploaded_at: dt.datetime


class CaseMaterialOut(Schema):
    id: int
    name: str
    standard_code: str
    required: bool
    source: str
    provided: str
    checked: bool
    files: list[FileOut]


class HistoryOut(Schema):
    act: str
    act_label: str
    code: int | None = Field(None, description="国家办件状态代码（1–15），无对应代码的动作为空")
    status: str
    step_name: str
    opinion: str
    office_name: str
    office_uscc: str
    actor_name: str
    created_at: dt.datetime


class ClockOut(Schema):
    state: str = Field(..., description="green 正常、yellow 预警、red 超期、paused 暂停、stopped 已结束、空为未计时")
    accepted_on: dt.date | None
    promised_days: int
    paused_days: int
    paused_since: dt.date | None
    warn_on: dt.date | None
    due_date: dt.date | None
    step_due_date: dt.date | None
    provisional_years: list[int] = Field(
        default_factory=list,
        description="期限所跨、节假日安排尚未公布的年份；非空时承诺办结日期、预警日期和环节到期日期均为预计，公布后自动重算",
    )


class CorrectionOut(Schema):
    items: list[dict]
    note: str
    requested_on: dt.date
    due_date: dt.date
    answered_on: dt.date | None
    expired: bool


class SpecialOut(Schema):
    kind: str
    kind_label: str
    limit_days: int
    note: str
    started_on: dt.date
    ended_on: dt.date | None
    result: str


class CaseDetail(CaseSummary):
    department: str
    office: str
    region_code: str
    step: int
    step_post: str
    applicant: Applicant
    answers: dict
    clock_detail: ClockOut
    decision: str
    decided_at: dt.datetime | None
    owed_material: str
    owed_until: dt.date | None
    result_name: str
    result_reference: str
    completed_at: dt.datetime | None
    delivery: str
    carrier: str
    tracking_number: str
    delivered_at: dt.datetime | None
    ended_at: dt.datetime | None
    materials: list[CaseMaterialOut]
    history: list[HistoryOut]
    corrections: list[CorrectionOut]
    special_procedures: list[SpecialOut]
    acts: list[str] = Field(..., description="调用者现在可以做的动作（POST /cases/{number}/acts/{act}）")


class ActIn(Schema):
    expected_revision: int = Field(..., description="调用者看到的办件修订号；办件已被他人处理时返回 409 case_changed")


class AcceptIn(ActIn):
    opinion: str = ""


class RefuseIn(ActIn):
    reason: str
    legal_basis: str


class CorrectionLineIn(Schema):
    reason: str
    material_id: int | None = None
    name: str = ""


class CorrectionRequestIn(ActIn):
    items: list[CorrectionLineIn]
    note: str = ""
    limit_days: int | None = Field(None, ge=1, le=60)


class CorrectionAnswerIn(ActIn):
    answer: str = ""
    answers: dict | None = None


class OpinionIn(ActIn):
    opinion: str


class ReturnIn(ActIn):
    to_step: int
    reason: str


class SpecialStartIn(ActIn):
    kind: Literal["inspection", "expert", "hearing", "notice", "testing"]
    note: str = ""
    limit_days: int | None = Field(None, ge=1, le=365)


class SpecialEndIn(ActIn):
    result: str


class DecideIn(ActIn):
    decision: Literal["approved", "approved_owing", "not_approved"]
    opinion: str
    owed_material: str = ""
    owed_days: int | None = Field(None, ge=1, le=365)


class IssueIn(ActIn):
    reference: str = ""
    result_data: dict = Field(
        default_factory=dict, description="结果为电子证照时的照面信息（未填的取自申请表和申请人登记信息）"
    )


class DeliverIn(ActIn):
    method: Literal["window", "mail", "electronic"]
    carrier: str = ""
    tracking_number: str = ""


class NoteIn(ActIn):
    note: str = ""


class WithdrawIn(ActIn):
    reason: str = ""


class RevokeIn(ActIn):
    legal_basis: str
    reason: str


class ClaimIn(Schema):
    expected_revision: int | None = Field(None, description="可选；给出时先核对修订号")


# ---------------------------------------------------------------- helpers


def _is_staff(actor: Actor) -> bool:
    return accounts.staff_of(actor) is not None


def _case_for(actor: Actor, number: str) -> Case:
    """The case by its number, as the caller may see it: staff within their scope, applicants their own."""
    if _is_staff(actor):
        return selectors.case_by_number_for_staff(actor=actor, number=number)
    return selectors.case_for_applicant(actor=actor, number=number)


def _applicant(case: Case) -> dict:
    person = case.person
    legal = case.legal_person
    return {
        "kind": "legal_person" if legal else "person",
        "name": mask("name", person.real_name),
        "id_number": mask("id_number", person.id_number),
        "phone": mask("phone", person.phone),
        "legal_person_name": legal.name if legal else "",
        "uscc": legal.uscc if legal else "",
    }


def _answers_masked(case: Case) -> dict:
    masked = dict(case.answers)
    for spec in form_spec(catalog.version_for_case(case.version_id)):
        kind = MASKED_PREFILLS.get(spec.prefill) or MASKED_KINDS.get(spec.kind)
        if kind and isinstance(masked.get(spec.key), str):
            masked[spec.key] = mask(kind, masked[spec.key])
    return masked


def _history(case: Case) -> list[dict]:
    applicant_ids = {case.filed_by_id} if case.channel in Case.SELF_FILED else set()
    return [
        {
            "act": row.act,
            "act_label": str(workflow.HISTORY_LABELS.get(row.act, row.act)),
            "code": row.code,
            "status": row.status,
            "step_name": row.step_name,
            "opinion": row.opinion,
            "office_name": row.office_name,
            "office_uscc": row.office_uscc,
            "actor_name": mask("name", row.actor_name) if row.actor_id in applicant_ids else row.actor_name,
            "created_at": row.created_at,
        }
        for row in selectors.case_history(case)
    ]


def _file(case_file) -> dict:
    return {
        "id": case_file.pk,
        "name": case_file.original_name,
        "content_type": case_file.content_type,
        "size": case_file.size,
        "pages": case_file.pages,
        "sha256": case_file.sha256,
        "uploaded_at": case_file.uploaded_at,
    }


def _materials(case: Case) -> list[dict]:
    return [
        {
            "id": m.pk,
            "name": m.name,
            "standard_code": m.standard_code,
            "required": m.required,
            "source": m.source,
            "provided": m.provided,
            "checked": m.checked,
            "files": [_file(f) for f in m.files.all()],
        }
        for m in selectors.case_materials(case)
    ]


def _acts(actor: Actor, case: Case) -> list[str]:
    acts = selectors.acts_allowed(actor=actor, case=case)
    if selectors.release_offered(actor=actor, case=case):
        acts.append("release")
    elif selectors.claim_offered(actor=actor, case=case):
        acts.append("claim")
    return acts


def _summary(case: Case) -> dict:
    return {
        "number": case.number or "",
        "item_id": case.item_id,
        "item_name": case.item_name,
        "applicant_name": case.applicant_shown,
        "status": case.status,
        "status_label": case.get_status_display(),
        "queue": case.queue,
        "step_name": case.step_name,
        "clock": case.clock,
        "due_date": case.due_date,
        "due_date_provisional": bool(clock.case_provisional_years(case)),
        "submitted_at": case.submitted_at,
        "updated_at": case.updated_at,
        "channel": case.channel,
        "claimed": case.claimed_by_id is not None,
        "revision": case.revision,
    }


def _detail(actor: Actor, case: Case) -> dict:
    return {
        **_summary(case),
        "department": case.department.name,
        "office": case.office.name,
        "region_code": case.region_code,
        "step": case.step,
        "step_post": case.step_post,
        "applicant": _applicant(case),
        "answers": _answers_masked(case),
        "clock_detail": {
            "state": case.clock,
            "accepted_on": case.accepted_on,
            "promised_days": case.promised_days,
            "paused_days": case.paused_days,
            "paused_since": case.paused_since,
            "warn_on": case.warn_on,
            "due_date": case.due_date,
            "step_due_date": case.step_due_date,
            "provisional_years": clock.case_provisional_years(case),
        },
        "decision": case.decision,
        "decided_at": case.decided_at,
        "owed_material": case.owed_material,
        "owed_until": case.owed_until,
        "result_name": case.result_name,
        "result_reference": case.result_reference,
        "completed_at": case.completed_at,
        "delivery": case.delivery,
        "carrier": case.carrier,
        "tracking_number": case.tracking_number,
        "delivered_at": case.delivered_at,
        "ended_at": case.ended_at,
        "materials": _materials(case),
        "history": _history(case),
        "corrections": [
            {
                "items": c.items,
                "note": c.note,
                "requested_on": c.requested_on,
                "due_date": c.due_date,
                "answered_on": c.answered_on,
                "expired": c.expired,
            }
            for c in case.corrections.all()
        ],
        "special_procedures": [
            {
                "kind": p.kind,
                "kind_label": p.get_kind_display(),
                "limit_days": p.limit_days,
                "note": p.note,
                "started_on": p.started_on,
                "ended_on": p.ended_on,
                "result": p.result,
            }
            for p in case.special_procedures.all()
        ],
        "acts": _acts(actor, case),
    }


def _decoded(upload: FileIn) -> bytes:
    try:
        return base64.b64decode(upload.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(
            f"文件“{upload.name}”的 content_base64 不是有效的 Base64 编码，请重新编码后提交。",
            code="upload_base64_invalid",
        ) from None


def _acted(request, number: str, act) -> dict:
    """Run `act(case)` on the case the caller may see, then return its fresh detail."""
    case = _case_for(request.user, number)
    act(case)
    return _detail(request.user, _case_for(request.user, number))


# ---------------------------------------------------------------- applications and lists


@router.post(
    "",
    response={201: CaseSummary},
    summary="提交申请：表单、材料文件和提交一次完成（要么全部收件，要么都不保留）；返回办件摘要，详情见 Location",
)
def case_apply(request, response: HttpResponse, payload: ApplyIn):
    uploads = [
        services.Upload(standard_code=upload.standard_code, name=upload.name, content=_decoded(upload))
        for upload in payload.files
    ]
    return _applied(request, response, payload, uploads)


@router.post(
    "/multipart",
    response={201: CaseSummary},
    summary="以 multipart/form-data 提交申请：application 部分为申请 JSON（ApplyMultipartIn），files 部分为材料文件，"
    "与 file_codes 逐一对应；文件按原样上传，不必 Base64 编码，上限与网页上传相同",
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "application": {
                                "type": "string",
                                "contentMediaType": "application/json",
                                "contentSchema": ApplyMultipartIn.model_json_schema(),
                                "description": "申请 JSON，字段见 ApplyMultipartIn",
                            },
                            "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                        },
                    },
                    "encoding": {"application": {"contentType": "application/json"}},
                }
            },
            "required": True,
        }
    },
)
def case_apply_multipart(
    request, response: HttpResponse, application: Form[str], files: File[list[UploadedFile]] = None
):
    payload = _application(application)
    files = files or []
    if len(payload.file_codes) != len(files):
        raise ValidationFailed(
            f"file_codes 有{len(payload.file_codes)}项，files 有{len(files)}个文件："
            "请为每个文件写明所属材料的标准编码。",
            code="file_codes_mismatch",
            field="file_codes",
        )
    uploads = [
        services.Upload(standard_code=code, name=file.name or "", content=upload_read(file))
        for code, file in zip(payload.file_codes, files, strict=True)
    ]
    return _applied(request, response, payload, uploads)


def _application(text: str) -> ApplyMultipartIn:
    """The `application` part, refused like any malformed body (400, its errors listed)."""
    if json_has_nul(text.encode()):
        raise TongbanError(NUL_REFUSED, code="nul_character")
    try:
        return ApplyMultipartIn.model_validate_json(text)
    except PydanticValidationError as error:
        errors = error.errors(include_url=False, include_context=False, include_input=False)
        raise ValidationError([{**e, "loc": ["form", "application", *e["loc"]]} for e in errors]) from None


def _applied(request, response: HttpResponse, payload: ApplicationIn, uploads: list) -> Status:
    confirmed = (
        {"confirmed": True, "confirmed_at": timezone.now().isoformat()} if payload.conditions_confirmed else None
    )
    case = services.case_apply(
        actor=request.user,
        item_id=payload.item_id,
        answers=payload.answers,
        uploads=uploads,
        person_id=payload.person_id,
        legal_person_id=payload.legal_person_id,
        channel=payload.channel,
        consent=payload.consent,
        eligibility=confirmed,
    )
    response["Location"] = f"{request.path.removesuffix('/multipart').rstrip('/')}/{case.number}"
    return Status(201, _summary(case))


@router.get(
    "", response=CasePage, summary="办件列表：申请人看自己的办件；工作人员按队列（queue）或检索（q）看数据范围内的办件"
)
def case_list(
    request,
    queue: str = "",
    q: str = "",
    status: Literal["", "open", "done"] = "",
    item_id: int | None = None,
    clock: str = "",
    sort: Literal["due", "-due", "new"] = "due",
    page: int = 1,
):
    actor = request.user
    if not _is_staff(actor):
        found = selectors.cases_of_applicant(actor=actor, status=status, page=page)
    elif queue:
        query = selectors.QueueQuery(queue=queue, text=q, item_id=item_id, clock=clock, sort=sort, page=page)
        found = selectors.queue_page(actor=actor, query=query)
    else:
        found = selectors.case_search(actor=actor, text=q, page=page)
    return {
        "count": found.paginator.count,
        "page": found.number,
        "pages": found.paginator.num_pages,
        "items": [_summary(case) for case in found.object_list],
    }


@router.get("/queues", response=list[QueueOut], summary="工作人员的办件队列及数量（本人岗位的队列在前）")
def case_queues(request):
    if not _is_staff(request.user):
        raise NotFound("办件队列仅对工作人员开放。", code="staff_only")
    return selectors.queues_for(request.user)


@router.get(
    "/{number}",
    response=CaseDetail,
    summary="办件详情：材料（不含文件内容）、带国家状态代码的办理过程、计时和可做的动作",
)
def case_detail(request, number: str):
    return _detail(request.user, _case_for(request.user, number))


# ---------------------------------------------------------------- files


@router.post(
    "/{number}/materials/{material_id}/files",
    response={201: FileOut},
    summary="上传材料文件（Base64；草稿、补正中的申请人或窗口人员）",
)
def case_file_add(request, number: str, material_id: int, payload: FileIn):
    case = _case_for(request.user, number)
    added = services.case_file_add(
        actor=request.user, case_id=case.pk, material_id=material_id, name=payload.name, content=_decoded(payload)
    )
    return Status(201, _file(added))


@router.get(
    "/{number}/files/{file_id}",
    summary="下载材料文件（仅申请人一方及数据范围内的工作人员）",
    openapi_extra={
        "responses": {
            200: {
                "description": "文件内容",
                "content": {
                    kind: {"schema": {"type": "string", "format": "binary"}}
                    for kind in ("application/pdf", "image/jpeg", "image/png")
                },
            }
        }
    },
)
def case_file_get(request, number: str, file_id: int):
    case_file = selectors.case_file_for(actor=request.user, file_id=file_id)
    if case_file.case.number != number:
        raise NotFound("未找到该文件。", code="file_not_found")
    response = stored_file_response(
        case_file.file.open("rb"), content_type=case_file.content_type, name=case_file.original_name
    )
    response["X-Content-SHA256"] = case_file.sha256
    return response


# ---------------------------------------------------------------- acts


ACT_RESPONSES = {200: CaseDetail}


@router.post("/{number}/acts/accept", response=ACT_RESPONSES, summary="受理（材料齐全）")
def act_accept(request, number: str, payload: AcceptIn):
    return _acted(
        request,
        number,
        lambda case: services.case_accept(
            actor=request.user, case_id=case.pk, opinion=payload.opinion, expected_revision=payload.expected_revision
        ),
    )


@router.post("/{number}/acts/refuse", response=ACT_RESPONSES, summary="不予受理（须写明理由和法律依据）")
def act_refuse(request, number: str, payload: RefuseIn):
    return _acted(
        request,
        number,
        lambda case: services.case_refuse(
            actor=request.user,
            case_id=case.pk,
            reason=payload.reason,
            legal_basis=payload.legal_basis,
            expected_revision=payload.expected_revision,
        ),
    )


@router.post("/{number}/acts/request_correction", response=ACT_RESPONSES, summary="一次性告知补正（计时暂停）")
def act_request_correction(request, number: str, payload: CorrectionRequestIn):
    items = [services.CorrectionItem(reason=i.reason, material_id=i.material_id, name=i.name) for i in payload.items]
    return _acted(
        request,
        number,
        lambda case: services.case_correction_request(
            actor=request.user,
            case_id=case.pk,
            items=items,
            note=payload.note,
            limit_days=payload.limit_days,
            expected_revision=payload.expected_revision,
        ),
    )


@router.post(
    "/{number}/acts/answer_correction",
    response=ACT_RESPONSES,
    summary="补正材料（先上传告知所列材料的新文件，计时恢复）",
)
def act_answer_correction(request, number: str, payload: CorrectionAnswerIn):
    return _acted(
        request,
        number,
        lambda case: services.case_correction_answer(
            actor=request.user,
            case_id=case.pk,
            answer=payload.answer,
            answers=payload.answers,
            expected_revision=payload.expected_revision,
        ),
    )


@router.post("/{number}/acts/approve_step", response=ACT_RESPONSES, summary="本环节审核通过，转下一环节")
def act_approve_step(request, number: str, payload: OpinionIn):
    return _acted(
        request,
        number,
        lambda case: services.case_step_approve(
            actor=request.user, case_id=case.pk, opinion=payload.opinion, expected_revision=payload.expected_revision
        ),
    )


@router.post("/{number}/acts/return_step", response=ACT_RESPONSES, summary="退回到之前的环节")
def act_return_step(request, number: str, payload: ReturnIn):
    return _acted(
        request,
        number,
        lambda case: services.case_step_return(
            actor=request.user,
            case_id=case.pk,
            to_step=payload.to_step,
            reason=payload.reason,
            expected_revision=payload.expected_revision,
        ),
    )


@router.post("/{number}/acts/start_special", response=ACT_RESPONSES, summary="启动特别程序（计时暂停）")
def act_start_special(request, number: str, payload: SpecialStartIn):
    return _acted(
        request,
        number,
        lambda case: services.case_special_start(
            actor=request.user,
            case_id=case.pk,
            kind=payload.kind,
            note=payload.note,
            limit_days=payload.limit_days,
            expected_revision=payload.expected_revision,
        ),
    )


@router.post("/{number}/acts/end_special", response=ACT_RESPONSES, summary="结束特别程序（计时恢复）")
def act_end_special(request, number: str, payload: SpecialEndIn):
    return _acted(
        request,
        number,
        lambda case: services.case_special_end(
            actor=request.user, case_id=case.pk, result=payload.result, expected_revision=payload.expected_revision
        ),
    )


@router.post("/{number}/acts/decide", response=ACT_RESPONSES, summary="作出审批决定（最后一个环节）")
def act_decide(request, number: str, payload: DecideIn):
    return _acted(
        request,
        number,
        lambda case: services.case_decide(
            actor=request.user,
            case_id=case.pk,
            decision=payload.decision,
            opinion=payload.opinion,
            owed_material=payload.owed_material,
            owed_days=payload.owed_days,
            expected_revision=payload.expected_revision,
        ),
    )


@router.post("/{number}/acts/issue_result", response=ACT_RESPONSES, summary="办结出证")
def act_issue_result(request, number: str, payload: IssueIn):
    return _acted(
        request,
        number,
        lambda case: services.case_result_issue(
            actor=request.user,
            case_id=case.pk,
            reference=payload.reference,
            result_data=payload.result_data,
            expected_revision=payload.expected_revision,
        ),
    )


@router.post("/{number}/acts/deliver", response=ACT_RESPONSES, summary="送达（邮寄须填快递公司和运单号）")
def act_deliver(request, number: str, payload: DeliverIn):
    return _acted(
        request,
        number,
        lambda case: services.case_deliver(
            actor=request.user,
            case_id=case.pk,
            method=payload.method,
            carrier=payload.carrier,
            tracking_number=payload.tracking_number,
            expected_revision=payload.expected_revision,
        ),
    )


@router.post("/{number}/acts/receive_owed", response=ACT_RESPONSES, summary="收到容缺后补的材料")
def act_receive_owed(request, number: str, payload: NoteIn):
    return _acted(
        request,
        number,
        lambda case: services.case_owed_receive(
            actor=request.user, case_id=case.pk, note=payload.note, expected_revision=payload.expected_revision
        ),
    )


@router.post("/{number}/acts/withdraw", response=ACT_RESPONSES, summary="撤回申请（申请人）")
def act_withdraw(request, number: str, payload: WithdrawIn):
    return _acted(
        request,
        number,
        lambda case: services.case_withdraw(
            actor=request.user, case_id=case.pk, reason=payload.reason, expected_revision=payload.expected_revision
        ),
    )


@router.post("/{number}/acts/revoke", response=ACT_RESPONSES, summary="撤销审批决定（须写明理由和法律依据）")
def act_revoke(request, number: str, payload: RevokeIn):
    return _acted(
        request,
        number,
        lambda case: services.case_revoke(
            actor=request.user,
            case_id=case.pk,
            legal_basis=payload.legal_basis,
            reason=payload.reason,
            expected_revision=payload.expected_revision,
        ),
    )


@router.post("/{number}/acts/claim", response=ACT_RESPONSES, summary="认领（避免两人同时办理同一件）")
def act_claim(request, number: str, payload: ClaimIn):
    return _acted(
        request,
        number,
        lambda case: services.case_claim(
            actor=request.user, case_id=case.pk, expected_revision=payload.expected_revision
        ),
    )


@router.post("/{number}/acts/release", response=ACT_RESPONSES, summary="释放认领")
def act_release(request, number: str, payload: ClaimIn):
    return _acted(
        request,
        number,
        lambda case: services.case_release(
            actor=request.user, case_id=case.pk, expected_revision=payload.expected_revision
        ),
    )
