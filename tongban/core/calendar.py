"""Working days (工作日) under China's statutory holidays and make-up working days (调休).

A date is a working day iff it is Mon–Fri and not a holiday, or it is a make-up working day.
A year declared in CalendarYear is **official**: its holidays and make-up days are the State
Council's published schedule, as imported. Any other year is **provisional** (ADR 0008): its
holidays are the statutory ones that 《全国年节及纪念日放假办法》 fixes for every year (元旦, 除夕 to
正月初三, 清明, May 1–2, 端午, 中秋, October 1–3; lunar dates and the solar term from the
`holidays` package), with no make-up working days and no substitute days off, since those are
only known once published. A deadline computed over a provisional year says so
(`calendar_span_provisional`), and publishing the year recomputes the deadlines that touch it.

Counting convention, used by every function here: a window `(start, end]` excludes its first day,
so the acceptance day itself never counts (受理次日起算). A `Pause` stops the clock on the working
days of its own window `(pause.start, pause.end]`.

Each year's data is cached per process for CACHE_TTL_SECONDS (other processes' writes show up
within that time); services call `calendar_cache_clear()` after every write. Each cached year keeps
its working days as a sorted list of ordinals, so adding or counting days is a binary search per
year touched, not a walk over the days.
"""

import datetime as dt
import time
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone
from holidays import country_holidays

from tongban.core.errors import ValidationFailed
from tongban.core.models import CalendarDay, CalendarYear

CACHE_TTL_SECONDS = 60.0


@dataclass(frozen=True)
class Pause:
    """A clock stop (补正, 现场勘查, 专家评审…): working days in `(start, end]` are not counted.
    `end=None` means the clock is still stopped."""

    start: dt.date
    end: dt.date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"暂停结束日{self.end}早于开始日{self.start}")


# The statutory rule's lunar dates and solar terms are reliable in this range (the `holidays` package).
PROVISIONAL_YEARS = range(1901, 2100)


@dataclass(frozen=True)
class _Year:
    official: bool
    loaded_at: float
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()
    working: tuple[int, ...] = ()  # ordinals of the year's working days, ascending


_cache: dict[int, _Year] = {}


def calendar_cache_clear() -> None:
    """Forget every cached year; the next query reloads from the database."""
    _cache.clear()


def today() -> dt.date:
    """Today in the platform's time zone: the one place every date rule asks (tests freeze it)."""
    return timezone.localdate()


def calendar_year_official(year: int) -> bool:
    return _year(year).official


def calendar_span_provisional(start: dt.date, end: dt.date) -> list[int]:
    """The provisional years a deadline computed from `start` to `end` crosses, in order; empty
    when every year between is official, so the date is final."""
    first, last = sorted((start.year, end.year))
    return [year for year in range(first, last + 1) if not _year(year).official]


def calendar_next_year_provisional(today: dt.date, *, from_month: int = 11) -> int | None:
    """The coming year, from November on, while its official schedule is still missing: deadlines
    that cross into it are provisional until an administrator imports it."""
    if today.month < from_month or calendar_year_official(today.year + 1):
        return None
    return today.year + 1


def statutory_holidays(year: int) -> dict[dt.date, str]:
    """The holidays the statute fixes for every year, by date, with their Chinese names."""
    if year not in PROVISIONAL_YEARS:
        raise ValidationFailed(
            f"{year}年超出日历可推算的范围（{PROVISIONAL_YEARS.start}–{PROVISIONAL_YEARS.stop - 1}年），无法计算期限。",
            code="calendar_year_out_of_range",
        )
    named = country_holidays("CN", years=year, observed=False, language="zh_CN")
    return {day: name for day, name in sorted(named.items())}


def is_working_day(day: dt.date) -> bool:
    year = _year(day.year)
    if day.weekday() < 5:
        return day not in year.holidays
    return day in year.workdays


def add_working_days(start: dt.date, n: int, pauses: Sequence[Pause] = ()) -> dt.date:
    """The n-th counted (unpaused) working day after `start` (the smallest D with n counted days in
    `(start, D]`). Raises ValueError when n < 0, or when an open pause stops the clock before
    the n-th day is reached, since no deadline exists until the clock restarts."""
    if n < 0:
        raise ValueError(f"工作日数不能为负数：{n}")
    if n == 0:
        return start
    after, remaining = start.toordinal(), n
    for pause_start, pause_end in _merged_pauses(start, pauses):
        candidate = _nth_working_after(after, remaining)
        if candidate <= pause_start:
            return dt.date.fromordinal(candidate)
        remaining -= _count_working(after, pause_start)
        if pause_end is None:
            raise ValueError(f"计时自{dt.date.fromordinal(pause_start)}起暂停且尚未恢复，无法计算期限")
        after = max(after, pause_end)
    return dt.date.fromordinal(_nth_working_after(after, remaining))


def working_days_between(start: dt.date, end: dt.date, pauses: Sequence[Pause] = ()) -> int:
    """Counted (unpaused) working days in `(start, end]`; 0 when end <= start. An open pause counts as
    stopping the clock from its start onwards."""
    after, until = start.toordinal(), end.toordinal()
    total = _count_working(after, until)
    for pause_start, pause_end in _merged_pauses(start, pauses):
        if pause_start >= until:
            break
        stop = until if pause_end is None else min(pause_end, until)
        total -= _count_working(max(after, pause_start), stop)
    return total


def _merged_pauses(start: dt.date, pauses: Iterable[Pause]) -> list[tuple[int, int | None]]:
    """Pauses as ordinal windows that end after `start`, sorted, overlaps merged, so that each
    paused working day is subtracted once."""
    windows = sorted(
        (
            (p.start.toordinal(), None if p.end is None else p.end.toordinal())
            for p in pauses
            if p.end is None or p.end > start
        ),
        key=lambda window: window[0],
    )
    merged: list[tuple[int, int | None]] = []
    for begin, end in windows:
        if merged and (merged[-1][1] is None or begin <= merged[-1][1]):
            last_begin, last_end = merged[-1]
            merged[-1] = (last_begin, None if end is None or last_end is None else max(last_end, end))
        else:
            merged.append((begin, end))
    return merged


def _nth_working_after(after: int, n: int) -> int:
    """The ordinal of the n-th (n >= 1) working day after ordinal `after`, pauses ignored."""
    year_number = dt.date.fromordinal(after + 1).year
    year = _year(year_number)
    index = bisect_right(year.working, after)
    while index + n > len(year.working):
        n -= len(year.working) - index
        year_number += 1
        year, index = _year(year_number), 0
    return year.working[index + n - 1]


def _count_working(after: int, until: int) -> int:
    """Working days in ordinals `(after, until]`, pauses ignored."""
    if until <= after:
        return 0
    total = 0
    for year_number in range(dt.date.fromordinal(after + 1).year, dt.date.fromordinal(until).year + 1):
        working = _year(year_number).working
        total += bisect_right(working, until) - bisect_right(working, after)
    return total


def _year(year_number: int) -> _Year:
    year = _cache.get(year_number)
    now = time.monotonic()
    if year is None or now - year.loaded_at > CACHE_TTL_SECONDS:
        year = _cache[year_number] = _load_year(year_number, now)
    return year


def _load_year(year_number: int, now: float) -> _Year:
    # Provisional years are cached too, so a sweep over many cases does not query once per case.
    if not CalendarYear.objects.filter(year=year_number).exists():
        return _year_of(year_number, now, official=False, holidays=frozenset(statutory_holidays(year_number)))
    first, last = dt.date(year_number, 1, 1), dt.date(year_number, 12, 31)
    rows = list(CalendarDay.objects.filter(date__range=(first, last)).values_list("date", "kind"))
    return _year_of(
        year_number,
        now,
        official=True,
        holidays=frozenset(day for day, kind in rows if kind == CalendarDay.HOLIDAY),
        workdays=frozenset(day for day, kind in rows if kind == CalendarDay.WORKDAY),
    )


def _year_of(
    year_number: int,
    now: float,
    *,
    official: bool,
    holidays: frozenset[dt.date],
    workdays: frozenset[dt.date] = frozenset(),
) -> _Year:
    first, last = dt.date(year_number, 1, 1).toordinal(), dt.date(year_number, 12, 31).toordinal()
    working = tuple(
        ordinal for ordinal in range(first, last + 1) if _weekday_rule(dt.date.fromordinal(ordinal), holidays, workdays)
    )
    return _Year(official=official, loaded_at=now, holidays=holidays, workdays=workdays, working=working)


def _weekday_rule(day: dt.date, holidays: frozenset[dt.date], workdays: frozenset[dt.date]) -> bool:
    return day not in holidays if day.weekday() < 5 else day in workdays
