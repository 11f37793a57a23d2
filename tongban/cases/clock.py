"""The case clock, as pure functions over the working-day calendar (core.calendar).

Promised completion = acceptance date + promised working days, extended by the working days spent
in correction and special procedures (DOMAIN.md). A running clock is yellow from `warn_on` (a
configurable share of the promise used, or at most one working day left) and red after the due
date. The transition services persist these dates; the sweep only compares them with today.
"""

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings

from tongban.core.calendar import add_working_days, working_days_between

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
