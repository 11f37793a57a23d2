"""The demo city built on any day, and a case driven across a year boundary from it: a year end
with the next year unpublished, mid-year, a year end three years past the last published
schedule, and a date just after a Spring Festival in a provisional year. Today is frozen at each
date (time-machine), so the suite means the same whatever day it runs."""

import datetime as dt

import pytest
from django.db.models import Max

from tongban.cases import clock, services
from tongban.cases.models import Case, CaseMetrics, CaseStatus
from tongban.cases.tests.factories import Crew, case_item, submitted_case
from tongban.core.calendar import add_working_days, calendar_span_provisional, is_working_day, working_days_between
from tongban.demo.cases import cases_build
from tongban.demo.city import Scale, city_build

pytestmark = pytest.mark.django_db

DATES = [dt.date(2026, 12, 28), dt.date(2027, 6, 15), dt.date(2029, 12, 20), dt.date(2031, 2, 1)]
TEST_SCALE = Scale(persons=200, legal_persons=20)


def next_working_day(day: dt.date) -> dt.date:
    return add_working_days(day, 1) if not is_working_day(day) else day


@pytest.mark.parametrize("day", DATES, ids=str)
def test_the_demo_city_builds_on_any_day_with_honest_clocks(day, today_is, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    today_is(day)
    city_build(scale=TEST_SCALE, say=lambda line: None)
    assert cases_build(count=30, say=lambda line: None, today=day) == 30
    latest = CaseStatus.objects.aggregate(latest=Max("created_at"))["latest"]
    assert latest.date() <= day
    running = Case.objects.filter(clock__in=[Case.GREEN, Case.YELLOW, Case.RED])
    assert running.exists()
    for case in running:
        expected = clock.case_deadlines(
            accepted_on=case.accepted_on, promised_days=case.promised_days, paused_days=case.paused_days
        )
        assert (case.due_date, case.warn_on) == (expected.due_date, expected.warn_on)
        assert case.clock == clock.clock_colour(today=day, due_date=case.due_date, warn_on=case.warn_on)
        ends = max(d for d in (case.due_date, case.step_due_date) if d)
        assert clock.case_provisional_years(case) == calendar_span_provisional(case.accepted_on, ends)
    swept = services.case_clock_sweep()
    assert (swept.turned_red, swept.turned_yellow) == (0, 0)  # the build left every colour right
    if day.year >= 2027:  # every year from 2027 on is provisional: every open deadline is an estimate
        assert all(clock.case_provisional_years(case) for case in running)


@pytest.mark.parametrize("day", DATES, ids=str)
def test_a_case_accepted_on_any_day_is_driven_across_the_year_boundary(day, today_is):
    today_is(day)
    version = case_item(promised_limit_days=20)
    crew = Crew(version.item.department)
    case = services.case_accept(actor=crew.accept, case_id=submitted_case(version).pk)
    assert case.due_date == add_working_days(day, 20)
    services.case_special_start(actor=crew.review, case_id=case.pk, kind="inspection")  # the clock stops on `day`

    new_year = next_working_day(dt.date(day.year + 1, 1, 4))
    today_is(new_year)
    assert services.case_clock_sweep().turned_red == 0  # a stopped clock never turns red
    services.case_special_end(actor=crew.review, case_id=case.pk, result="核查属实")
    case.refresh_from_db()
    paused = working_days_between(day, new_year)
    assert case.paused_days == paused
    assert case.due_date == add_working_days(day, 20 + paused) > new_year
    assert case.clock == Case.GREEN

    later = add_working_days(new_year, 3)
    today_is(later)
    services.case_step_approve(actor=crew.review, case_id=case.pk, opinion="符合条件")
    services.case_decide(actor=crew.approve, case_id=case.pk, decision="approved", opinion="同意")
    services.case_result_issue(actor=crew.issue, case_id=case.pk)
    services.case_deliver(actor=crew.deliver, case_id=case.pk, method="window")
    metrics = CaseMetrics.objects.get(case=case)
    assert metrics.days_used == working_days_between(day, later) - paused == 3
    assert metrics.on_time is True
