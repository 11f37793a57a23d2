"""Seed-only writers of cases: the bulk load of synthetic cases (the city-scale demo and the
benchmarks) and the backdating of demo cases that were driven through the services today.

These functions trust their caller, like tongban.accounts.bulk: the only callers are the demo
generator (tongban.demo.cases) and the benchmarks, which build consistent rows by construction.
Real cases are only ever written by tongban.cases.services.

On PostgreSQL rows go in with COPY (psycopg 3); elsewhere with bulk_create. Case numbers are given
here, from the submission date, continuing the counters the services use, so a case submitted
later through the services never collides with a loaded one. One audit entry per load.
"""

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from tongban.accounts.types import Actor
from tongban.cases import clock, workflow
from tongban.cases.models import (
    Case,
    CaseCorrection,
    CaseCounter,
    CaseFile,
    CaseMetrics,
    CaseSpecialProcedure,
    CaseStatus,
)
from tongban.core.audit import audit_record
from tongban.core.calendar import add_working_days, working_days_between
from tongban.core.rows import rows_update

Progress = Callable[[int], None]  # called with the number of cases loaded so far


# ---------------------------------------------------------------- rows of a bulk load


class CaseRow(NamedTuple):
    """A case without its id and number (the loader gives both)."""

    version_id: int
    item_id: int
    item_name: str
    department_id: int
    office_id: int
    region_code: str
    person_id: int
    legal_person_id: int | None
    applicant_name: str
    filed_by_id: int
    channel: str
    hall_id: int | None
    agency_point_id: int | None
    status: str
    queue: str
    step: int
    step_name: str
    step_post: str
    correction_from: str
    revision: int
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime
    accepted_on: dt.date | None
    promised_days: int
    paused_days: int
    paused_since: dt.date | None
    due_date: dt.date | None
    warn_on: dt.date | None
    step_due_date: dt.date | None
    clock: str
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


class HistoryRow(NamedTuple):
    """A history row without its case and number (the loader fills both)."""

    act: str
    code: int | None
    status: str
    step_name: str
    opinion: str
    office_name: str
    office_uscc: str
    actor_id: int | None
    actor_name: str
    created_at: dt.datetime


class CorrectionRow(NamedTuple):
    items: list
    note: str
    requested_by_id: int | None
    requested_on: dt.date
    requested_at: dt.datetime
    due_date: dt.date
    answered_on: dt.date | None
    answer: str
    expired: bool


class SpecialRow(NamedTuple):
    kind: str
    limit_days: int
    note: str
    started_on: dt.date
    ended_on: dt.date | None
    result: str


class MetricsRow(NamedTuple):
    visits: int
    materials_submitted: int
    materials_exempted: int
    days_used: int | None
    on_time: bool | None
    steps: int
    actors: list
    ended_on: dt.date


@dataclass
class CaseBundle:
    case: CaseRow
    history: list[HistoryRow]
    correction: CorrectionRow | None = None
    special: SpecialRow | None = None
    metrics: MetricsRow | None = None


CASE_COLUMNS = ("id", "number", *CaseRow._fields, "consent", "answers", "eligibility")
HISTORY_COLUMNS = ("case_id", "number", "region_code", *HistoryRow._fields)
CORRECTION_COLUMNS = ("case_id", *CorrectionRow._fields)
SPECIAL_COLUMNS = ("case_id", *SpecialRow._fields)
METRICS_COLUMNS = (
    "case_id",
    "region_code",
    "department_id",
    "item_id",
    "channel",
    "outcome",
    "days_promised",
    *MetricsRow._fields,
)


@dataclass
class Numbering:
    """Case numbers by submission day: region (12) + date (8) + item (6) + sequence (4), the
    sequence continuing the counter the services bump."""

    counters: dict[str, int] = field(default_factory=dict)
    touched: set[str] = field(default_factory=set)

    @classmethod
    def load(cls) -> "Numbering":
        return cls(counters=dict(CaseCounter.objects.values_list("key", "value")))

    def next(self, *, region_code: str, day: dt.date, item_id: int) -> str:
        key = f"{region_code}{day:%Y%m%d}{item_id % 1_000_000:06d}"
        sequence = self.counters.get(key, 0) + 1
        if sequence > 9999:
            raise ValueError(f"办件编号 {key} 当天的顺序号已用完。")
        self.counters[key] = sequence
        self.touched.add(key)
        return f"{key}{sequence:04d}"

    def save(self) -> None:
        """Raise the counters to what was given (never lower them: the services may have moved on)."""
        table = connection.ops.quote_name(CaseCounter._meta.db_table)
        rows = [(key, self.counters[key]) for key in sorted(self.touched)]
        self.touched.clear()
        with connection.cursor() as cursor:
            if _copy_available():  # hundreds of thousands of keys at city scale: COPY, then one upsert
                cursor.execute("CREATE TEMPORARY TABLE bulk_counter (key varchar(40), value integer) ON COMMIT DROP")
                with cursor.copy("COPY bulk_counter (key, value) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                cursor.execute(
                    f"INSERT INTO {table} (key, value) SELECT key, value FROM bulk_counter "
                    f"ON CONFLICT (key) DO UPDATE SET value = GREATEST({table}.value, excluded.value)"
                )
                cursor.execute("DROP TABLE bulk_counter")
                return
            for start in range(0, len(rows), 5_000):
                cursor.executemany(
                    f"INSERT INTO {table} (key, value) VALUES (%s, %s) "
                    f"ON CONFLICT (key) DO UPDATE SET value = MAX({table}.value, excluded.value)",
                    rows[start : start + 5_000],
                )


@transaction.atomic
def case_bulk_create(
    bundles: Iterable[CaseBundle],
    *,
    batch_size: int = 20_000,
    progress: Progress | None = None,
    defer_indexes: bool = False,
    actor: Actor = None,
) -> int:
    """Load synthetic cases with their history, correction notices, special procedures and
    metrics; returns how many cases. No per-row validation: see the module docstring.

    `defer_indexes` (PostgreSQL, for loads of hundreds of thousands of rows into big tables):
    the secondary indexes are dropped for the load and built again at its end, in the same
    transaction; inserting into a dozen large indexes row by row is what makes such a load slow."""
    numbering = Numbering.load()
    next_id = _case_ids_reserve()
    count = 0
    batch: list[CaseBundle] = []
    with _indexes_deferred(defer_indexes, Case, CaseStatus, CaseMetrics):
        for bundle in bundles:
            batch.append(bundle)
            if len(batch) >= batch_size:
                next_id = _batch_load(batch, first_id=next_id, numbering=numbering)
                count += len(batch)
                batch = []
                if progress is not None:
                    progress(count)
        if batch:
            _batch_load(batch, first_id=next_id, numbering=numbering)
            count += len(batch)
            if progress is not None:
                progress(count)
    numbering.save()
    _case_ids_release()
    audit_record(action="case.bulk_load", object_type="cases.case", detail={"cases": count}, actor=actor)
    return count


@contextmanager
def _indexes_deferred(wanted: bool, *tables: type[models.Model]) -> Iterator[None]:
    if not wanted or connection.vendor != "postgresql":
        yield
        return
    definitions = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for model in tables:
            # Indexes that back a constraint (primary key, unique) stay: the load relies on them.
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                [model._meta.db_table],
            )
            for name, definition in cursor.fetchall():
                definitions.append(definition)
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign-key checks run now
        for definition in definitions:
            cursor.execute(definition)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _case_ids_reserve() -> int:
    """The first free case id; on PostgreSQL the table is locked against other inserts until commit."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Case._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
    return (Case.objects.aggregate(last=Max("id"))["last"] or 0) + 1


def _case_ids_release() -> None:
    """Move the id sequence past the explicit ids the load used."""
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT follows the largest id itself
    table = Case._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))", [table]
        )


def _batch_load(batch: list[CaseBundle], *, first_id: int, numbering: Numbering) -> int:
    cases, history, corrections, specials, metrics = [], [], [], [], []
    zone = timezone.get_current_timezone()
    for case_id, bundle in enumerate(batch, start=first_id):
        row = bundle.case
        number = numbering.next(
            region_code=row.region_code, day=row.submitted_at.astimezone(zone).date(), item_id=row.item_id
        )
        cases.append((case_id, number, *row, "{}", "{}", "{}"))
        history += [(case_id, number, row.region_code, *h) for h in bundle.history]
        if bundle.correction is not None:
            c = bundle.correction
            corrections.append((case_id, json.dumps(c.items, ensure_ascii=False), *c[1:]))
        if bundle.special is not None:
            specials.append((case_id, *bundle.special))
        if bundle.metrics is not None:
            m = bundle.metrics
            metrics.append(
                (
                    case_id,
                    row.region_code,
                    row.department_id,
                    row.item_id,
                    row.channel,
                    row.status,
                    row.promised_days,
                    *m[:6],
                    json.dumps(m.actors),
                    m.ended_on,
                )
            )
    _rows_load(Case, CASE_COLUMNS, cases)
    _rows_load(CaseStatus, HISTORY_COLUMNS, history)
    _rows_load(CaseCorrection, CORRECTION_COLUMNS, corrections)
    _rows_load(CaseSpecialProcedure, SPECIAL_COLUMNS, specials)
    _rows_load(CaseMetrics, METRICS_COLUMNS, metrics)
    return first_id + len(batch)


def _rows_load(model: type[models.Model], fields: Sequence[str], rows: list[tuple]) -> None:
    if not rows:
        return
    extra = _defaults(model, fields)  # columns added to the model since this loader was written
    if extra:
        fields = (*fields, *extra)
        rows = [(*row, *extra.values()) for row in rows]
    if _copy_available():
        quote = connection.ops.quote_name
        columns = ", ".join(quote(_column(model, name)) for name in fields)
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    objects = []
    for row in rows:
        values = dict(zip(fields, row, strict=True))
        for name, value in values.items():
            if isinstance(value, str) and isinstance(model._meta.get_field(name), models.JSONField):
                values[name] = json.loads(value)
        objects.append(model(**{_attname(model, name): value for name, value in values.items()}))
    model.objects.bulk_create(objects)


def _defaults(model: type[models.Model], given: Sequence[str]) -> dict[str, object]:
    """Each concrete field the rows do not give, with its model default (JSON as text)."""
    named = {model._meta.get_field(name).name for name in given}
    extra = {}
    for f in model._meta.concrete_fields:
        if f.name in named or f.primary_key or not f.has_default():
            continue
        value = f.get_default()
        extra[f.attname] = json.dumps(value) if isinstance(f, models.JSONField) else value
    return extra


def _column(model: type[models.Model], name: str) -> str:
    return model._meta.get_field(name).column  # get_field knows attnames ("version_id") too


def _attname(model: type[models.Model], name: str) -> str:
    return model._meta.get_field(name).attname


def _copy_available() -> bool:
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


# ---------------------------------------------------------------- backdating demo cases


# Acts that put a case into a new step (its step budget starts from their date).
STEP_ENTRIES = ("accept", "start", "approve_step", "return_step", "end_special", "answer_correction")


@dataclass(frozen=True)
class Timeline:
    """When a case that the services wrote today really happened: its draft's creation and one
    moment per history row, in the rows' order."""

    case_id: int
    created_at: dt.datetime
    moments: list[dt.datetime]


@transaction.atomic
def case_timelines_backdate(timelines: Sequence[Timeline], *, actor: Actor = None) -> int:
    """Move demo cases back in time: the history rows get their moments and every date the
    services stamped (submission, acceptance, decision, correction and special-procedure days,
    uploads, metrics) follows from them; the promised, warning and step due dates are recomputed
    with the clock's calculator and the colour with today's date; one batched UPDATE per table.
    Case numbers keep the day they were given (notifications and the audit trail quote them)."""
    if not timelines:
        return 0
    by_case = {t.case_id: t for t in timelines}
    ids = list(by_case)
    today = timezone.localdate()
    cases = {c.pk: c for c in Case.objects.filter(pk__in=ids)}
    submitted = {pk: case.submitted_at for pk, case in cases.items()}  # before the move
    rows: dict[int, list[CaseStatus]] = {}
    for row in CaseStatus.objects.filter(case_id__in=ids).order_by("case_id", "id"):
        rows.setdefault(row.case_id, []).append(row)
    corrections = _by_case(CaseCorrection.objects.filter(case_id__in=ids).order_by("id"))
    specials = _by_case(CaseSpecialProcedure.objects.filter(case_id__in=ids).order_by("id"))
    metrics = {m.case_id: m for m in CaseMetrics.objects.filter(case_id__in=ids)}
    files = list(CaseFile.objects.filter(case_id__in=ids).order_by("id"))

    originals: dict[int, list[dt.datetime]] = {}
    changed_history: list[CaseStatus] = []
    changed_corrections: list[CaseCorrection] = []
    changed_specials: list[CaseSpecialProcedure] = []
    for case_id, case in cases.items():
        timeline = by_case[case_id]
        history = rows.get(case_id, [])
        if len(history) != len(timeline.moments):
            raise ValueError(f"办件 {case.number} 有 {len(history)} 条记录，给出的时间有 {len(timeline.moments)} 个。")
        when = {}
        originals[case_id] = [row.created_at for row in history]
        for row, moment in zip(history, timeline.moments, strict=True):
            row.created_at = moment
            when.setdefault(row.act, []).append(moment)
        changed_history += history
        changed_corrections += _corrections_moved(corrections.get(case_id, []), when)
        changed_specials += _specials_moved(specials.get(case_id, []), when)
        _case_moved(case, timeline, history, when, corrections.get(case_id, []), specials.get(case_id, []), today)
        if case_id in metrics:
            _metrics_moved(metrics[case_id], case)
    for case_file in files:
        case_id = case_file.case_id
        case_file.uploaded_at = _upload_moved(case_file, by_case[case_id], submitted.get(case_id), originals[case_id])

    rows_update(Case, CASE_TIMES, cases.values())
    rows_update(CaseStatus, ["created_at"], changed_history)
    rows_update(CaseCorrection, ["requested_on", "requested_at", "due_date", "answered_on"], changed_corrections)
    rows_update(CaseSpecialProcedure, ["started_on", "ended_on"], changed_specials)
    rows_update(CaseMetrics, ["ended_on", "days_used", "on_time"], metrics.values())
    rows_update(CaseFile, ["uploaded_at"], files)
    audit_record(action="case.demo_backdate", object_type="cases.case", detail={"cases": len(cases)}, actor=actor)
    return len(cases)


CASE_TIMES = [
    "created_at",
    "updated_at",
    "submitted_at",
    "accepted_on",
    "paused_days",
    "paused_since",
    "due_date",
    "warn_on",
    "step_due_date",
    "clock",
    "decided_at",
    "owed_until",
    "completed_at",
    "delivered_at",
    "ended_at",
]


def _upload_moved(
    case_file: CaseFile, timeline: Timeline, submitted: dt.datetime | None, originals: list[dt.datetime]
) -> dt.datetime:
    """Files of the application come before its submission; files uploaded later (a correction)
    come just before the act that followed them (its answer), or after the last act so far."""
    if submitted is None or case_file.uploaded_at <= submitted:
        return timeline.created_at + dt.timedelta(minutes=2)
    later = [
        moment
        for moment, original in zip(timeline.moments, originals, strict=True)
        if original >= case_file.uploaded_at
    ]
    if later:
        return later[0] - dt.timedelta(minutes=3)
    return timeline.moments[-1] + dt.timedelta(minutes=3)


def _by_case(rows) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(row.case_id, []).append(row)
    return grouped


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment else None


def _corrections_moved(rows: list[CaseCorrection], when: dict) -> list[CaseCorrection]:
    asked, answered = when.get("request_correction", []), when.get("answer_correction", [])
    for index, correction in enumerate(rows):
        limit = working_days_between(correction.requested_on, correction.due_date)
        if index < len(asked):
            correction.requested_at = asked[index]
            correction.requested_on = _day(asked[index])
        correction.due_date = add_working_days(correction.requested_on, limit)
        if correction.answered_on is not None and index < len(answered):
            correction.answered_on = _day(answered[index])
    return rows


def _specials_moved(rows: list[CaseSpecialProcedure], when: dict) -> list[CaseSpecialProcedure]:
    started, ended = when.get("start_special", []), when.get("end_special", [])
    for index, procedure in enumerate(rows):
        procedure.started_on = _day(started[index]) if index < len(started) else procedure.started_on
        if procedure.ended_on is not None and index < len(ended):
            procedure.ended_on = _day(ended[index])
    return rows


def _case_moved(case: Case, timeline: Timeline, history, when, corrections, specials, today: dt.date) -> None:
    first = lambda act: when.get(act, [None])[0]  # noqa: E731
    step_budget = (
        working_days_between(today, case.step_due_date) if case.step_due_date and case.step_due_date > today else 0
    )
    owed_days = working_days_between(today, case.owed_until) if case.owed_until else 0
    case.created_at = timeline.created_at
    case.updated_at = timeline.moments[-1] if timeline.moments else timeline.created_at
    case.submitted_at = first("submit")
    case.accepted_on = _day(first("accept"))
    case.decided_at = first("decide")
    case.completed_at = first("issue_result")
    case.delivered_at = first("deliver")
    ended = next((row.created_at for row in history if row.status in workflow.ENDED), None)
    case.ended_at = ended if case.ended_at else None
    if case.owed_until and case.decided_at:
        case.owed_until = add_working_days(_day(case.decided_at), owed_days)
    entered = [row.created_at for row in history if row.act in STEP_ENTRIES]
    if case.step_due_date and entered:
        case.step_due_date = add_working_days(_day(entered[-1]), step_budget)
    if case.accepted_on is None:
        return
    pauses = [(c.requested_on, c.answered_on) for c in corrections if c.requested_on >= case.accepted_on]
    pauses += [(p.started_on, p.ended_on) for p in specials]
    case.paused_days = sum(clock.paused_working_days(start, end) for start, end in pauses if end is not None)
    case.paused_since = next((start for start, end in pauses if end is None), None)
    deadlines = clock.case_deadlines(
        accepted_on=case.accepted_on, promised_days=case.promised_days, paused_days=case.paused_days
    )
    case.due_date, case.warn_on = deadlines.due_date, deadlines.warn_on
    if case.clock in (Case.GREEN, Case.YELLOW, Case.RED):
        case.clock = clock.clock_colour(today=today, due_date=case.due_date, warn_on=case.warn_on)


def _metrics_moved(metrics: CaseMetrics, case: Case) -> None:
    ended = _day(case.ended_at) or metrics.ended_on
    metrics.ended_on = ended
    if case.accepted_on:
        metrics.days_used = max(clock.paused_working_days(case.accepted_on, ended) - case.paused_days, 0)
    if case.due_date:
        metrics.on_time = ended <= case.due_date
