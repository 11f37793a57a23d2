"""The case clock, as pure functions over the working-day calendar (core.calendar).

Promised completion = acceptance date + promised working days, extended by the working days spent
in correction and special procedures (DOMAIN.md). A running clock is yellow from `warn_on` (a
configurable share of the promise used, or at most one working day left) and red after the due
date. The transition services persist these dates; the sweep only compares them with today, and
`clock_rebuild` computes them all again from a case's history when the calendar changes.
"""

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings

from tongban.core.calendar import add_working_days, calendar_span_provisional, today, working_days_between

GREEN, YELLOW, RED = "green", "yellow", "red"


@dataclass(frozen=True)
class Deadlines:
    due_date: dt.date
    warn_on: dt.date


def case_deadlines(*, accepted_on: dt.date, promised_days: int, paused_days: int = 0) -> Deadlines:
    due = add_working_days(accepted_on, promised_days + paused_days)
    share = math.ceil(promised_days * settings.TONGBAN_CLOCK_WARN_SHARE)
    one_day_left = max(promised_days - 1, 0)
    warn = add_working_days(accepted_on, min(share, one_day_left) + paused_days)
    return Deadlines(due_date=due, warn_on=warn)


def clock_colour(*, today: dt.date, due_date: dt.date, warn_on: dt.date) -> str:
    if today > due_date:
        return RED
    if today >= warn_on:
        return YELLOW
    return GREEN


def paused_working_days(start: dt.date, end: dt.date) -> int:
    """Working days a pause from `start` to `end` stopped the clock for (the start day runs)."""
    return working_days_between(start, end)


def step_due(*, start: dt.date, budget_days: int) -> dt.date:
    return add_working_days(start, budget_days)


def case_provisional_years(case) -> list[int]:
    """The years without a published schedule that a case's deadlines cross: while any is left,
    its promised, warning and step due dates are estimates (ADR 0008)."""
    ends = [day for day in (case.due_date, case.step_due_date) if day]
    if not ends or not case.is_open:
        return []
    return calendar_span_provisional(case.accepted_on or today(), max(ends))


@dataclass(frozen=True)
class ClockHistory:
    """What a case's dates follow from: its acceptance, its clock stops (an open one ends with
    None), the day it entered its current step with that step's budget, and the days its clock
    restarted (a restart never leaves the step due in the past)."""

    accepted_on: dt.date
    promised_days: int
    pauses: Sequence[tuple[dt.date, dt.date | None]] = ()
    step_entered_on: dt.date | None = None
    step_budget_days: int | None = None
    resumed_on: Sequence[dt.date] = field(default_factory=tuple)


@dataclass(frozen=True)
class ClockDates:
    paused_days: int
    paused_since: dt.date | None
    due_date: dt.date
    warn_on: dt.date
    step_due_date: dt.date | None


def clock_rebuild(history: ClockHistory) -> ClockDates:
    """Every date of a case's clock, from its history, as the transitions computed them."""
    paused_days = sum(paused_working_days(start, end) for start, end in history.pauses if end is not None)
    paused_since = next((start for start, end in history.pauses if end is None), None)
    deadlines = case_deadlines(
        accepted_on=history.accepted_on, promised_days=history.promised_days, paused_days=paused_days
    )
    step_due_date = None
    if history.step_entered_on is not None and history.step_budget_days is not None:
        step_due_date = step_due(start=history.step_entered_on, budget_days=history.step_budget_days)
        later = [day for day in history.resumed_on if day >= history.step_entered_on]
        step_due_date = max([step_due_date, *later])
    return ClockDates(paused_days, paused_since, deadlines.due_date, deadlines.warn_on, step_due_date)
