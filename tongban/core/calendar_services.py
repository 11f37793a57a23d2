"""Writes to the working-day calendar: each one atomic with its audit entry, and each clears the
calendar cache (now, for this process, and again on commit so no reader caches the old rows).

Import file format (UTF-8, one date per line; `#` starts a comment line; blank lines ignored):

    # 2027 年节假日安排（国办发明电〔2026〕X 号）
    2027-01-01,holiday,元旦
    2027-02-07,workday,春节调休

Fields: date (YYYY-MM-DD), kind (`holiday` = 休息, `workday` = 调休上班, only on a weekend), and an
optional name (at most 40 characters). Every year that appears in the file turns official and its
previous exceptions are replaced by the file's. The import is all-or-nothing.

Every write that changes an official year's working days records a `calendar.changed` event with
the years concerned: the cases context recomputes the open cases' deadlines in them.
"""

import csv
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from tongban.core.actors import BaseActor
from tongban.core.audit import audit_record
from tongban.core.calendar import calendar_cache_clear
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.core.events import event_record
from tongban.core.models import CalendarDay, CalendarYear, char_max_length

CALENDAR_CHANGED = "calendar.changed"
KINDS = {CalendarDay.HOLIDAY, CalendarDay.WORKDAY}
NAME_MAX = char_max_length(CalendarDay, "name")
SOURCE_MAX = char_max_length(CalendarYear, "source")
WEEKDAYS = "一二三四五六日"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class ImportLineError:
    line_no: int  # 1-based; 0 means the file as a whole
    text: str
    reason: str


@dataclass(frozen=True)
class ImportReport:
    source: str
    accepted: bool
    years: tuple[int, ...] = ()
    holidays: int = 0
    workdays: int = 0
    errors: tuple[ImportLineError, ...] = ()

    def lines(self) -> list[str]:
        """The report for people, in Chinese."""
        if not self.accepted:
            head = f"导入被拒绝：{len(self.errors)}处错误，未写入任何数据。请改正后重新导入。"
            return [head, *(_error_line(error) for error in self.errors)]
        years = "、".join(f"{year}年" for year in self.years)
        return [f"已导入{years}：法定节假日{self.holidays}天，调休上班{self.workdays}天（来源：{self.source}）。"]


def calendar_day_check(*, day: dt.date, kind: str, name: str = "") -> str | None:
    """Why this exception cannot be recorded, in Chinese; None when it can."""
    if kind not in KINDS:
        return f"类型“{kind}”无效，应为 holiday（法定节假日休息）或 workday（调休上班）"
    if kind == CalendarDay.WORKDAY and day.weekday() < 5:
        return f"{day}是星期{WEEKDAYS[day.weekday()]}，本来就是工作日；调休上班只能设在周末"
    if len(name) > NAME_MAX:
        return f"名称不能超过{NAME_MAX}个字"
    if _has_control(name):
        return "名称含有不可见的控制字符，请删除后重试"
    return None


def _has_control(text: str) -> bool:
    return any(unicodedata.category(char) in ("Cc", "Cs") for char in text)


def calendar_day_set(*, day: dt.date, kind: str, name: str = "", actor: BaseActor = None) -> CalendarDay:
    """Record (or change) one exception to the weekday rule. In a provisional year it counts once
    the year is declared official (calendar_year_declare)."""
    problem = calendar_day_check(day=day, kind=kind, name=name)
    if problem:
        raise ValidationFailed(problem, code="calendar_day_invalid")
    with transaction.atomic():
        previous = CalendarDay.objects.select_for_update().filter(date=day).first()
        row, _ = CalendarDay.objects.update_or_create(date=day, defaults={"kind": kind, "name": name})
        detail = {"kind": kind, "name": name, "previous": _day_detail(previous)}
        audit_record(
            action="calendar.day_set", object_type="calendar", object_id=day.isoformat(), actor=actor, detail=detail
        )
        _changed([day.year], official_only=True)
    return row


def calendar_day_clear(*, day: dt.date, actor: BaseActor = None) -> None:
    """Remove one exception: the date follows the weekday rule again."""
    with transaction.atomic():
        row = CalendarDay.objects.select_for_update().filter(date=day).first()
        if row is None:
            raise NotFound(f"{day}没有录入节假日或调休安排，无需清除。", code="calendar_day_missing")
        row.delete()
        detail = {"previous": _day_detail(row)}
        audit_record(
            action="calendar.day_clear", object_type="calendar", object_id=day.isoformat(), actor=actor, detail=detail
        )
        _changed([day.year], official_only=True)


def calendar_year_declare(*, year: int, source: str, actor: BaseActor = None) -> CalendarYear:
    """Declare a year's exceptions complete: the year turns official."""
    source = source.strip()
    if not source or len(source) > SOURCE_MAX or _has_control(source):
        raise ValidationFailed(
            f"请填写来源（不超过{SOURCE_MAX}个字），如发布通知的文号。", code="calendar_source_invalid"
        )
    with transaction.atomic():
        row, created = CalendarYear.objects.update_or_create(year=year, defaults={"source": source})
        detail = {"source": source, "created": created}
        audit_record(
            action="calendar.year_declare", object_type="calendar", object_id=str(year), actor=actor, detail=detail
        )
        _changed([year])
    return row


def calendar_import(*, lines: Iterable[str], source: str, actor: BaseActor = None) -> ImportReport:
    """Replace the exceptions of every year in the file and declare those years official; writes
    nothing when any line is bad, and reports every bad line. `actor` None is the operator's
    command; a user needs the right to change the calendar."""
    if actor is not None and not actor.has_perm("core.add_calendarday"):
        raise PermissionDenied("只有日历管理员可以导入节假日安排。", code="calendar_forbidden")
    source = source.strip()[:SOURCE_MAX]
    if _has_control(source):
        raise ValidationFailed("来源含有不可见的控制字符，请删除后重试。", code="calendar_source_invalid")
    days, errors = _parse(lines)
    if not days and not errors:
        errors = [ImportLineError(0, "", "文件中没有任何日期行")]
    if errors:
        return ImportReport(source=source, accepted=False, errors=tuple(errors))
    years = tuple(sorted({row.date.year for row in days}))
    with transaction.atomic():
        replaced = _replace_years(years, days, source)
        report = ImportReport(
            source=source,
            accepted=True,
            years=years,
            holidays=sum(row.kind == CalendarDay.HOLIDAY for row in days),
            workdays=sum(row.kind == CalendarDay.WORKDAY for row in days),
        )
        detail = {
            "source": source,
            "years": list(years),
            "holidays": report.holidays,
            "workdays": report.workdays,
            "replaced": replaced,
        }
        object_id = str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"
        audit_record(action="calendar.import", object_type="calendar", object_id=object_id, actor=actor, detail=detail)
        _changed(list(years))
    return report


def _replace_years(years: tuple[int, ...], days: list[CalendarDay], source: str) -> int:
    replaced = 0
    for year in years:
        replaced += CalendarDay.objects.filter(date__range=(dt.date(year, 1, 1), dt.date(year, 12, 31))).delete()[0]
        CalendarYear.objects.update_or_create(year=year, defaults={"source": source})
    CalendarDay.objects.bulk_create(days, batch_size=500)
    return replaced


def _parse(lines: Iterable[str]) -> tuple[list[CalendarDay], list[ImportLineError]]:
    days: list[CalendarDay] = []
    errors: list[ImportLineError] = []
    seen: dict[dt.date, int] = {}
    for line_no, raw in enumerate(lines, start=1):
        text = raw.strip().lstrip("\ufeff")
        if not text or text.startswith("#"):
            continue
        row, reason = _parse_line(text, seen)
        if reason:
            errors.append(ImportLineError(line_no, text, reason))
        elif row is not None:  # no reason: the row
            seen[row.date] = line_no
            days.append(row)
    return days, errors


def _parse_line(text: str, seen: dict[dt.date, int]) -> tuple[CalendarDay | None, str | None]:
    fields = [field.strip() for field in next(csv.reader([text]))]
    if len(fields) not in (2, 3):
        return None, "格式应为“日期,类型,名称”，如 2027-01-01,holiday,元旦"
    day = _parse_date(fields[0])
    if day is None:
        return None, f"日期“{fields[0]}”无效，应为存在的日期，格式 YYYY-MM-DD"
    if day in seen:
        return None, f"日期{day}与第{seen[day]}行重复"
    kind, name = fields[1].lower(), fields[2] if len(fields) == 3 else ""
    problem = calendar_day_check(day=day, kind=kind, name=name)
    if problem:
        return None, problem
    return CalendarDay(date=day, kind=kind, name=name), None


def _parse_date(text: str) -> dt.date | None:
    # fromisoformat alone also takes 20270101 and 2027-W01-1; the file format is only YYYY-MM-DD.
    if not ISO_DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _day_detail(row: CalendarDay | None) -> dict[str, str] | None:
    return None if row is None else {"kind": row.kind, "name": row.name}


def _error_line(error: ImportLineError) -> str:
    where = "文件" if error.line_no == 0 else f"第{error.line_no}行"
    return f"{where}：{error.reason}" + (f"（{error.text}）" if error.text else "")


def _changed(years: list[int], *, official_only: bool = False) -> None:
    """The cache is cleared, and the years whose working days may have moved are announced."""
    _clear_cache()
    if official_only:
        years = list(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
    if years:
        event_record(topic=CALENDAR_CHANGED, payload={"years": sorted(years)})


def _clear_cache() -> None:
    # Clear now so this process sees its own write; again on commit so a read between the two
    # (inside this transaction, or another thread before commit) does not keep stale rows cached.
    calendar_cache_clear()
    transaction.on_commit(calendar_cache_clear)
