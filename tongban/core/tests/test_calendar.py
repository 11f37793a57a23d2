import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import given, settings, strategies as st
from lunardate import LunarDate

from tongban.core.calendar import (
    Pause,
    add_working_days,
    calendar_cache_clear,
    calendar_next_year_provisional,
    calendar_span_provisional,
    calendar_year_official,
    is_working_day,
    statutory_holidays,
    working_days_between,
)
from tongban.core.calendar_services import (
    calendar_day_clear,
    calendar_day_set,
    calendar_import,
    calendar_year_declare,
)
from tongban.core.errors import ValidationFailed
from tongban.core.models import AuditEntry, CalendarDay, CalendarYear, OutboxEvent

# Seeded years are 2004–2026; starts stay early enough that every result falls inside them.
starts = st.dates(min_value=dt.date(2005, 1, 1), max_value=dt.date(2026, 6, 30))
counts = st.integers(min_value=0, max_value=60)
pauses = st.lists(
    st.tuples(st.integers(-10, 60), st.integers(0, 20)),
    max_size=3,
)
laws = settings(max_examples=150, deadline=None)


@pytest.fixture(autouse=True)
def fresh_cache():
    # Each test's writes are rolled back, but the per-process cache would outlive them.
    calendar_cache_clear()
    yield
    calendar_cache_clear()


def as_pauses(start: dt.date, windows: list[tuple[int, int]]) -> list[Pause]:
    return [Pause(start + dt.timedelta(offset), start + dt.timedelta(offset + length)) for offset, length in windows]


def day_by_day(start: dt.date, n: int, stops: list[Pause]) -> dt.date:
    """The definition, walked one day at a time: the reference the fast version must match."""
    day, counted = start, 0
    while counted < n:
        day += dt.timedelta(1)
        paused = any(p.start < day and (p.end is None or day <= p.end) for p in stops)  # end None: still stopped
        counted += is_working_day(day) and not paused
    return day


@pytest.mark.django_db
@laws
@given(starts)
def test_adding_no_days_is_the_start(start):
    assert add_working_days(start, 0) == start


@pytest.mark.django_db
@laws
@given(starts, counts.filter(bool), pauses)
def test_deadline_matches_the_day_by_day_definition(start, n, windows):
    stops = as_pauses(start, windows)
    deadline = add_working_days(start, n, stops)
    assert deadline == day_by_day(start, n, stops)
    assert is_working_day(deadline)
    assert working_days_between(start, deadline, stops) == n
    assert working_days_between(start, deadline - dt.timedelta(1), stops) == n - 1


@pytest.mark.django_db
@laws
@given(starts, counts)
def test_counting_back_gives_the_days_added(start, n):
    assert working_days_between(start, add_working_days(start, n)) == n


@pytest.mark.django_db
@laws
@given(starts, counts, counts)
def test_deadlines_grow_with_the_days_and_add_up(start, a, b):
    assert add_working_days(start, min(a, b)) <= add_working_days(start, max(a, b))
    assert add_working_days(add_working_days(start, a), b) == add_working_days(start, a + b)


@pytest.mark.django_db
@laws
@given(starts, counts, pauses)
def test_counting_back_with_pauses_gives_the_days_added(start, n, windows):
    stops = as_pauses(start, windows)
    assert working_days_between(start, add_working_days(start, n, stops), stops) == n


@pytest.mark.django_db
@laws
@given(starts, counts.filter(bool), st.data())
def test_a_pause_inside_the_window_moves_the_deadline_by_its_working_days(start, n, data):
    deadline = add_working_days(start, n)
    span = (deadline - start).days
    pause_start = start + dt.timedelta(data.draw(st.integers(0, span)))
    pause_end = pause_start + dt.timedelta(data.draw(st.integers(0, (deadline - pause_start).days)))
    k = working_days_between(pause_start, pause_end)
    assert add_working_days(start, n, [Pause(pause_start, pause_end)]) == add_working_days(deadline, k)


@pytest.mark.django_db
def test_national_day_2026_and_its_make_up_days():
    # chinese_calendar 1.11: 10-01..10-07 off; Sunday 09-20 and Saturday 10-10 are make-up days.
    assert not any(is_working_day(dt.date(2026, 10, day)) for day in range(1, 8))
    assert is_working_day(dt.date(2026, 9, 20))  # Sunday, 国庆节调休
    assert is_working_day(dt.date(2026, 10, 10))  # Saturday, 国庆节调休
    assert not is_working_day(dt.date(2026, 10, 11))  # an ordinary Sunday
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 10)).name == "国庆节调休"


@pytest.mark.django_db
def test_five_working_days_after_30_september_2026():
    # Accepted Wed 09-30. 10-01..07 holiday; 10-08 Thu (1), 10-09 Fri (2), 10-10 Sat 调休 (3),
    # 10-11 Sun off, 10-12 Mon (4), 10-13 Tue (5).
    assert add_working_days(dt.date(2026, 9, 30), 5) == dt.date(2026, 10, 13)


@pytest.mark.django_db
def test_correction_stops_the_clock():
    # Correction requested Thu 10-08 (day 1 counted), answered Mon 10-12: 10-09 Fri, 10-10 Sat 调休
    # and 10-12 Mon are paused (3 working days). Counting resumes: 10-13 (2), 10-14 (3),
    # 10-15 (4), 10-16 Fri (5) — three working days after the unpaused 10-13.
    correction = Pause(dt.date(2026, 10, 8), dt.date(2026, 10, 12))
    assert working_days_between(correction.start, correction.end) == 3
    assert add_working_days(dt.date(2026, 9, 30), 5, [correction]) == dt.date(2026, 10, 16)
    assert add_working_days(dt.date(2026, 10, 13), 3) == dt.date(2026, 10, 16)


@pytest.mark.django_db
def test_an_open_pause_has_no_deadline_until_it_ends():
    accepted = dt.date(2026, 9, 30)
    with pytest.raises(ValueError, match="暂停"):
        add_working_days(accepted, 5, [Pause(dt.date(2026, 10, 8))])
    # A pause opened after the deadline was reached does not change it.
    assert add_working_days(accepted, 5, [Pause(dt.date(2026, 10, 13))]) == dt.date(2026, 10, 13)
    # Elapsed time stops at the open pause's start.
    assert working_days_between(accepted, dt.date(2026, 12, 31), [Pause(dt.date(2026, 10, 9))]) == 2


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        add_working_days(dt.date(2026, 3, 2), -1)
    with pytest.raises(ValueError):
        Pause(dt.date(2026, 3, 5), dt.date(2026, 3, 4))


@pytest.mark.django_db
def test_a_year_without_a_schedule_is_provisional_by_the_statute_not_refused():
    # 2031: 劳动节 Thu 05-01 and Fri 05-02 off, no substitute day, no make-up Sunday 04-27.
    assert not calendar_year_official(2031)
    assert not is_working_day(dt.date(2031, 5, 2))
    assert is_working_day(dt.date(2031, 5, 6))
    assert not is_working_day(dt.date(2031, 4, 27))
    # 30 working days from 2026-12-20 cross 元旦 2027 (one day, Friday 01-01) into a provisional year.
    due = add_working_days(dt.date(2026, 12, 20), 30)
    assert due == dt.date(2027, 2, 1)
    assert calendar_span_provisional(dt.date(2026, 12, 20), due) == [2027]
    assert calendar_span_provisional(dt.date(2026, 3, 2), dt.date(2026, 11, 2)) == []


@pytest.mark.django_db
def test_years_beyond_the_lunar_tables_are_refused_with_a_reason():
    with pytest.raises(ValidationFailed) as refused:
        is_working_day(dt.date(2100, 1, 4))
    assert refused.value.code == "calendar_year_out_of_range"
    assert "2100年超出日历可推算的范围" in refused.value.message


provisional_years = st.integers(min_value=2027, max_value=2099)


@pytest.mark.django_db
@laws
@given(provisional_years)
def test_a_provisional_year_has_the_statutory_holidays_where_the_statute_puts_them(year):
    days = statutory_holidays(year)
    assert days == statutory_holidays(year)  # fixed per year, whatever is asked first
    fixed = [dt.date(year, 1, 1), dt.date(year, 5, 1), dt.date(year, 5, 2), *(dt.date(year, 10, d) for d in (1, 2, 3))]
    assert all(day in days for day in fixed)
    # Lunar dates checked against another library's tables (lunardate): 除夕 to 正月初三, 端午, 中秋.
    new_year = LunarDate(year, 1, 1).to_solar_date()
    spring = [new_year + dt.timedelta(days=offset) for offset in (-1, 0, 1, 2)]
    autumn = LunarDate(year, 8, 15).to_solar_date()
    assert all(day in days for day in [*spring, LunarDate(year, 5, 5).to_solar_date(), autumn])
    qingming = [day for day, name in days.items() if name == "清明节"]
    assert qingming in ([dt.date(year, 4, 4)], [dt.date(year, 4, 5)])  # the solar term, this century
    assert len(days) == (12 if autumn in fixed else 13)  # 中秋 may fall on 国庆
    # Weekdays off are the statutory ones only; every weekend day is a rest day (no 调休 known yet).
    for ordinal in range(dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal() + 1):
        day = dt.date.fromordinal(ordinal)
        assert is_working_day(day) == (day.weekday() < 5 and day not in days)


@pytest.mark.django_db
@pytest.mark.parametrize("year", [2025, 2026])
def test_the_statutory_days_are_holidays_in_every_official_year_under_the_2024_statute(year):
    official = set(CalendarDay.objects.filter(date__year=year, kind=CalendarDay.HOLIDAY).values_list("date", flat=True))
    assert set(statutory_holidays(year)) <= official


@pytest.mark.django_db
@laws
@given(st.dates(min_value=dt.date(2026, 12, 1), max_value=dt.date(2027, 12, 31)), counts)
def test_an_official_year_that_matches_the_statute_gives_the_same_deadlines(start, n):
    provisional = add_working_days(start, n)
    lines = [f"{day},holiday,{name}" for day, name in statutory_holidays(2027).items() if day.weekday() < 5]
    with transaction.atomic():
        calendar_import(lines=lines, source="与法定节假日相同的安排")
        official = add_working_days(start, n)
        assert calendar_year_official(2027)
        transaction.set_rollback(True)
    calendar_cache_clear()
    assert official == provisional


@pytest.mark.django_db
def test_a_make_up_saturday_in_the_published_schedule_brings_a_deadline_forward():
    start = dt.date(2026, 12, 28)
    provisional = add_working_days(start, 20)  # 元旦 off: Tuesday 01-26
    assert provisional == dt.date(2027, 1, 26)
    calendar_import(lines=["2027-01-01,holiday,元旦", "2027-01-09,workday,元旦调休"], source="国办发明电〔2026〕1号")
    assert add_working_days(start, 20) == dt.date(2027, 1, 25)
    assert calendar_span_provisional(start, dt.date(2027, 1, 25)) == []


@pytest.mark.django_db
def test_importing_2027_makes_it_computable():
    lines = ["# 2027 示例", "", "2027-01-01,holiday,元旦", "2027-02-06,workday,春节调休", "2027-02-08,holiday,春节"]
    report = calendar_import(lines=lines, source="测试通知")
    assert report.accepted and report.years == (2027,) and (report.holidays, report.workdays) == (2, 1)
    # 12-31 Thu (1), 2027-01-01 Fri 元旦, 01-04 Mon (2), 01-05 Tue (3).
    assert add_working_days(dt.date(2026, 12, 30), 3) == dt.date(2027, 1, 5)
    assert is_working_day(dt.date(2027, 2, 6))
    assert AuditEntry.objects.filter(action="calendar.import", object_id="2027").exists()


@pytest.mark.django_db
def test_import_replaces_the_years_previous_exceptions():
    calendar_import(lines=["2027-01-01,holiday,元旦", "2027-02-08,holiday,春节"], source="初版")
    calendar_import(lines=["2027-01-01,holiday,元旦"], source="修订版")
    assert list(CalendarDay.objects.filter(date__year=2027).values_list("date", flat=True)) == [dt.date(2027, 1, 1)]
    assert CalendarYear.objects.get(year=2027).source == "修订版"
    assert is_working_day(dt.date(2027, 2, 8))


@pytest.mark.django_db
def test_an_import_with_bad_lines_writes_nothing_and_names_each_line():
    lines = [
        "2027-01-01,holiday,元旦",  # 1 fine
        "2027-02-30,holiday,春节",  # 2 no such date
        "2027-02-09,rest,春节",  # 3 unknown kind
        "# comment",  # 4 ignored
        "2027-01-01,holiday,元旦",  # 5 duplicate of line 1
        "2027-02-10,workday,春节调休",  # 6 a Wednesday is already a working day
        "2027-02-11",  # 7 too few fields
    ]
    report = calendar_import(lines=lines, source="有误的文件")
    assert not report.accepted
    assert [error.line_no for error in report.errors] == [2, 3, 5, 6, 7]
    assert "第1行重复" in report.errors[2].reason
    assert report.lines()[0].startswith("导入被拒绝：5处错误")
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not CalendarDay.objects.filter(date__year=2027).exists()


@pytest.mark.django_db
def test_an_empty_import_is_refused():
    report = calendar_import(lines=["# nothing", ""], source="空文件")
    assert not report.accepted and report.errors[0].line_no == 0


@pytest.mark.django_db
def test_a_day_set_takes_effect_at_once_and_is_audited():
    monday = dt.date(2026, 3, 2)
    assert is_working_day(monday)
    calendar_day_set(day=monday, kind="holiday", name="临时休息")
    assert not is_working_day(monday)
    calendar_day_clear(day=monday)
    assert is_working_day(monday)
    actions = AuditEntry.objects.filter(object_type="calendar", object_id="2026-03-02").values_list("action", flat=True)
    assert sorted(actions) == ["calendar.day_clear", "calendar.day_set"]
    with pytest.raises(ValidationFailed, match="本来就是工作日"):
        calendar_day_set(day=monday, kind="workday")


@pytest.mark.django_db
def test_days_entered_in_a_provisional_year_count_once_it_is_declared_official():
    calendar_day_set(day=dt.date(2031, 1, 1), kind="holiday", name="元旦")
    calendar_day_set(day=dt.date(2031, 1, 3), kind="holiday", name="元旦调休")
    assert is_working_day(dt.date(2031, 1, 3))  # days alone do not make a year official
    assert not OutboxEvent.objects.filter(topic="calendar.changed").exists()
    calendar_year_declare(year=2031, source="测试")
    assert not is_working_day(dt.date(2031, 1, 1))
    assert not is_working_day(dt.date(2031, 1, 3))
    assert is_working_day(dt.date(2031, 1, 2))
    assert OutboxEvent.objects.get(topic="calendar.changed").payload == {"years": [2031]}


@pytest.mark.django_db
def test_the_command_imports_shows_and_checks(tmp_path, capsys):
    path = tmp_path / "2027.csv"
    path.write_text("\ufeff# 2027\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节调休\n", encoding="utf-8")
    call_command("calendar", "import", str(path))
    assert "已导入2027年" in capsys.readouterr().out
    call_command("calendar", "show", "2027")
    assert "2027-02-06 星期六  调休上班  春节调休" in capsys.readouterr().out
    call_command("calendar", "check", "2026-10-10")
    assert "2026-10-10 星期六：工作日（调休上班：国庆节调休）" in capsys.readouterr().out
    call_command("calendar", "show", "2031")
    shown = capsys.readouterr().out
    assert "暂按法定节假日推算" in shown and "2031-01-22 星期三  法定节假日（暂行）  农历除夕" in shown
    call_command("calendar", "check", "2031-01-22")
    assert "休息日（法定节假日（暂行推算）：农历除夕）" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_command_fails_on_a_rejected_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("2027-13-01,holiday,元旦\n", encoding="utf-8")
    with pytest.raises(CommandError, match="导入被拒绝"):
        call_command("calendar", "import", str(path))
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_admin_edits_go_through_the_services(admin_client, admin_user):
    assert admin_client.get("/admin/core/calendarday/?kind__exact=workday").status_code == 200
    response = admin_client.post(
        "/admin/core/calendarday/add/", {"date": "2026-03-02", "kind": "holiday", "name": "临时"}
    )
    assert response.status_code == 302
    assert not is_working_day(dt.date(2026, 3, 2))  # the service cleared the cache
    entry = AuditEntry.objects.get(action="calendar.day_set", object_id="2026-03-02")
    assert entry.actor_id == admin_user.pk
    refused = admin_client.post("/admin/core/calendarday/add/", {"date": "2026-03-04", "kind": "workday", "name": ""})
    assert "本来就是工作日" in refused.content.decode()
    assert not CalendarDay.objects.filter(date=dt.date(2026, 3, 4)).exists()
    admin_client.post("/admin/core/calendarday/2026-03-02/delete/", {"post": "yes"})
    assert AuditEntry.objects.filter(action="calendar.day_clear", object_id="2026-03-02").exists()
    assert is_working_day(dt.date(2026, 3, 2))
    admin_client.post("/admin/core/calendaryear/add/", {"year": "2031", "source": "测试通知"})
    assert AuditEntry.objects.filter(action="calendar.year_declare", object_id="2031").exists()
    assert is_working_day(dt.date(2031, 1, 2))


@pytest.mark.django_db
def test_the_coming_year_is_flagged_from_november_while_it_is_provisional():
    assert calendar_next_year_provisional(dt.date(2026, 10, 31)) is None  # too early to worry
    assert calendar_next_year_provisional(dt.date(2026, 11, 1)) == 2027
    assert calendar_next_year_provisional(dt.date(2026, 12, 7)) == 2027
    CalendarYear.objects.create(year=2027, source="国办发明电〔2026〕号")
    calendar_cache_clear()
    assert calendar_next_year_provisional(dt.date(2026, 11, 23)) is None
