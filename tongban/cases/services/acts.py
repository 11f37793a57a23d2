"""The acts of the workflow table after submission, one function each: acceptance, correction,
claim and steps, special procedures, decision, result, delivery, owed materials, withdrawal and
revocation."""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.types import Actor
from tongban.cases import clock, permissions, results, workflow
from tongban.cases.models import (
    Case,
    CaseCorrection,
    CaseSpecialProcedure,
)
from tongban.cases.services.drafts import answers_checked
from tongban.cases.services.recording import act_checked, act_recorded, case_locked, history_append
from tongban.cases.workflow import Step, handling_steps
from tongban.catalog import selectors as catalog
from tongban.core.audit import audit_record
from tongban.core.calendar import add_working_days, today
from tongban.core.errors import Conflict, PermissionDenied, ValidationFailed


@transaction.atomic
def case_accept(*, actor: Actor, case_id: int, expected_revision: int | None = None, opinion: str = "") -> Case:
    case = case_locked(case_id, expected_revision)
    act_checked(case, "accept", actor)
    _require_materials_in_hand(case)
    version = catalog.version_for_case(case.version_id)
    case.accepted_on = today()
    deadlines = clock.case_deadlines(accepted_on=case.accepted_on, promised_days=case.promised_days)
    case.due_date, case.warn_on = deadlines.due_date, deadlines.warn_on
    case.clock = clock.clock_colour(today=today(), due_date=case.due_date, warn_on=case.warn_on)
    _enter_step(case, handling_steps(version)[0])
    _claim_carried(case, actor)
    fields = ["accepted_on", "due_date", "warn_on", "clock", "claimed_by", *STEP_FIELDS]
    act_recorded(
        case, act="accept", actor=actor, status=Case.HANDLING, fields=fields, opinion=opinion, code=workflow.ACCEPTED
    )
    history_append(case, act="start", actor=actor, code=workflow.STARTED, opinion=f"进入“{case.step_name}”环节")
    return case


def _require_materials_in_hand(case: Case) -> None:
    missing = [m.name for m in case.materials.all() if m.required and not m.provided]
    if missing:
        raise ValidationFailed(
            _("材料不齐，不能受理；请一次性告知申请人补正。"), code="materials_missing", problems=missing
        )


STEP_FIELDS = ("step", "step_name", "step_post", "step_due_date", "office")


def _claim_carried(case: Case, actor: Actor) -> None:
    """The claimant keeps the case into its next step when they hold that step's post too (no
    re-claim per step); anyone else's claim, or one the next post does not allow, ends."""
    if not (case.claimed_by_id == actor.pk and permissions.staff_may(actor, case, (case.step_post,))):
        case.claimed_by = None


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
    case = case_locked(case_id, expected_revision)
    act_checked(case, act, actor)
    act_recorded(
        case,
        act=act,
        actor=actor,
        status=status,
        opinion=f"{reason.strip()}（依据：{legal_basis.strip()}）",
        code=workflow.CODES[act],
        detail={"legal_basis": legal_basis.strip()},
    )
    return case


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
    case = case_locked(case_id, expected_revision)
    act_checked(case, "request_correction", actor)
    if not items:
        raise ValidationFailed(_("补正告知须列明需要补正的全部事项。"), code="correction_items_required")
    if case.corrections.exists():
        raise Conflict(_("补正告知只能出具一次（一次性告知），本件已告知过。"), code="correction_once")
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
    act_recorded(
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
            raise ValidationFailed(_("补正事项中有不属于本件的材料。"), code="material_not_found")
        if not item.reason.strip():
            raise ValidationFailed(_("每项补正都须写明原因。"), code="correction_reason_required")
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
    case = case_locked(case_id, expected_revision)
    act_checked(case, "answer_correction", actor)
    correction = case.corrections.filter(answered_on__isnull=True, expired=False).last()
    still_missing = _materials_not_reuploaded(case, correction)
    if still_missing:
        raise ValidationFailed(
            _("补正告知所列材料还没有补齐。"),
            code="correction_incomplete",
            problems=[f"请补交“{n}”。" for n in still_missing],
        )
    if answers:
        case.answers = answers_checked(catalog.version_for_case(case.version_id), {**case.answers, **answers})
    correction.answered_on = today()
    correction.answer = answer.strip()
    correction.save(update_fields=["answered_on", "answer"])
    _resume(case)
    act_recorded(
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
    case = case_locked(case_id)
    act_checked(case, "expire_correction", None)
    correction = case.corrections.filter(answered_on__isnull=True).last()
    correction.expired = True
    correction.save(update_fields=["expired"])
    accepted = case.accepted_on is not None
    status = Case.NOT_APPROVED if accepted else Case.REFUSED
    if accepted:  # 办结（不通过）: the decision the notice warned of
        case.decision, case.decided_at = "not_approved", timezone.now()
    act_recorded(
        case,
        act="expire_correction",
        actor=None,
        status=status,
        fields=["decision", "decided_at"],
        opinion=f"申请人未在{correction.due_date:%Y年%m月%d日}前补正。",
        code=workflow.status_code("expire_correction", accepted=accepted),
    )
    return case


@transaction.atomic
def case_claim(*, actor: Actor, case_id: int, expected_revision: int | None = None) -> Case:
    case = case_locked(case_id, expected_revision)
    if not case.is_open or not permissions.staff_may(actor, case, workflow.claiming_posts(case)):
        raise PermissionDenied(_("您没有办理该办件当前环节的岗位权限。"), code="case_not_your_step")
    if case.claimed_by_id and case.claimed_by_id != actor.pk:
        raise Conflict(_("该办件已被其他工作人员认领。"), code="case_claimed")
    case.claimed_by = actor
    case.save(update_fields=["claimed_by"])
    audit_record(action="case.claim", obj=case, actor=actor, region_code=case.region_code)
    return case


@transaction.atomic
def case_release(*, actor: Actor, case_id: int, expected_revision: int | None = None) -> Case:
    case = case_locked(case_id, expected_revision)
    if case.claimed_by_id != actor.pk:
        raise Conflict(_("只有认领人可以释放该办件。"), code="case_not_claimed_by_you")
    case.claimed_by = None
    case.save(update_fields=["claimed_by"])
    audit_record(action="case.release", obj=case, actor=actor, region_code=case.region_code)
    return case


def _current_and_next(case: Case) -> tuple[Step, Step | None]:
    return workflow.step_and_next(handling_steps(catalog.version_for_case(case.version_id)), case.step)


@transaction.atomic
def case_step_approve(*, actor: Actor, case_id: int, opinion: str = "", expected_revision: int | None = None) -> Case:
    case = case_locked(case_id, expected_revision)
    act_checked(case, "approve_step", actor)
    current, following = _current_and_next(case)
    if following is None:
        raise Conflict(
            _("“%(current_name)s”是最后一个环节，请作出审批决定。") % {"current_name": current.name},
            code="case_decision_due",
        )
    if not opinion.strip():
        raise ValidationFailed(_("请填写审核意见。"), code="opinion_required")
    previous_name = case.step_name
    _enter_step(case, following)
    _claim_carried(case, actor)
    act_recorded(
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
    case = case_locked(case_id, expected_revision)
    act_checked(case, "return_step", actor)
    if not reason.strip():
        raise ValidationFailed(_("退回须写明理由。"), code="reason_required")
    earlier = [s for s in handling_steps(catalog.version_for_case(case.version_id)) if s.order < case.step]
    target = next((s for s in earlier if s.order == to_step), None)
    if target is None:
        raise ValidationFailed(_("只能退回到本环节之前的环节。"), code="return_target_invalid")
    case.claimed_by = None
    _enter_step(case, target)
    act_recorded(
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
    case = case_locked(case_id, expected_revision)
    act_checked(case, "start_special", actor)
    kinds = dict(CaseSpecialProcedure.KINDS)
    if kind not in kinds:
        raise ValidationFailed(_("请选择特别程序的种类。"), code="special_kind_invalid")
    listed = {p.kind: p.limit_days for p in catalog.version_for_case(case.version_id).special_procedures.all()}
    limit = limit_days or listed.get(kind)
    if not limit:
        raise ValidationFailed(
            _("办事指南未列“%(kinds_kind)s”，请填写其时限（工作日）。") % {"kinds_kind": kinds[kind]},
            code="special_limit_required",
        )
    procedure = CaseSpecialProcedure.objects.create(
        case=case, kind=kind, limit_days=limit, note=note.strip(), started_on=today()
    )
    _pause(case)
    act_recorded(
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
    case = case_locked(case_id, expected_revision)
    act_checked(case, "end_special", actor)
    if not result.strip():
        raise ValidationFailed(_("请填写特别程序的结论。"), code="result_required")
    procedure = case.special_procedures.filter(ended_on__isnull=True).last()
    procedure.ended_on = today()
    procedure.result = result.strip()
    procedure.save(update_fields=["ended_on", "result"])
    _resume(case)
    act_recorded(
        case,
        act="end_special",
        actor=actor,
        status=Case.HANDLING,
        fields=list(CLOCK_FIELDS),
        opinion=f"{procedure.get_kind_display()}结论：{result.strip()}",
        code=10,
    )
    return case


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
    case = case_locked(case_id, expected_revision)
    act_checked(case, "decide", actor)
    current, following = _current_and_next(case)
    if following is not None:
        raise Conflict(
            _("请先完成“%(current_name)s”，审批决定在最后一个环节作出。") % {"current_name": current.name},
            code="case_not_last_step",
        )
    if decision not in workflow.DECISION_CODES:
        raise ValidationFailed(_("请选择审批决定。"), code="decision_invalid")
    if not opinion.strip():
        raise ValidationFailed(_("请填写审批意见（不予许可须说明理由）。"), code="opinion_required")
    fields = ["decision", "decided_at", "claimed_by", "owed_material", "owed_until"]
    if decision == "approved_owing":
        if not owed_material.strip():
            raise ValidationFailed(_("容缺受理须写明后补的材料。"), code="owed_material_required")
        case.owed_material = owed_material.strip()
        case.owed_until = add_working_days(today(), owed_days or settings.TONGBAN_OWED_DAYS)
    case.decision = decision
    case.decided_at = timezone.now()
    case.claimed_by = None
    status = Case.NOT_APPROVED if decision == "not_approved" else Case.APPROVED
    act_recorded(
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
    """办结: the result exists — the e-licence the item promises, issued now by the licence library
    to its holder (its identifier is the reference), else a document numbered by the case or by
    the officer. A promised licence that was not issued leaves the case unfinished."""
    case = case_locked(case_id, expected_revision)
    act_checked(case, "issue_result", actor)
    version = catalog.version_for_case(case.version_id)
    case.result_name = version.result_name or f"{version.name}审批结果"
    produced = results.result_produce(case=case, version=version, actor=actor, data=result_data)
    promise = results.result_promise(version=version)
    if promise is not None and not produced:
        raise Conflict(
            _("本件应颁发电子证照“%(licence)s”，但未能颁发，暂不能办结，请联系系统管理员。")
            % {"licence": promise.licence_name},
            code="promised_licence_not_issued",
        )
    case.result_reference = produced or reference.strip() or case.number
    case.completed_at = timezone.now()
    case.clock = Case.STOPPED
    case.claimed_by = None
    act_recorded(
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
    case = case_locked(case_id, expected_revision)
    act_checked(case, "deliver", actor)
    methods = dict(Case.DELIVERIES)
    if method not in methods:
        raise ValidationFailed(_("请选择送达方式。"), code="delivery_invalid")
    if case.delivery_choice and method != case.delivery_choice:
        raise ValidationFailed(
            _("申请人选择了“%(chosen)s”，请按其选择送达。") % {"chosen": methods[case.delivery_choice]},
            code="delivery_not_as_chosen",
            field="method",
        )
    if method == "mail" and not (carrier.strip() and tracking_number.strip()):
        raise ValidationFailed(_("邮寄送达须填写快递公司和运单号。"), code="tracking_required")
    case.delivery, case.carrier, case.tracking_number = method, carrier.strip(), tracking_number.strip()
    case.delivered_at = timezone.now()
    opinion = methods[method] + (f"（{case.carrier} {case.tracking_number}）" if method == "mail" else "")
    act_recorded(
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
    case = case_locked(case_id, expected_revision)
    act_checked(case, "receive_owed", actor)
    if not case.owed_material:
        raise Conflict(_("本件没有容缺后补的材料。"), code="nothing_owed")
    received = case.owed_material
    case.owed_material, case.owed_until = "", None
    act_recorded(
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
    case = case_locked(case_id)
    act_checked(case, "expire_owed", None)
    if not case.owed_material or case.owed_until is None or case.owed_until >= today():
        raise Conflict(_("容缺材料尚未逾期。"), code="owed_not_overdue")
    act_recorded(
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
    case = case_locked(case_id, expected_revision)
    act_checked(case, "withdraw", actor)
    accepted = case.accepted_on is not None
    act_recorded(
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
