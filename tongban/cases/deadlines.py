"""Deadlines after a calendar change: when a year turns official (its schedule imported, declared,
or an official day corrected), every open case whose deadlines touch that year is rebuilt from its
history (clock.clock_rebuild) in a background job with progress.

One job per `calendar.changed` event (a redelivered event starts nothing twice). The job walks the
cases by id in chunks, one transaction per chunk with its rows locked, so clerks acting on a case
wait a moment instead of having their act overwritten; the chunk's progress commits with it, and a
run that stopped half-way takes up after the last chunk done. Rebuilding from history is
idempotent: a second run writes nothing. Each case whose promised date moved records a
`case.deadline_moved` event (the applicant's inbox); the job's start and end are in the audit chain.
"""

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from tongban.accounts.types import Actor
from tongban.cases import clock
from tongban.cases.models import Case, CaseCorrection, CaseSpecialProcedure, CaseStatus, DeadlineRecomputation
from tongban.cases.workflow import handling_steps
from tongban.catalog import selectors as catalog
from tongban.core.audit import audit_record
from tongban.core.calendar import calendar_span_provisional, today
from tongban.core.errors import NotFound
from tongban.core.events import events_record
from tongban.core.rows import rows_update

log = logging.getLogger(__name__)
Progress = Callable[[int], None]  # called with the number of cases rebuilt so far

CHUNK = 2000
MOVED = "case.deadline_moved"
STEP_ENTRIES = ("start", "approve_step", "return_step")  # the acts that put a case into a step
RESTARTS = ("answer_correction", "end_special")  # the acts that restart a stopped clock
FIELDS = ["paused_days", "paused_since", "due_date", "warn_on", "step_due_date", "clock"]  # what a rebuild writes
LOADED = ["number", "region_code", "item_name", "person_id", "filed_by_id", "channel", "version_id", "step", "queue"]
LOADED += ["accepted_on", "promised_days"]


def deadline_recomputation_start(
    *, years: list[int], event_id: int | None = None, actor: Actor = None
) -> DeadlineRecomputation:
    """The job for this change (the existing one when the event comes again), started after commit."""
    years = sorted(set(years))
    if event_id is None:  # started by hand (`tongban cases recompute --year`)
        job, created = DeadlineRecomputation.objects.create(years=years), True
    else:
        job, created = DeadlineRecomputation.objects.get_or_create(event_id=event_id, defaults={"years": years})
    if created:
        job.total = _touching(job.years).count()
        job.save(update_fields=["total"])
        audit_record(
            action="cases.deadlines_recompute",
            obj=job,
            actor=actor,
            detail={"years": job.years, "cases": job.total, "event_id": event_id},
        )
    transaction.on_commit(lambda: _dispatch(job.pk))
    return job


def _dispatch(job_id: int) -> None:
    from tongban.cases.tasks import deadlines_recompute  # tasks import this module
    from tongban.core.background import task_start

    task_start(deadlines_recompute, job_id, background=settings.TONGBAN_DEADLINE_RECOMPUTE_BACKGROUND)


def deadline_recomputation_run(job_id: int, *, progress: Progress | None = None) -> DeadlineRecomputation:
    """Run (or finish) the job; a job already done is left as it is."""
    job = DeadlineRecomputation.objects.get(pk=job_id)
    if job.status == DeadlineRecomputation.DONE:
        return job
    DeadlineRecomputation.objects.filter(pk=job.pk).update(status=DeadlineRecomputation.RUNNING)
    try:
        while _chunk_run(job):
            if progress:
                progress(job.processed)
    except Exception as error:
        log.exception("deadline recomputation failed", extra={"job": job.pk})
        DeadlineRecomputation.objects.filter(pk=job.pk).update(
            status=DeadlineRecomputation.FAILED, error=str(error)[:300]
        )
        raise
    with transaction.atomic():
        job.status, job.finished_at, job.error = DeadlineRecomputation.DONE, timezone.now(), ""
        job.save(update_fields=["status", "finished_at", "error"])
        detail = {"years": job.years, "cases": job.processed, "moved": job.moved}
        audit_record(action="cases.deadlines_recomputed", obj=job, detail=detail)
    return job


@transaction.atomic
def case_clock_recompute(*, case_id: int) -> Case:
    """Rebuild one case's dates from its history (after a calendar correction, say)."""
    cases = list(Case.objects.filter(pk=case_id).select_for_update().only(*LOADED, *FIELDS))
    if not cases or cases[0].accepted_on is None:
        raise NotFound("没有这个已受理的办件。", code="case_not_found")
    changed, moves = _rebuilt(cases)
    rows_update(Case, FIELDS, changed)
    events_record(topic=MOVED, events=moves)
    return cases[0]


def open_case_years() -> list[int]:
    """Every year from the earliest acceptance to the latest deadline of the open cases."""
    span = Case.objects.exclude(queue__in=["", "done"]).aggregate(
        first=Min("accepted_on"), last=Max("due_date"), step=Max("step_due_date")
    )
    if span["first"] is None:
        return [today().year]
    last = max(day for day in (span["last"], span["step"], span["first"]) if day)
    return list(range(span["first"].year, last.year + 1))


def _touching(years: list[int]):
    """Open cases on the clock whose deadlines reach into one of `years` (the window from
    acceptance to the latest due date crosses it), or whose clock is stopped."""
    first, last = dt.date(min(years), 1, 1), dt.date(max(years), 12, 31)
    reaches = Q(due_date__gte=first) | Q(step_due_date__gte=first) | Q(paused_since__isnull=False)
    return Case.objects.exclude(queue__in=["", "done"]).filter(reaches, accepted_on__lte=last)


def _chunk_run(job: DeadlineRecomputation) -> bool:
    """Rebuild the next chunk of cases; False when none is left."""
    with transaction.atomic():
        cases = list(
            _touching(job.years)
            .filter(pk__gt=job.after_case_id)
            .order_by("pk")
            .select_for_update()
            .only(*LOADED, *FIELDS)[:CHUNK]
        )
        if not cases:
            return False
        changed, moves = _rebuilt(cases)
        rows_update(Case, FIELDS, changed)
        events_record(topic=MOVED, events=moves)
        job.processed += len(cases)
        job.moved += len(moves)
        job.after_case_id = cases[-1].pk
        job.save(update_fields=["processed", "moved", "after_case_id"])
    return True


def _rebuilt(cases: list[Case]) -> tuple[list[Case], list[tuple[str, dict]]]:
    """The cases whose dates changed (updated in place), and one event (region, payload) per
    moved promise."""
    histories = _histories(cases)
    day = today()
    changed, moves = [], []
    for case in cases:
        before = tuple(getattr(case, name) for name in FIELDS)
        old_due = case.due_date
        dates = clock.clock_rebuild(histories[case.pk])
        case.paused_days, case.paused_since = dates.paused_days, dates.paused_since
        case.due_date, case.warn_on = dates.due_date, dates.warn_on
        if case.step_due_date is not None and dates.step_due_date is not None:
            case.step_due_date = dates.step_due_date
        if case.clock in (Case.GREEN, Case.YELLOW, Case.RED):
            case.clock = clock.clock_colour(today=day, due_date=case.due_date, warn_on=case.warn_on)
        if tuple(getattr(case, name) for name in FIELDS) == before:
            continue
        changed.append(case)
        if case.due_date != old_due:
            moves.append(_move(case, old_due))
    return changed, moves


def _move(case: Case, old_due: dt.date | None) -> tuple[str, dict]:
    return case.region_code, {
        "case_id": case.pk,
        "number": case.number,
        "item_name": case.item_name,
        "person_id": case.person_id,
        "filed_by_id": case.filed_by_id,
        "channel": case.channel,
        "old_due": old_due.isoformat() if old_due else None,
        "new_due": case.due_date.isoformat(),
        "provisional_years": calendar_span_provisional(case.accepted_on, case.due_date),
    }


def _histories(cases: list[Case]) -> dict[int, clock.ClockHistory]:
    """Each case's ClockHistory, from three queries for the whole chunk. They ask for the chunk's
    id range, not its 2,000 ids (an IN list that long costs more to build than to run); rows of
    cases outside the chunk are skipped."""
    accepted = {case.pk: case.accepted_on for case in cases}
    span = {"case_id__gte": cases[0].pk, "case_id__lte": cases[-1].pk}
    pauses: dict[int, list] = defaultdict(list)
    for case_id, start, end in CaseCorrection.objects.filter(**span).values_list(
        "case_id", "requested_on", "answered_on"
    ):
        if case_id in accepted and start >= accepted[case_id]:  # a correction before acceptance stopped no clock
            pauses[case_id].append((start, end))
    for case_id, start, end in CaseSpecialProcedure.objects.filter(**span).values_list(
        "case_id", "started_on", "ended_on"
    ):
        if case_id in accepted:
            pauses[case_id].append((start, end))
    budgets: dict[tuple[int, int], int | None] = {}
    for case in cases:
        if (case.version_id, case.step) not in budgets:
            budgets[case.version_id, case.step] = _step_budget(case.version_id, case.step)
    entered: dict[int, dt.date] = {}
    restarts: dict[int, list[dt.date]] = defaultdict(list)
    acts = CaseStatus.objects.filter(**span, act__in=STEP_ENTRIES + RESTARTS).order_by("case_id", "id")
    zone = timezone.get_current_timezone()
    for case_id, act, moment in acts.values_list("case_id", "act", "created_at"):
        if case_id not in accepted:
            continue
        day = moment.astimezone(zone).date()
        if act in STEP_ENTRIES:
            entered[case_id] = day
        else:
            restarts[case_id].append(day)
    return {
        case.pk: clock.ClockHistory(
            accepted_on=case.accepted_on,
            promised_days=case.promised_days,
            pauses=pauses[case.pk],
            step_entered_on=entered.get(case.pk),
            step_budget_days=budgets[case.version_id, case.step],
            resumed_on=restarts[case.pk],
        )
        for case in cases
    }


def _step_budget(version_id: int, order: int) -> int | None:
    steps = handling_steps(catalog.version_for_case(version_id))
    return next((step.budget_days for step in steps if step.order == order), None)
