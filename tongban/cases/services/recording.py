"""What every act on a case writes: the locked case, the check against the workflow table and the
actor's right, the case's changed fields, the history row, the audit entry, the event and the
metrics once it ends."""

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.types import Actor
from tongban.cases import clock, permissions, workflow
from tongban.cases.models import (
    Case,
    CaseMaterial,
    CaseMetrics,
    CaseStatus,
)
from tongban.core.audit import audit_record
from tongban.core.calendar import today
from tongban.core.errors import Conflict, NotFound
from tongban.core.events import event_record
from tongban.core.workflow import Transition


def case_locked(case_id: int, expected_revision: int | None = None) -> Case:
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("未找到该办件。"), code="case_not_found")
    if expected_revision is not None and case.revision != expected_revision:
        raise Conflict(_("该办件刚被其他人处理过，请刷新页面查看最新状态后再操作。"), code="case_changed")
    return case


def act_checked(case: Case, act: str, actor: Actor) -> Transition:
    transition = workflow.WORKFLOW.check(case.status, act)
    permissions.authorise(actor, case, transition)
    return transition


def act_recorded(
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
    row = history_append(case, act=act, actor=actor, code=code, opinion=opinion)
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


def history_append(case: Case, *, act: str, actor: Actor, code: int | None, opinion: str = "") -> CaseStatus:
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
