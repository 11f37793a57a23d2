"""`tongban calendar import FILE | show YEAR | check DATE` — the working-day calendar for operators.

The import file format is documented in tongban.core.calendar_services."""

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.timezone import localtime

from tongban.core.calendar import is_working_day, statutory_holidays
from tongban.core.calendar_services import WEEKDAYS, calendar_import
from tongban.core.errors import TongbanError
from tongban.core.models import CalendarDay, CalendarYear


class Command(BaseCommand):
    help = "工作日日历：导入节假日与调休安排（import）、查看某年安排（show）、查询某日是否工作日（check）。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{import,show,check}")
        load = actions.add_parser("import", help="从文件导入（每行：日期,holiday|workday,名称）")
        load.add_argument("file", help="UTF-8 文本或 CSV 文件")
        load.add_argument("--source", default="", help="来源，如发布通知的文号；默认为文件名")
        show = actions.add_parser("show", help="列出某年的节假日与调休")
        show.add_argument("year", type=int)
        check = actions.add_parser("check", help="查询某日是否工作日")
        check.add_argument("date", help="YYYY-MM-DD")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        handlers: dict[str, Callable[..., None]] = {"import": self._import, "show": self._show, "check": self._check}
        handlers[action](**options)

    def _import(self, *, file: str, source: str, **options: Any) -> None:
        path = Path(file)
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except FileNotFoundError as exc:
            raise CommandError(f"找不到文件：{path}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"文件{path}不是 UTF-8 编码，请另存为 UTF-8 后重试。") from exc
        report = calendar_import(lines=lines, source=source or f"导入文件 {path.name}")
        if not report.accepted:
            for line in report.lines()[1:]:
                self.stderr.write(line)
            raise CommandError(report.lines()[0])
        self.stdout.write(self.style.SUCCESS(report.lines()[0]))

    def _show(self, *, year: int, **options: Any) -> None:
        declared = CalendarYear.objects.filter(year=year).first()
        if declared:
            self.stdout.write(
                f"{year}年：已录入（来源：{declared.source}，更新于{localtime(declared.updated_at):%Y-%m-%d %H:%M}）"
            )
        else:
            self.stdout.write(
                self.style.WARNING(f"{year}年：安排尚未公布录入，暂按法定节假日推算（不含调休），期限标为“预计”。")
            )
            for day, name in statutory_holidays(year).items():
                self.stdout.write(f"{day} 星期{WEEKDAYS[day.weekday()]}  法定节假日（暂行）  {name}")
            return
        days = CalendarDay.objects.filter(date__range=(dt.date(year, 1, 1), dt.date(year, 12, 31)))
        for exception in days:
            weekday = WEEKDAYS[exception.date.weekday()]
            self.stdout.write(f"{exception.date} 星期{weekday}  {exception.get_kind_display()}  {exception.name}")
        if not days:
            self.stdout.write("（没有例外日期）")

    def _check(self, *, date: str, **options: Any) -> None:
        try:
            day = dt.date.fromisoformat(date)
        except ValueError as exc:
            raise CommandError(f"日期“{date}”无效，格式应为 YYYY-MM-DD。") from exc
        try:
            working = is_working_day(day)
        except TongbanError as exc:
            raise CommandError(exc.message) from exc
        exception = CalendarDay.objects.filter(date=day, date__year__in=_official([day.year])).first()
        statutory = {} if _official([day.year]) else statutory_holidays(day.year)
        if exception:
            reason = f"{exception.get_kind_display()}：{exception.name}"
        elif day in statutory:
            reason = f"法定节假日（暂行推算）：{statutory[day]}"
        else:
            reason = _weekday_reason(day)
        verdict = "工作日" if working else "休息日"
        self.stdout.write(f"{day} 星期{WEEKDAYS[day.weekday()]}：{verdict}（{reason}）")


def _official(years: list[int]) -> list[int]:
    return list(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))


def _weekday_reason(day: dt.date) -> str:
    return "周一至周五" if day.weekday() < 5 else "周末"
