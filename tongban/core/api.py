"""The working-day calendar over the API: a year's schedule (official or provisional) for anyone,
and the import of a published schedule for calendar administrators."""

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth
from pydantic import Field

from tongban.core.calendar import calendar_year_official, statutory_holidays
from tongban.core.calendar_services import calendar_import
from tongban.core.errors import ValidationFailed
from tongban.core.models import CalendarDay, CalendarYear

router = Router()


class DayOut(Schema):
    date: dt.date
    kind: str = Field(..., description="holiday 法定节假日（休息）、workday 调休上班")
    name: str


class YearOut(Schema):
    year: int
    official: bool = Field(..., description="true：已导入国务院办公厅公布的安排；false：暂按法定节假日推算（不含调休）")
    source: str
    days: list[DayOut]


class ImportIn(Schema):
    source: str = Field(..., max_length=120, description="来源，如发布通知的文号")
    text: str = Field(..., max_length=200_000, description="每行“日期,holiday|workday,名称”，# 开头为注释")


class CalendarImportOut(Schema):
    years: list[int]
    holidays: int
    workdays: int
    message: str


@router.get("/{int:year}", response=YearOut, summary="某年的节假日与调休安排（未公布的年份为暂行推算）")
def year_get(request: HttpRequest, year: int) -> dict[str, object]:
    if not calendar_year_official(year):
        days = [
            {"date": day, "kind": CalendarDay.HOLIDAY, "name": name} for day, name in statutory_holidays(year).items()
        ]
        return {"year": year, "official": False, "source": "法定节假日（暂行推算）", "days": days}
    declared = CalendarYear.objects.get(year=year)
    rows = CalendarDay.objects.filter(date__year=year).values("date", "kind", "name")
    return {"year": year, "official": True, "source": declared.source, "days": list(rows)}


@router.post(
    "/import", response=CalendarImportOut, auth=django_auth, summary="导入公布的节假日安排（在办件期限随后自动重算）"
)
def import_schedule(request: HttpRequest, payload: ImportIn) -> dict[str, object]:
    report = calendar_import(lines=payload.text.splitlines(), source=payload.source, actor=request.user)
    if not report.accepted:
        lines = report.lines()
        raise ValidationFailed(lines[0], code="calendar_import_rejected", problems=lines[1:])
    return {
        "years": list(report.years),
        "holidays": report.holidays,
        "workdays": report.workdays,
        "message": report.lines()[0],
    }
