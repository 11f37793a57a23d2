"""The clock sweep: each day it turns the colour of cases nearing or past their deadline and ends
the corrections and owed materials whose time has run out."""

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from tongban.cases.models import (
    Case,
)
from tongban.cases.services.acts import case_correction_expire, case_owed_expire
from tongban.core.calendar import today
from tongban.core.errors import TongbanError
from tongban.core.events import events_dispatch_after_commit


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
