"""The case clock over the 2026 holiday calendar: due dates, pauses, colours and the sweep."""

import datetime as dt

import pytest

from tongban.cases import clock, deadlines, services
from tongban.cases.models import Case
from tongban.cases.tests.factories import case_in, case_item, officer, pdf_bytes, submitted_case
from tongban.catalog.tests.factories import DEFAULT_STEPS
from tongban.core.models import OutboxEvent

pytestmark = pytest.mark.django_db

NATIONAL_DAY_EVE = dt.date(2026, 9, 30)
SHORT_STEPS = [{**step, "budget_days": 1} for step in DEFAULT_STEPS]
INSTANT_STEPS = [{**step, "budget_days": 0} for step in DEFAULT_STEPS]


@pytest.fixture
def on(today_is):
    return today_is


def test_five_working_days_from_national_day_eve_skip_the_holiday_and_count_the_make_up_saturday():
    # 10-01…10-07 off; 10-08 Thu, 10-09 Fri, 10-10 Sat (调休 working day), 10-12 Mon, 10-13 Tue.
    deadlines = clock.case_deadlines(accepted_on=NATIONAL_DAY_EVE, promised_days=5)
    assert deadlines.due_date == dt.date(2026, 10, 13)


def test_a_three_working_day_correction_moves_the_due_date_by_three_working_days(on):
    version = case_item(promised_limit_days=5, steps=SHORT_STEPS)
    case = submitted_case(version)
    crew_accept, crew_review = _officers(version)
    on(NATIONAL_DAY_EVE)
    services.case_accept(actor=crew_accept, case_id=case.pk)
    case.refresh_from_db()
    assert case.due_date == dt.date(2026, 10, 13)

    on(dt.date(2026, 10, 9))
    material = case.materials.first()
    services.case_correction_request(
        actor=crew_review, case_id=case.pk, items=[services.CorrectionItem(reason="不清晰", material_id=material.pk)]
    )
    case.refresh_from_db()
    assert case.clock == Case.PAUSED

    on(dt.date(2026, 10, 13))  # paused over 10-10, 10-12, 10-13: three working days
    services.case_file_add(
        actor=case.filed_by, case_id=case.pk, material_id=material.pk, name="新.pdf", content=pdf_bytes()
    )
    services.case_correction_answer(actor=case.filed_by, case_id=case.pk, answer="已补交清晰件")
    case.refresh_from_db()
    assert case.paused_days == 3
    assert case.due_date == dt.date(2026, 10, 16)
    assert case.clock in (Case.GREEN, Case.YELLOW)


def test_a_special_procedure_stops_the_clock_for_its_duration(on):
    version = case_item(promised_limit_days=5, steps=SHORT_STEPS)
    case = submitted_case(version)
    accept, review = _officers(version)
    on(dt.date(2026, 10, 12))
    services.case_accept(actor=accept, case_id=case.pk)
    services.case_special_start(actor=review, case_id=case.pk, kind="inspection")
    on(dt.date(2026, 10, 14))
    services.case_special_end(actor=review, case_id=case.pk, result="符合要求")
    case.refresh_from_db()
    assert case.paused_days == 2
    assert case.due_date == clock.case_deadlines(accepted_on=dt.date(2026, 10, 12), promised_days=7).due_date


def test_an_instant_item_is_due_the_day_it_is_accepted(on):
    version = case_item(promise_kind="instant", review_kind="instant", promised_limit_days=0, steps=INSTANT_STEPS)
    case = submitted_case(version)
    accept, _ = _officers(version)
    on(NATIONAL_DAY_EVE)
    services.case_accept(actor=accept, case_id=case.pk)
    case.refresh_from_db()
    assert case.due_date == NATIONAL_DAY_EVE


def test_colours_turn_at_eighty_percent_or_one_day_left_and_after_the_due_date():
    deadlines = clock.case_deadlines(accepted_on=dt.date(2026, 11, 2), promised_days=10)  # Monday
    assert deadlines.due_date == dt.date(2026, 11, 16)
    assert deadlines.warn_on == dt.date(2026, 11, 12)  # 8 of 10 working days used
    colour = lambda day: clock.clock_colour(today=day, due_date=deadlines.due_date, warn_on=deadlines.warn_on)  # noqa: E731
    assert colour(dt.date(2026, 11, 11)) == clock.GREEN
    assert colour(dt.date(2026, 11, 12)) == clock.YELLOW
    assert colour(dt.date(2026, 11, 16)) == clock.YELLOW
    assert colour(dt.date(2026, 11, 17)) == clock.RED


def test_the_sweep_turns_clocks_and_announces_each_change(on):
    case, _ = case_in(Case.HANDLING)
    on(case.warn_on)
    report = services.case_clock_sweep()
    case.refresh_from_db()
    assert (report.turned_yellow, case.clock) == (1, Case.YELLOW)
    on(case.due_date + dt.timedelta(days=1))
    report = services.case_clock_sweep()
    case.refresh_from_db()
    assert (report.turned_red, case.clock) == (1, Case.RED)
    events = OutboxEvent.objects.filter(topic="case.clock").order_by("id")
    assert [e.payload["clock"] for e in events] == ["yellow", "red"]
    assert events.last().payload["number"] == case.number
    assert services.case_clock_sweep().turned_red == 0  # nothing turns twice


def test_the_sweep_leaves_paused_and_ended_clocks_alone(on):
    paused, _ = case_in(Case.SPECIAL)
    ended, _ = case_in(Case.DELIVERED)
    on(paused.due_date + dt.timedelta(days=60))
    services.case_clock_sweep()
    paused.refresh_from_db()
    ended.refresh_from_db()
    assert (paused.clock, ended.clock) == (Case.PAUSED, Case.STOPPED)


def test_the_sweep_ends_a_correction_left_unanswered(on):
    case, _ = case_in(Case.CORRECTION)
    on(case.corrections.get().due_date + dt.timedelta(days=1))
    assert services.case_clock_sweep().corrections_expired == 1
    case.refresh_from_db()
    assert case.status == Case.REFUSED  # before acceptance: 不予受理, national code 5
    assert case.history.get(act="expire_correction").code == 5


def test_recompute_rebuilds_the_dates_from_the_history(on):
    case, _ = case_in(Case.HANDLING)
    Case.objects.filter(pk=case.pk).update(due_date=dt.date(2000, 1, 1), warn_on=dt.date(2000, 1, 1))
    deadlines.case_clock_recompute(case_id=case.pk)
    case.refresh_from_db()
    assert (
        case.due_date == clock.case_deadlines(accepted_on=case.accepted_on, promised_days=case.promised_days).due_date
    )


def _officers(version):
    department = version.item.department
    return officer(department, "accept"), officer(department, "review")


def test_a_correction_left_unanswered_after_acceptance_ends_as_not_approved(on):
    case, crew = case_in(Case.HANDLING)
    services.case_correction_request(
        actor=crew.review,
        case_id=case.pk,
        items=[services.CorrectionItem(reason="缺页", material_id=case.materials.first().pk)],
    )
    on(case.corrections.get().due_date + dt.timedelta(days=1))
    services.case_clock_sweep()
    case.refresh_from_db()
    assert (case.status, case.decision, case.history.get(act="expire_correction").code) == (
        Case.NOT_APPROVED,
        "not_approved",
        13,
    )
