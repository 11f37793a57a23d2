"""Every write to a case: one function per act of the workflow table (workflow.py).

Each transition service locks the case row, refuses a stale revision (another clerk acted first),
checks the table and the actor's right to act, writes the case, appends the history row, the
audit entry and the domain event (outbox) — all in one transaction, or nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from tongban.accounts import selectors as accounts
from tongban.accounts.types import Actor
from tongban.cases import clock, permissions, results, sources, workflow
from tongban.cases.models import (
    Case,
    CaseCorrection,
    CaseFile,
    CaseMaterial,
    CaseMetrics,
    CaseSpecialProcedure,
    CaseStatus,
)
from tongban.cases.uploads import CheckedUpload, upload_check
from tongban.cases.workflow import Step, handling_steps
from tongban.catalog import selectors as catalog
from tongban.catalog.selectors import form_spec, form_validate, rule_applies
from tongban.core.audit import audit_record
from tongban.core.calendar import add_working_days, today
from tongban.core.errors import Conflict, NotFound, PermissionDenied, TongbanError, ValidationFailed
from tongban.core.events import event_record, events_dispatch_after_commit
from tongban.core.workflow import Transition

# ---------------------------------------------------------------- helpers


def _case_for_update(case_id: int, expected_revision: int | None = None) -> Case:
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise NotFound("未找到该办件。", code="case_not_found")
    if expected_revision is not None and case.revision != expected_revision:
        raise Conflict("该办件刚被其他人处理过，请刷新页面查看最新状态后再操作。", code="case_changed")
    return case


def _open(case: Case, act: str, actor: Actor) -> Transition:
    transition = workflow.WORKFLOW.check(case.status, act)
    permissions.authorise(actor, case, transition)
    return transition


def _record(
    case: Case,
    *,
    act: str,
    actor: Actor,
    status: str,
    fields: Iterable[str] = (),
    opinion: str = "",
    code: int | None = None,
    detail: dict | None = None,
) -> CaseStatus:
    """Write the case's changed fields, its history row, the audit entry and the event."""
    before = case.status
    case.status = status
    case.queue = workflow.queue_for(status, case.step_post)
    case.revision += 1
    case.updated_at = timezone.now()
    if case.queue == "done" and not case.ended_at:
        case.ended_at = case.updated_at
        case.clock = Case.STOPPED if case.clock else Case.NONE
    if case.pk:
        case.save(update_fields=["status", "queue", "revision", "updated_at", "ended_at", "clock", *fields])
    else:
        case.save()  # born in this state (an application made in one go): one insert
    row = _history_append(case, act=act, actor=actor, code=code, opinion=opinion)
    audit_record(
        action=f"case.{act}",
        obj=case,
        actor=actor,
        region_code=case.region_code,
        detail={"number": case.number, "from": before, "to": status, "code": code, **(detail or {})},
    )
    event_record(
        topic="case.changed",
        region_code=case.region_code,
        payload={
            "case_id": case.pk,
            "number": case.number,
            "act": act,
            "code": code,
            "status": status,
            "item_name": case.item_name,
            "person_id": case.person_id,
            "filed_by_id": case.filed_by_id,
            "channel": case.channel,
            "opinion": opinion[:200],
        },
    )
    if case.queue == "done":
        _metrics_write(case)
    return row


def _history_append(case: Case, *, act: str, actor: Actor, code: int | None, opinion: str = "") -> CaseStatus:
    office = case.office
    return CaseStatus.objects.create(
        case=case,
        act=act,
        code=code,
        status=case.status,
        step_name=case.step_name,
        opinion=opinion,
        number=case.number or "",
        region_code=case.region_code,
        office_name=office.name,
        office_uscc=office.uscc,
        actor=actor,
        actor_name=actor.display_name if actor is not None else "系统",
    )


def _metrics_write(case: Case) -> None:
    materials = list(case.materials.all())
    history = list(case.history.all())
    actors = sorted({row.actor_id for row in history if row.actor_id})
    days_used = clock.paused_working_days(case.accepted_on, today()) - case.paused_days if case.accepted_on else None
    CaseMetrics.objects.update_or_create(
        case=case,
        defaults={
            "region_code": case.region_code,
            "department_id": case.department_id,
            "item_id": case.item_id,
            "channel": case.channel,
            "outcome": case.status,
            "visits": 1 if case.channel == Case.WINDOW else 0,
            "materials_submitted": sum(1 for m in materials if m.provided in (CaseMaterial.UPLOAD, CaseMaterial.PAPER)),
            "materials_exempted": sum(1 for m in materials if m.provided in CaseMaterial.EXEMPT),
            "days_used": max(days_used, 0) if days_used is not None else None,
            "days_promised": case.promised_days,
            "on_time": (today() <= case.due_date) if case.due_date else None,
            "steps": sum(1 for row in history if row.act in ("approve_step", "decide", "accept")),
            "actors": actors,
            "ended_on": today(),
        },
    )


# ---------------------------------------------------------------- drafts and submission


def case_draft_start(
    *,
    actor: Actor,
    item_id: int,
    person_id: int | None = None,
    legal_person_id: int | None = None,
    channel: str = Case.WEB,
    consent: dict | None = None,
) -> Case:
    """A draft application for the item's current version. Citizens apply for themselves (or an
    enterprise they act for); window clerks and village agents name the applicant."""
    with transaction.atomic():
        case, materials = _draft_built(
            actor,
            item_id=item_id,
            person_id=person_id,
            legal_person_id=legal_person_id,
            channel=channel,
            consent=consent,
        )
        case.save()
        _materials_insert(case, materials)
        audit_record(action="case.draft", obj=case, actor=actor, region_code=case.region_code)
    return case


def _draft_built(
    actor: Actor,
    *,
    item_id: int,
    person_id: int | None,
    legal_person_id: int | None,
    channel: str,
    consent: dict | None,
    answers: dict | None = None,
    eligibility: dict | None = None,
) -> tuple[Case, list[CaseMaterial]]:
    """A new draft under the item's current version, with its list of materials, not yet saved."""
    version = catalog.version_current_for_item(item_id)
    person_id, channel = _applicant_for(actor, person_id=person_id, channel=channel, consent=consent)
    self_service = channel in Case.SELF_FILED
    if channel in Case.PORTAL and not (version.by_online and version.online_depth >= 3):
        raise ValidationFailed("该事项暂不支持网上申请，请按办事指南到办理地点申请。", code="item_not_online")
    if legal_person_id and self_service and not accounts.person_acts_for(person_id, legal_person_id):
        raise PermissionDenied("您尚未获得该企业的办事授权，请先在“企业办事授权”中绑定。", code="no_mandate")
    person = actor.person if actor.person_id == person_id else accounts.person_by_id(person_id)
    legal = accounts.legal_person_by_id(legal_person_id) if legal_person_id else None
    if legal is None and not version.for_persons:
        raise ValidationFailed("该事项仅面向法人办理，请选择以企业身份申请。", code="item_for_legal_persons")
    if legal is not None and not version.for_legal_persons:
        raise ValidationFailed("该事项仅面向自然人办理。", code="item_for_persons")
    department = version.item.department
    staff = accounts.staff_of(actor)
    case = Case(
        version=version,
        item_id=version.item_id,
        item_name=version.name,
        department=department,
        office=department,
        region_code=department.region.code,
        person=person,
        legal_person=legal,
        applicant_name=legal.name if legal else person.real_name,
        filed_by=actor,
        channel=channel,
        hall_id=staff.hall_id if staff and channel == Case.WINDOW else None,
        agency_point_id=staff.agency_point_id if staff and channel == Case.AGENT else None,
        consent=consent or {},
        answers=answers or {},
        eligibility=eligibility or {},
        promised_days=version.promised_days,
    )
    materials = [
        CaseMaterial(
            version_material_id=m.pk,
            standard_code=m.standard_id,
            name=m.display_name,
            required=m.required,
            source=m.source,
            source_ref=m.source_ref,
            order=index,
        )
        for index, m in enumerate(version.materials.all())
    ]
    return case, materials


def _materials_insert(case: Case, materials: list[CaseMaterial]) -> list[CaseMaterial]:
    for material in materials:
        material.case = case
    return CaseMaterial.objects.bulk_create(materials)


def _applicant_for(actor: Actor, *, person_id, channel, consent) -> tuple[int, str]:
    staff = accounts.staff_of(actor)
    if staff is None:
        if not actor.person_id:
            raise PermissionDenied("请先完成实名认证后再申请。", code="real_name_required")
        if person_id not in (None, actor.person_id):
            raise PermissionDenied("只能为本人申请；代他人办理请到窗口或代办点。", code="apply_for_self")
        return actor.person_id, channel if channel in Case.SELF_FILED else Case.WEB
    if person_id is None:
        raise ValidationFailed("请先查找并选择申请人。", code="applicant_required")
    if accounts.staff_has_post(actor, "agent") and channel == Case.AGENT:
        if not consent or consent.get("method") not in ("sms", "signature"):
            raise ValidationFailed("代办须记录申请人的授权（短信验证码或签名）。", code="consent_required")
        return person_id, Case.AGENT
    if accounts.staff_has_post(actor, "window") or accounts.staff_has_post(actor, "accept"):
        return person_id, Case.WINDOW
    raise PermissionDenied("只有综合窗口、受理或代办岗位可以代申请人填报。", code="not_front_desk")


def _draft_for_update(*, actor: Actor, case_id: int) -> Case:
    case = _case_for_update(case_id)
    if not permissions.is_applicant_side(actor, case):
        raise NotFound("未找到该办件。", code="case_not_found")
    if case.status not in (Case.DRAFT, Case.CORRECTION):
        raise Conflict("申请已提交，不能再修改；如需补充，请等待补正告知。", code="case_not_editable")
    return case


@transaction.atomic
def case_draft_save(
    *, actor: Actor, case_id: int, answers: dict | None = None, eligibility: dict | None = None
) -> Case:
    """Autosave: keeps whatever the applicant has typed so far (validated only at submission)."""
    case = _draft_for_update(actor=actor, case_id=case_id)
    fields = ["updated_at"]
    if answers is not None:
        case.answers = {**case.answers, **answers}
        fields.append("answers")
    if eligibility is not None:
        case.eligibility = eligibility
        fields.append("eligibility")
    case.updated_at = timezone.now()
    case.save(update_fields=fields)
    return case


@transaction.atomic
def case_draft_discard(*, actor: Actor, case_id: int) -> None:
    case = _draft_for_update(actor=actor, case_id=case_id)
    if case.status != Case.DRAFT:
        raise Conflict("只能删除未提交的草稿。", code="case_not_draft")
    stored = [f.file.name for f in case.files.all()]
    audit_record(action="case.draft_discard", obj=case, actor=actor, region_code=case.region_code)
    case.delete()
    transaction.on_commit(lambda: _delete_stored(stored))


def _delete_stored(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def case_file_add(*, actor: Actor, case_id: int, material_id: int, name: str, content: bytes) -> CaseFile:
    """Keep an uploaded file for a material, after checking what it really is."""
    checked = upload_check(name=name, content=content)
    with transaction.atomic():
        case = _case_for_update(case_id)
        material = case.materials.filter(pk=material_id).first()
        if material is None:
            raise NotFound("该办件没有这项材料。", code="material_not_found")
        _require_may_upload(actor, case)
        case_file = _file_stored(case, material, checked, actor)
        try:
            case_file.save()
            material.provided = CaseMaterial.UPLOAD
            material.save(update_fields=["provided"])
            audit_record(
                action="case.file_add",
                obj=case,
                actor=actor,
                region_code=case.region_code,
                detail=_file_detail(material.name, case_file),
            )
        except Exception:
            case_file.file.delete(save=False)  # the row did not commit: keep no orphan file
            raise
    return case_file


def _file_stored(case: Case, material: CaseMaterial, checked: CheckedUpload, actor: Actor) -> CaseFile:
    """The file's row, not yet saved, with its content already in storage (named by its hash)."""
    case_file = CaseFile(
        case=case,
        material=material,
        original_name=checked.name,
        content_type=checked.content_type,
        size=len(checked.content),
        pages=checked.pages,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    case_file.file.save(f"{checked.sha256[:16]}.{checked.extension}", ContentFile(checked.content), save=False)
    return case_file


def _file_detail(material_name: str, case_file: CaseFile) -> dict:
    return {"material": material_name, "sha256": case_file.sha256, "size": case_file.size}


def _require_may_upload(actor: Actor, case: Case) -> None:
    if case.status in (Case.DRAFT, Case.CORRECTION) and permissions.is_applicant_side(actor, case):
        return
    if case.is_open and permissions.staff_may(actor, case, workflow.FRONT_DESK):
        return
    if not permissions.is_applicant_side(actor, case) and not permissions.staff_may(actor, case, workflow.FRONT_DESK):
        raise NotFound("未找到该办件。", code="case_not_found")
    raise Conflict("申请已提交，只有在补正时才能补充材料。", code="case_not_editable")


@transaction.atomic
def case_file_remove(*, actor: Actor, file_id: int) -> None:
    case_file = CaseFile.objects.select_related("material").filter(pk=file_id).first()
    if case_file is None:
        raise NotFound("未找到该文件。", code="file_not_found")
    case = _case_for_update(case_file.case_id)
    if case.status not in (Case.DRAFT, Case.CORRECTION):
        raise Conflict("已提交的材料不能删除。", code="case_not_editable")
    _require_may_upload(actor, case)
    material = case_file.material
    name = case_file.file.name
    case_file.delete()
    if not material.files.exists():
        material.provided = ""
        material.save(update_fields=["provided"])
    audit_record(action="case.file_remove", obj=case, actor=actor, region_code=case.region_code)
    transaction.on_commit(lambda: _delete_stored([name]))


@transaction.atomic
def case_material_mark_paper(*, actor: Actor, case_id: int, material_id: int, checked: bool = True) -> CaseMaterial:
    """A clerk at the window has checked the paper original of a material against the list."""
    case = _case_for_update(case_id)
    if not permissions.staff_may(actor, case, workflow.FRONT_DESK):
        raise PermissionDenied("只有窗口工作人员可以核验纸质材料。", code="not_front_desk")
    material = case.materials.filter(pk=material_id).first()
    if material is None:
        raise NotFound("该办件没有这项材料。", code="material_not_found")
    material.checked = checked
    if not material.provided or material.provided == CaseMaterial.PAPER:
        material.provided = CaseMaterial.PAPER if checked else ""
    material.save(update_fields=["checked", "provided"])
    audit_record(action="case.material_check", obj=case, actor=actor, region_code=case.region_code)
    return material


def case_submit(*, actor: Actor, case_id: int, expected_revision: int | None = None) -> Case:
    with transaction.atomic():
        return _submit(actor, _case_for_update(case_id, expected_revision))


def case_submit_with_correction(
    *, actor: Actor, case_id: int, items: list["CorrectionItem"], note: str = "", limit_days: int | None = None
) -> "CaseCorrection":
    """At the window: receive what the walk-in applicant brought and hand them, in the same visit,
    the one-time notice of everything still missing."""
    with transaction.atomic():
        case = _case_for_update(case_id)
        if not permissions.staff_may(actor, case, workflow.FRONT_DESK):
            raise PermissionDenied("只有窗口工作人员可以当场出具补正告知。", code="not_front_desk")
        _submit(actor, case, missing_materials_noticed=True)
        return case_correction_request(actor=actor, case_id=case_id, items=items, note=note, limit_days=limit_days)


def _submit(actor: Actor, case: Case, *, missing_materials_noticed: bool = False) -> Case:
    """Submit a draft locked by this transaction."""
    if not catalog.version_is_current(case.version_id):
        raise Conflict("该事项的办事指南已更新，请重新开始申请。", code="version_outdated")
    _submission_checked(actor, case, missing_ok=missing_materials_noticed)
    _submission_record(actor, case)
    return case


def _submission_checked(
    actor: Actor, case: Case, *, materials: list[CaseMaterial] | None = None, missing_ok: bool = False
) -> list[CaseMaterial]:
    """The submission's checks, in the order the applicant is told: may submit, conditions
    confirmed, form valid, materials complete. Returns the materials that apply."""
    _open(case, "submit", actor)
    version = catalog.version_for_case(case.version_id)
    if case.channel in Case.PORTAL and version.conditions and not case.eligibility.get("confirmed"):
        raise ValidationFailed("请先阅读受理条件，并确认“我已阅读并符合受理条件”。", code="eligibility_unconfirmed")
    case.answers = _answers_checked(version, case.answers)
    return _materials_settled(case, case.answers, actor, materials=materials, missing_ok=missing_ok)


def _submission_record(actor: Actor, case: Case, *, detail: dict | None = None) -> None:
    case.number = _case_number(case)
    case.submitted_at = timezone.now()
    fields = ["answers", "number", "submitted_at"]
    _record(case, act="submit", actor=actor, status=Case.RECEIVED, fields=fields, code=1, detail=detail)


def _answers_checked(version, answers: dict) -> dict:
    cleaned, errors = form_validate(form_spec(version), answers)
    if errors:
        raise ValidationFailed(
            f"申请表有{len(errors)}处需要修改。", code="form_invalid", problems=list(errors.values())
        )
    return cleaned


def _materials_settled(
    case: Case, answers: dict, actor: Actor, *, materials: list[CaseMaterial] | None = None, missing_ok: bool = False
) -> list[CaseMaterial]:
    """Drop conditional materials that do not apply; let the platform supply what it can; every
    required material still missing is listed at once. Returns the materials that apply."""
    rules = {m.pk: m.condition_rule for m in catalog.version_for_case(case.version_id).materials.all()}
    missing, dropped, kept = [], [], []
    for material in case.materials.all() if materials is None else materials:
        if not rule_applies(rules.get(material.version_material_id), answers):
            dropped.append(material.pk)
            continue
        kept.append(material)
        problem = ""
        if not material.provided and material.source in ("licence", "shared"):
            problem = _supply_from_source(case, material, actor)
        needed = material.required or bool(rules.get(material.version_material_id))  # a rule that applies
        if needed and not material.provided:
            missing.append(_missing_message(material, problem))
    if missing and not missing_ok:
        raise ValidationFailed(f"还缺{len(missing)}项材料。", code="materials_missing", problems=missing)
    if case.pk and dropped:
        _materials_drop(dropped)
    return kept


def _materials_drop(material_ids: list[int]) -> None:
    """Delete materials that do not apply, with their files (the stored content once committed)."""
    files = CaseFile.objects.filter(material_id__in=material_ids)
    stored = list(files.values_list("file", flat=True))
    files.delete()
    CaseMaterial.objects.filter(pk__in=material_ids).delete()
    transaction.on_commit(lambda: _delete_stored(stored))


def _supply_from_source(case: Case, material: CaseMaterial, actor: Actor) -> str:
    """Let the platform supply the material; returns why it could not ("" when it did, or when
    the source simply holds nothing for this applicant)."""
    resolution = sources.material_source_resolve(case=case, material=material, actor=actor)
    if resolution.evidence is None:
        return resolution.problem
    material.provided = resolution.evidence.provided
    material.evidence = resolution.evidence.as_json()
    material.checked = resolution.evidence.verified
    if material.pk:  # a saved draft's row; a new case's materials are written once, complete
        material.save(update_fields=["provided", "evidence", "checked"])
    return ""


def _missing_message(material: CaseMaterial, problem: str) -> str:
    if material.source in ("licence", "shared"):
        reason = problem.rstrip("。") if problem else "共享数据和电子证照中没有查到"
        return f"“{material.name}”未能自动调取（{reason}），请上传。"
    return f"请提交“{material.name}”。"


def _case_number(case: Case) -> str:
    """Region code (12) + date (8) + item (6) + sequence of that item in that region that day (4,
    growing a digit past 9,999: the prefix has a fixed length, so numbers stay unique). The counter
    is bumped with one upsert, so concurrent submissions never share a number."""
    stamp = timezone.localdate().strftime("%Y%m%d")
    prefix = f"{case.region_code}{stamp}{case.item_id % 1_000_000:06d}"
    table = connection.ops.quote_name("cases_casecounter")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, value) VALUES (%s, 1) "
            f"ON CONFLICT (key) DO UPDATE SET value = {table}.value + 1 RETURNING value",
            [prefix],
        )
        (sequence,) = cursor.fetchone()
    return f"{prefix}{sequence:04d}"


# ---------------------------------------------------------------- acceptance


@transaction.atomic
def case_accept(*, actor: Actor, case_id: int, expected_revision: int | None = None, opinion: str = "") -> Case:
    case = _case_for_update(case_id, expected_revision)
    _open(case, "accept", actor)
    _require_materials_in_hand(case)
    version = catalog.version_for_case(case.version_id)
    case.accepted_on = today()
    deadlines = clock.case_deadlines(accepted_on=case.accepted_on, promised_days=case.promised_days)
    case.due_date, case.warn_on = deadlines.due_date, deadlines.warn_on
    case.clock = clock.clock_colour(today=today(), due_date=case.due_date, warn_on=case.warn_on)
    case.claimed_by = None
    _enter_step(case, handling_steps(version)[0])
    fields = ["accepted_on", "due_date", "warn_on", "clock", "claimed_by", *STEP_FIELDS]
    _record(
        case, act="accept", actor=actor, status=Case.HANDLING, fields=fields, opinion=opinion, code=workflow.ACCEPTED
    )
    _history_append(case, act="start", actor=actor, code=workflow.STARTED, opinion=f"进入“{case.step_name}”环节")
    return case


def _require_materials_in_hand(case: Case) -> None:
    missing = [m.name for m in case.materials.all() if m.required and not m.provided]
    if missing:
        raise ValidationFailed(
            "材料不齐，不能受理；请一次性告知申请人补正。", code="materials_missing", problems=missing
        )


STEP_FIELDS = ("step", "step_name", "step_post", "step_due_date", "office")


def _enter_step(case: Case, step: Step) -> None:
    case.step, case.step_name, case.step_post = step.order, step.name, step.post
    case.step_due_date = clock.step_due(start=today(), budget_days=step.budget_days)
    case.office_id = step.department_id or case.department_id
    case.queue = workflow.queue_for(Case.HANDLING, step.post)


def case_refuse(
    *, actor: Actor, case_id: int, reason: str, legal_basis: str, expected_revision: int | None = None
) -> Case:
    return _end_on_legal_grounds(
        actor=actor,
        case_id=case_id,
        act="refuse",
        status=Case.REFUSED,
        reason=reason,
        legal_basis=legal_basis,
        expected_revision=expected_revision,
        missing="不予受理须写明理由和法律依据。",
    )


@transaction.atomic
def _end_on_legal_grounds(
    *, actor: Actor, case_id: int, act: str, status: str, reason: str, legal_basis: str, expected_revision, missing: str
) -> Case:
    """不予受理 and 撤销 end a case only with a reason and its legal basis, both on the record."""
    if not reason.strip() or not legal_basis.strip():
        raise ValidationFailed(missing, code="reason_required")
    case = _case_for_update(case_id, expected_revision)
    _open(case, act, actor)
    _record(
        case,
        act=act,
        actor=actor,
        status=status,
        opinion=f"{reason.strip()}（依据：{legal_basis.strip()}）",
        code=workflow.CODES[act],
        detail={"legal_basis": legal_basis.strip()},
    )
    return case


# ---------------------------------------------------------------- correction (补正)


@dataclass(frozen=True)
class CorrectionItem:
    reason: str
    material_id: int | None = None
    name: str = ""


@transaction.atomic
def case_correction_request(
    *,
    actor: Actor,
    case_id: int,
    items: list[CorrectionItem],
    note: str = "",
    limit_days: int | None = None,
    expected_revision: int | None = None,
) -> CaseCorrection:
    """One notice listing everything missing (一次性告知); the clock stops until the answer."""
    case = _case_for_update(case_id, expected_revision)
    _open(case, "request_correction", actor)
    if not items:
        raise ValidationFailed("补正告知须列明需要补正的全部事项。", code="correction_items_required")
    if case.corrections.exists():
        raise Conflict("补正告知只能出具一次（一次性告知），本件已告知过。", code="correction_once")
    listed = _correction_lines(case, items)
    limit = limit_days or settings.TONGBAN_CORRECTION_DAYS
    correction = CaseCorrection.objects.create(
        case=case,
        items=listed,
        note=note.strip(),
        requested_by=actor,
        requested_on=today(),
        due_date=add_working_days(today(), limit),
    )
    case.correction_from = case.status
    _pause(case)
    summary = "；".join(f"{line['name']}：{line['reason']}" for line in listed)
    _record(
        case,
        act="request_correction",
        actor=actor,
        status=Case.CORRECTION,
        fields=["correction_from", "paused_since", "clock"],
        opinion=summary,
        code=6,
    )
    return correction


def _correction_lines(case: Case, items: list[CorrectionItem]) -> list[dict]:
    names = {m.pk: m.name for m in case.materials.all()}
    lines = []
    for item in items:
        if item.material_id is not None and item.material_id not in names:
            raise ValidationFailed("补正事项中有不属于本件的材料。", code="material_not_found")
        if not item.reason.strip():
            raise ValidationFailed("每项补正都须写明原因。", code="correction_reason_required")
        name = names.get(item.material_id) if item.material_id else item.name.strip()
        lines.append({"material_id": item.material_id, "name": name or "其他", "reason": item.reason.strip()})
    return lines


def _pause(case: Case) -> None:
    if case.accepted_on:  # before acceptance the clock has not started
        case.paused_since = today()
        case.clock = Case.PAUSED


def _resume(case: Case) -> None:
    if case.paused_since is None:
        return
    case.paused_days += clock.paused_working_days(case.paused_since, today())
    case.paused_since = None
    _recompute_deadlines(case)
    case.step_due_date = max(case.step_due_date or today(), today())


def _recompute_deadlines(case: Case) -> None:
    deadlines = clock.case_deadlines(
        accepted_on=case.accepted_on, promised_days=case.promised_days, paused_days=case.paused_days
    )
    case.due_date, case.warn_on = deadlines.due_date, deadlines.warn_on
    if case.paused_since is None and case.is_open:
        case.clock = clock.clock_colour(today=today(), due_date=case.due_date, warn_on=case.warn_on)


CLOCK_FIELDS = ("paused_days", "paused_since", "due_date", "warn_on", "clock", "step_due_date")


@transaction.atomic
def case_correction_answer(
    *, actor: Actor, case_id: int, answer: str = "", answers: dict | None = None, expected_revision: int | None = None
) -> Case:
    case = _case_for_update(case_id, expected_revision)
    _open(case, "answer_correction", actor)
    correction = case.corrections.filter(answered_on__isnull=True, expired=False).last()
    still_missing = _materials_not_reuploaded(case, correction)
    if still_missing:
        raise ValidationFailed(
            "补正告知所列材料还没有补齐。",
            code="correction_incomplete",
            problems=[f"请补交“{n}”。" for n in still_missing],
        )
    if answers:
        case.answers = _answers_checked(catalog.version_for_case(case.version_id), {**case.answers, **answers})
    correction.answered_on = today()
    correction.answer = answer.strip()
    correction.save(update_fields=["answered_on", "answer"])
    _resume(case)
    _record(
        case,
        act="answer_correction",
        actor=actor,
        status=case.correction_from,
        fields=["answers", "correction_from", *CLOCK_FIELDS],
        opinion=answer.strip(),
        code=7,
    )
    return case


def _materials_not_reuploaded(case: Case, correction: CaseCorrection) -> list[str]:
    asked = correction.material_ids()
    materials = case.materials.filter(pk__in=asked).prefetch_related("files")
    return [material.name for material in materials if not correction.renewed(material, material.files.all())]


@transaction.atomic
def case_correction_expire(*, case_id: int) -> Case:
    """No answer within the notice's limit: not accepted (before acceptance) or not approved."""
    case = _case_for_update(case_id)
    _open(case, "expire_correction", None)
    correction = case.corrections.filter(answered_on__isnull=True).last()
    correction.expired = True
    correction.save(update_fields=["expired"])
    accepted = case.accepted_on is not None
    status = Case.NOT_APPROVED if accepted else Case.REFUSED
    if accepted:  # 办结（不通过）: the decision the notice warned of
        case.decision, case.decided_at = "not_approved", timezone.now()
    _record(
        case,
        act="expire_correction",
        actor=None,
        status=status,
        fields=["decision", "decided_at"],
        opinion=f"申请人未在{correction.due_date:%Y年%m月%d日}前补正。",
        code=workflow.status_code("expire_correction", accepted=accepted),
    )
    return case


# ---------------------------------------------------------------- claim and steps


@transaction.atomic
def case_claim(*, actor: Actor, case_id: int, expected_revision: int | None = None) -> Case:
    case = _case_for_update(case_id, expected_revision)
    if not case.is_open or not permissions.staff_may(actor, case, workflow.claiming_posts(case)):
        raise PermissionDenied("您没有办理该办件当前环节的岗位权限。", code="case_not_your_step")
    if case.claimed_by_id and case.claimed_by_id != actor.pk:
        raise Conflict("该办件已被其他工作人员认领。", code="case_claimed")
    case.claimed_by = actor
    case.save(update_fields=["claimed_by"])
    audit_record(action="case.claim", obj=case, actor=actor, region_code=case.region_code)
    return case


@transaction.atomic
def case_release(*, actor: Actor, case_id: int, expected_revision: int | None = None) -> Case:
    case = _case_for_update(case_id, expected_revision)
    if case.claimed_by_id != actor.pk:
        raise Conflict("只有认领人可以释放该办件。", code="case_not_claimed_by_you")
    case.claimed_by = None
    case.save(update_fields=["claimed_by"])
    audit_record(action="case.release", obj=case, actor=actor, region_code=case.region_code)
    return case


def _current_and_next(case: Case) -> tuple[Step, Step | None]:
    return workflow.step_and_next(handling_steps(catalog.version_for_case(case.version_id)), case.step)


@transaction.atomic
def case_step_approve(*, actor: Actor, case_id: int, opinion: str = "", expected_revision: int | None = None) -> Case:
    case = _case_for_update(case_id, expected_revision)
    _open(case, "approve_step", actor)
    current, following = _current_and_next(case)
    if following is None:
        raise Conflict(f"“{current.name}”是最后一个环节，请作出审批决定。", code="case_decision_due")
    if not opinion.strip():
        raise ValidationFailed("请填写审核意见。", code="opinion_required")
    case.claimed_by = None
    previous_name = case.step_name
    _enter_step(case, following)
    _record(
        case,
        act="approve_step",
        actor=actor,
        status=Case.HANDLING,
        fields=["claimed_by", *STEP_FIELDS],
        opinion=f"{previous_name}：{opinion.strip()}",
    )
    return case


@transaction.atomic
def case_step_return(
    *, actor: Actor, case_id: int, to_step: int, reason: str, expected_revision: int | None = None
) -> Case:
    case = _case_for_update(case_id, expected_revision)
    _open(case, "return_step", actor)
    if not reason.strip():
        raise ValidationFailed("退回须写明理由。", code="reason_required")
    earlier = [s for s in handling_steps(catalog.version_for_case(case.version_id)) if s.order < case.step]
    target = next((s for s in earlier if s.order == to_step), None)
    if target is None:
        raise ValidationFailed("只能退回到本环节之前的环节。", code="return_target_invalid")
    case.claimed_by = None
    _enter_step(case, target)
    _record(
        case,
        act="return_step",
        actor=actor,
        status=Case.HANDLING,
        fields=["claimed_by", *STEP_FIELDS],
        opinion=f"退回至“{target.name}”：{reason.strip()}",
    )
    return case


@transaction.atomic
def case_special_start(
    *, actor: Actor, case_id: int, kind: str, note: str = "", limit_days: int | None = None, expected_revision=None
) -> CaseSpecialProcedure:
    case = _case_for_update(case_id, expected_revision)
    _open(case, "start_special", actor)
    kinds = dict(CaseSpecialProcedure.KINDS)
    if kind not in kinds:
        raise ValidationFailed("请选择特别程序的种类。", code="special_kind_invalid")
    listed = {p.kind: p.limit_days for p in catalog.version_for_case(case.version_id).special_procedures.all()}
    limit = limit_days or listed.get(kind)
    if not limit:
        raise ValidationFailed(f"办事指南未列“{kinds[kind]}”，请填写其时限（工作日）。", code="special_limit_required")
    procedure = CaseSpecialProcedure.objects.create(
        case=case, kind=kind, limit_days=limit, note=note.strip(), started_on=today()
    )
    _pause(case)
    _record(
        case,
        act="start_special",
        actor=actor,
        status=Case.SPECIAL,
        fields=["paused_since", "clock"],
        opinion=f"{kinds[kind]}（时限{limit}个工作日）{note.strip()}",
        code=9,
    )
    return procedure


@transaction.atomic
def case_special_end(*, actor: Actor, case_id: int, result: str, expected_revision: int | None = None) -> Case:
    case = _case_for_update(case_id, expected_revision)
    _open(case, "end_special", actor)
    if not result.strip():
        raise ValidationFailed("请填写特别程序的结论。", code="result_required")
    procedure = case.special_procedures.filter(ended_on__isnull=True).last()
    procedure.ended_on = today()
    procedure.result = result.strip()
    procedure.save(update_fields=["ended_on", "result"])
    _resume(case)
    _record(
        case,
        act="end_special",
        actor=actor,
        status=Case.HANDLING,
        fields=list(CLOCK_FIELDS),
        opinion=f"{procedure.get_kind_display()}结论：{result.strip()}",
        code=10,
    )
    return case


# ---------------------------------------------------------------- decision, result, delivery


@transaction.atomic
def case_decide(
    *,
    actor: Actor,
    case_id: int,
    decision: str,
    opinion: str,
    owed_material: str = "",
    owed_days: int | None = None,
    expected_revision: int | None = None,
) -> Case:
    case = _case_for_update(case_id, expected_revision)
    _open(case, "decide", actor)
    current, following = _current_and_next(case)
    if following is not None:
        raise Conflict(f"请先完成“{current.name}”，审批决定在最后一个环节作出。", code="case_not_last_step")
    if decision not in workflow.DECISION_CODES:
        raise ValidationFailed("请选择审批决定。", code="decision_invalid")
    if not opinion.strip():
        raise ValidationFailed("请填写审批意见（不予许可须说明理由）。", code="opinion_required")
    fields = ["decision", "decided_at", "claimed_by", "owed_material", "owed_until"]
    if decision == "approved_owing":
        if not owed_material.strip():
            raise ValidationFailed("容缺受理须写明后补的材料。", code="owed_material_required")
        case.owed_material = owed_material.strip()
        case.owed_until = add_working_days(today(), owed_days or settings.TONGBAN_OWED_DAYS)
    case.decision = decision
    case.decided_at = timezone.now()
    case.claimed_by = None
    status = Case.NOT_APPROVED if decision == "not_approved" else Case.APPROVED
    _record(
        case,
        act="decide",
        actor=actor,
        status=status,
        fields=fields,
        opinion=opinion.strip(),
        code=workflow.status_code("decide", accepted=True, decision=decision),
        detail={"decision": decision},
    )
    return case


@transaction.atomic
def case_result_issue(
    *,
    actor: Actor,
    case_id: int,
    reference: str = "",
    result_data: dict | None = None,
    expected_revision: int | None = None,
) -> Case:
    """办结: the result exists — an e-licence issued now by the licence library when the item's result
    is one (its identifier is the reference), else a document numbered by the case."""
    case = _case_for_update(case_id, expected_revision)
    _open(case, "issue_result", actor)
    version = catalog.version_for_case(case.version_id)
    case.result_name = version.result_name or f"{version.name}审批结果"
    case.result_reference = (
        reference.strip()
        or results.result_produce(case=case, version=version, actor=actor, data=result_data)
        or case.number
    )
    case.completed_at = timezone.now()
    case.clock = Case.STOPPED
    case.claimed_by = None
    _record(
        case,
        act="issue_result",
        actor=actor,
        status=Case.COMPLETED,
        fields=["result_name", "result_reference", "completed_at", "claimed_by"],
        opinion=f"办结，结果：{case.result_name}",
    )
    return case


@transaction.atomic
def case_deliver(
    *,
    actor: Actor,
    case_id: int,
    method: str,
    carrier: str = "",
    tracking_number: str = "",
    expected_revision: int | None = None,
) -> Case:
    case = _case_for_update(case_id, expected_revision)
    _open(case, "deliver", actor)
    methods = dict(Case.DELIVERIES)
    if method not in methods:
        raise ValidationFailed("请选择送达方式。", code="delivery_invalid")
    if method == "mail" and not (carrier.strip() and tracking_number.strip()):
        raise ValidationFailed("邮寄送达须填写快递公司和运单号。", code="tracking_required")
    case.delivery, case.carrier, case.tracking_number = method, carrier.strip(), tracking_number.strip()
    case.delivered_at = timezone.now()
    opinion = methods[method] + (f"（{case.carrier} {case.tracking_number}）" if method == "mail" else "")
    _record(
        case,
        act="deliver",
        actor=actor,
        status=Case.DELIVERED,
        fields=["delivery", "carrier", "tracking_number", "delivered_at"],
        opinion=opinion,
    )
    return case


@transaction.atomic
def case_owed_receive(*, actor: Actor, case_id: int, note: str = "", expected_revision: int | None = None) -> Case:
    case = _case_for_update(case_id, expected_revision)
    _open(case, "receive_owed", actor)
    if not case.owed_material:
        raise Conflict("本件没有容缺后补的材料。", code="nothing_owed")
    received = case.owed_material
    case.owed_material, case.owed_until = "", None
    _record(
        case,
        act="receive_owed",
        actor=actor,
        status=case.status,
        fields=["owed_material", "owed_until"],
        opinion=f"已收到容缺材料“{received}”。{note.strip()}",
    )
    return case


@transaction.atomic
def case_owed_expire(*, case_id: int) -> Case:
    case = _case_for_update(case_id)
    _open(case, "expire_owed", None)
    if not case.owed_material or case.owed_until is None or case.owed_until >= today():
        raise Conflict("容缺材料尚未逾期。", code="owed_not_overdue")
    _record(
        case,
        act="expire_owed",
        actor=None,
        status=Case.REVOKED,
        opinion=f"容缺材料“{case.owed_material}”逾期未补交，依承诺撤销审批决定。",
        code=15,
    )
    return case


@transaction.atomic
def case_withdraw(*, actor: Actor, case_id: int, reason: str = "", expected_revision: int | None = None) -> Case:
    case = _case_for_update(case_id, expected_revision)
    _open(case, "withdraw", actor)
    accepted = case.accepted_on is not None
    _record(
        case,
        act="withdraw",
        actor=actor,
        status=Case.WITHDRAWN,
        opinion=reason.strip() or "申请人撤回申请。",
        code=workflow.status_code("withdraw", accepted=accepted),
    )
    return case


def case_revoke(
    *, actor: Actor, case_id: int, legal_basis: str, reason: str, expected_revision: int | None = None
) -> Case:
    return _end_on_legal_grounds(
        actor=actor,
        case_id=case_id,
        act="revoke",
        status=Case.REVOKED,
        reason=reason,
        legal_basis=legal_basis,
        expected_revision=expected_revision,
        missing="撤销须写明理由和法律依据。",
    )


# ---------------------------------------------------------------- combined acts


@dataclass
class BulkOutcome:
    done: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def case_bulk_accept(*, actor: Actor, case_ids: list[int]) -> BulkOutcome:
    """Accept many simple cases at once; each in its own transaction, refusals reported per case."""
    outcome = BulkOutcome()
    for case_id in case_ids:
        try:
            case = case_accept(actor=actor, case_id=case_id)
        except TongbanError as error:
            outcome.refused.append((str(case_id), error.message))
        else:
            outcome.done.append(case.number)
    return outcome


@dataclass(frozen=True)
class Upload:
    """A file sent with an application, for the material of that standard code."""

    standard_code: str
    name: str
    content: bytes


def case_apply(
    *,
    actor: Actor,
    item_id: int,
    answers: dict,
    uploads: list[Upload] = (),
    person_id: int | None = None,
    legal_person_id: int | None = None,
    channel: str = Case.API,
    consent: dict | None = None,
    eligibility: dict | None = None,
) -> Case:
    """Draft, files and submission in one go (the API and department systems): either the whole
    application is received, or nothing of it is kept. The case is new to this transaction, so it
    is built and checked in memory and born received: one insert each for the case, its materials
    and its files, and the submission's audit entry lists the files."""
    checked = [(upload, upload_check(name=upload.name, content=upload.content)) for upload in uploads]
    stored: list[str] = []
    try:
        with transaction.atomic():
            case, materials = _draft_built(
                actor,
                item_id=item_id,
                person_id=person_id,
                legal_person_id=legal_person_id,
                channel=channel,
                consent=consent,
                answers=answers,
                eligibility=eligibility,
            )
            files = _files_matched(case, materials, checked, actor, stored)
            kept = _submission_checked(actor, case, materials=materials)
            files = _files_of(files, kept)
            _submission_record(actor, case, detail={"files": [_file_detail(f.material.name, f) for f in files]})
            _materials_insert(case, kept)
            CaseFile.objects.bulk_create(files)  # after their case and materials: saving fills in the ids
            return case
    except Exception:
        _delete_stored(stored)
        raise


def _files_matched(
    case: Case,
    materials: list[CaseMaterial],
    checked: list[tuple[Upload, CheckedUpload]],
    actor: Actor,
    stored: list[str],
) -> list[CaseFile]:
    """Each upload stored and matched to its material by standard code (a new case's materials
    have no ids yet), which it provides; the rows are not yet saved."""
    by_code = {m.standard_code: m for m in materials}
    rows = []
    for upload, content in checked:
        material = by_code.get(upload.standard_code)
        if material is None:
            raise NotFound(
                f"该事项没有文件“{upload.name}”所对应的材料（standard_code “{upload.standard_code}”）。",
                code="material_not_found",
            )
        rows.append(_file_stored(case, material, content, actor))
        stored.append(rows[-1].file.name)
        material.provided = CaseMaterial.UPLOAD
    return rows


def _files_of(files: list[CaseFile], kept: list[CaseMaterial]) -> list[CaseFile]:
    """The files of the materials that apply. A file given for a conditional material that does
    not apply is not kept: its content is deleted once the application is committed."""
    orphans = [f.file.name for f in files if f.material not in kept]  # unsaved: equal only to itself
    if orphans:
        transaction.on_commit(lambda: _delete_stored(orphans))
    return [f for f in files if f.material in kept]


# ---------------------------------------------------------------- the clock


@dataclass(frozen=True)
class SweepReport:
    turned_red: int
    turned_yellow: int
    corrections_expired: int
    owed_expired: int


def case_clock_sweep() -> SweepReport:
    """The periodic job: running clocks that passed their warning or due date change colour (one
    event per case, for supervision and the applicant), unanswered corrections and unpaid 容缺
    promises past their limit end the case. Dates were persisted by the transitions, so the colour
    change is two set-based statements however many cases are open."""
    day = today()
    with transaction.atomic():
        red = _clock_turn("clock IN ('green', 'yellow') AND due_date < %s", [day], Case.RED)
        yellow = _clock_turn("clock = 'green' AND warn_on <= %s", [day], Case.YELLOW)
    corrections = _expire_each(
        Case.objects.filter(
            status=Case.CORRECTION,
            corrections__answered_on__isnull=True,
            corrections__expired=False,
            corrections__due_date__lt=day,
        ),
        lambda case_id: case_correction_expire(case_id=case_id),
    )
    owed = _expire_each(
        Case.objects.filter(status__in=[Case.APPROVED, Case.COMPLETED, Case.DELIVERED], owed_until__lt=day).exclude(
            owed_material=""
        ),
        lambda case_id: case_owed_expire(case_id=case_id),
    )
    return SweepReport(red, yellow, corrections, owed)


def _clock_turn(condition: str, params: list, colour: str) -> int:
    table = connection.ops.quote_name(Case._meta.db_table)
    outbox = connection.ops.quote_name("core_outboxevent")
    json_object = "json_build_object" if connection.vendor == "postgresql" else "json_object"
    # The cast: a parameter bound on the server needs a type, and json_build_object takes "any".
    payload = (
        f"{json_object}('case_id', id, 'number', number, 'clock', CAST(%s AS TEXT), 'office_id', office_id, "
        "'due_date', due_date, 'person_id', person_id, 'item_name', item_name)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {outbox} (topic, payload, region_code, created_at, attempts, last_error) "
            f"SELECT %s, {payload}, region_code, %s, 0, '' FROM {table} WHERE {condition}",
            ["case.clock", colour, timezone.now(), *params],
        )
        cursor.execute(f"UPDATE {table} SET clock = %s WHERE {condition}", [colour, *params])
        turned = cursor.rowcount
    if turned:
        events_dispatch_after_commit()
    return turned


def _expire_each(cases, expire) -> int:
    expired = 0
    for case_id in cases.values_list("pk", flat=True).distinct():
        try:
            expire(case_id)
        except TongbanError:  # changed since the query (answered, withdrawn): nothing to expire
            continue
        expired += 1
    return expired
