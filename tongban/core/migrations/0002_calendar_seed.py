"""Seed the working-day calendar from the installed chinese_calendar package (2004 to its last
published year). Later years are imported by administrators (`tongban calendar import`).

Holidays that fall on weekends are kept: they do not change the count but name the day."""

import datetime as dt
from importlib.metadata import version

from django.db import migrations

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _package_days():
    from chinese_calendar import constants

    return constants.holidays, constants.workdays


def _chinese(name) -> str:
    name = str(getattr(name, "value", name))
    return HOLIDAY_NAMES.get(name, name)[:40]


def seed(apps, schema_editor):
    CalendarYear = apps.get_model("core", "CalendarYear")
    CalendarDay = apps.get_model("core", "CalendarDay")
    holidays, workdays = _package_days()
    source = f"chinese-calendar {version('chinese-calendar')}"
    years = sorted({day.year for day in holidays} | {day.year for day in workdays})
    CalendarYear.objects.bulk_create([CalendarYear(year=year, source=source) for year in years])
    days = [CalendarDay(date=day, kind="holiday", name=_chinese(name)) for day, name in holidays.items()]
    days += [CalendarDay(date=day, kind="workday", name=f"{_chinese(name)}调休") for day, name in workdays.items()]
    CalendarDay.objects.bulk_create(sorted(days, key=lambda row: row.date), batch_size=500)


def unseed(apps, schema_editor):
    CalendarYear = apps.get_model("core", "CalendarYear")
    CalendarDay = apps.get_model("core", "CalendarDay")
    holidays, workdays = _package_days()
    years = sorted({day.year for day in holidays} | {day.year for day in workdays})
    CalendarDay.objects.filter(date__range=(dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31))).delete()
    CalendarYear.objects.filter(year__in=years).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
