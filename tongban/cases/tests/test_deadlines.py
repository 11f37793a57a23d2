"""Deadlines over a year whose schedule is not yet published: estimated and said so on every page
and in the API; publishing the schedule rebuilds them in a background job, tells the applicants
whose promise moved, and is in the audit chain."""

import datetime as dt

import pytest
from django.core.management import call_command

from tongban.cases import clock, deadlines
from tongban.cases.handlers import calendar_changed
from tongban.cases.models import Case, DeadlineRecomputation
from tongban.cases.tests.factories import case_in, case_item
from tongban.catalog.tests.factories import DEFAULT_STEPS
from tongban.core.calendar_services import calendar_import
from tongban.core.models import AuditEntry, OutboxEvent
from tongban.notifications.models import Notification

pytestmark = pytest.mark.django_db

YEAR_END = dt.date(2026, 12, 28)  # a Monday
SCHEDULE_2027 = ["2027-01-01,holiday,元旦", "2027-01-09,workday,元旦调休"]  # with a make-up Saturday
LONG_REVIEW = [{**step, "budget_days": 15} if step["post_code"] == "review" else step for step in DEFAULT_STEPS]


@pytest.fixture
def accepted_at_year_end(today_is):
    """A 20-working-day case accepted on 2026-12-28, in a 15-day review step."""
    today_is(YEAR_END)
    case, crew = case_in(Case.HANDLING, case_item(promised_limit_days=20, steps=LONG_REVIEW))
    return case, crew


def publish_2027(capture) -> None:
    with capture(execute=True):  # the listeners and the job run after commit, as in production
        report = calendar_import(lines=SCHEDULE_2027, source="国办发明电〔2026〕1号")
    assert report.accepted


def test_a_deadline_that_reaches_an_unpublished_year_is_an_estimate(accepted_at_year_end):
    case, _ = accepted_at_year_end
    # 12-29..31 (3), 元旦 off, then four full weeks (23) and Monday 01-25 (24)… the 20th is Tue 01-26.
    assert case.due_date == dt.date(2027, 1, 26)
    assert case.step_due_date == dt.date(2027, 1, 19)
    assert clock.case_provisional_years(case) == [2027]


def test_every_page_and_the_api_say_the_date_is_an_estimate(accepted_at_year_end, client):
    case, crew = accepted_at_year_end
    note = "预计 2027-01-26（2027年节假日安排公布后可能调整）"
    client.force_login(crew.review)
    assert note in client.get(f"/workbench/cases/{case.pk}/").content.decode()
    assert "预计 2027-01-19" in client.get(f"/workbench/cases/{case.pk}/").content.decode()
    assert note in client.get("/workbench/cases/?queue=review").content.decode()
    client.force_login(case.filed_by)
    assert (
        "预计 2027年1月26日（2027年节假日安排公布后可能调整）"
        in client.get(f"/me/cases/{case.number}/").content.decode()
    )
    assert note + "前" in client.get("/me/cases/").content.decode()
    detail = client.get(f"/api/v1/cases/{case.number}").json()
    assert detail["due_date_provisional"] is True
    assert detail["clock_detail"]["provisional_years"] == [2027]


def test_publishing_the_schedule_moves_the_promise_and_tells_the_applicant(
    accepted_at_year_end, today_is, django_capture_on_commit_callbacks, client
):
    case, crew = accepted_at_year_end
    today_is(dt.date(2026, 12, 30))
    publish_2027(django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert (case.due_date, case.step_due_date) == (dt.date(2027, 1, 25), dt.date(2027, 1, 18))
    assert clock.case_provisional_years(case) == []
    job = DeadlineRecomputation.objects.get()
    assert (job.status, job.years, job.total, job.processed, job.moved) == ("done", [2027], 1, 1, 1)
    notice = Notification.objects.get(recipient=case.filed_by, topic="case.deadline_moved")
    assert notice.title == "承诺办结日期已调整" and notice.case_number == case.number
    assert "由 2027-01-26 调整为 2027-01-25" in notice.body and "预计" not in notice.body
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert [action for action in actions if action.startswith(("calendar.", "cases.deadlines"))] == [
        "calendar.import",
        "cases.deadlines_recompute",
        "cases.deadlines_recomputed",
    ]
    client.force_login(crew.review)
    page = client.get(f"/workbench/cases/{case.pk}/").content.decode()
    assert "承诺办结日期 2027-01-25" in page and "预计" not in page


def test_the_inbox_shows_the_notice(accepted_at_year_end, django_capture_on_commit_callbacks, client):
    case, _ = accepted_at_year_end
    publish_2027(django_capture_on_commit_callbacks)
    client.force_login(case.filed_by)
    inbox = client.get("/me/inbox/").content.decode()
    assert "承诺办结日期已调整" in inbox and "调整为 2027-01-25" in inbox


def test_a_second_run_writes_nothing_and_tells_nobody_again(accepted_at_year_end, django_capture_on_commit_callbacks):
    publish_2027(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        again = deadlines.deadline_recomputation_start(years=[2027])
    again.refresh_from_db()
    assert (again.status, again.processed, again.moved) == ("done", 1, 0)
    assert Notification.objects.filter(topic="case.deadline_moved").count() == 1


def test_a_redelivered_event_starts_no_second_job(accepted_at_year_end, django_capture_on_commit_callbacks):
    publish_2027(django_capture_on_commit_callbacks)
    event = OutboxEvent.objects.get(topic="calendar.changed")
    with django_capture_on_commit_callbacks(execute=True):
        calendar_changed(event)
    assert DeadlineRecomputation.objects.count() == 1
    assert AuditEntry.objects.filter(action="cases.deadlines_recompute").count() == 1


def test_a_run_that_stopped_half_way_takes_up_after_the_last_chunk(today_is, monkeypatch):
    today_is(YEAR_END)
    version = case_item(promised_limit_days=20)
    first, crew = case_in(Case.HANDLING, version)
    second, _ = case_in(Case.HANDLING, version, crew)
    calendar_import(lines=SCHEDULE_2027, source="国办发明电〔2026〕1号")  # listeners not run: no commit
    monkeypatch.setattr(deadlines, "CHUNK", 1)
    job = DeadlineRecomputation.objects.create(years=[2027], status="running", total=2, processed=1)
    job.after_case_id = first.pk  # the first chunk was done before the worker stopped
    job.save()
    deadlines.deadline_recomputation_run(job.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.due_date == dt.date(2027, 1, 26)  # not touched again
    assert second.due_date == dt.date(2027, 1, 25)
    job.refresh_from_db()
    assert (job.status, job.processed, job.moved) == ("done", 2, 1)


def test_only_open_cases_whose_deadlines_reach_the_year_are_rebuilt(today_is, django_capture_on_commit_callbacks):
    today_is(dt.date(2026, 12, 14))
    short = case_item(promised_limit_days=5, steps=[{**step, "budget_days": 1} for step in DEFAULT_STEPS])
    case_in(Case.HANDLING, short)  # due 12-21: before 2027
    reaching, _ = case_in(Case.HANDLING, case_item(promised_limit_days=20))
    ended, _ = case_in(Case.DELIVERED, case_item(promised_limit_days=20))
    publish_2027(django_capture_on_commit_callbacks)
    job = DeadlineRecomputation.objects.get()
    assert (job.total, job.processed) == (1, 1)
    ended_due = ended.due_date
    ended.refresh_from_db()
    assert ended.due_date == ended_due
    reaching.refresh_from_db()
    assert clock.case_provisional_years(reaching) == []


def test_a_stopped_clock_stays_stopped_and_its_paused_days_follow_the_schedule(
    today_is, django_capture_on_commit_callbacks
):
    today_is(YEAR_END)
    version = case_item(promised_limit_days=20)
    case, crew = case_in(Case.SPECIAL, version)  # 现场核查 since 12-28
    from tongban.cases import services

    today_is(dt.date(2027, 1, 11))
    services.case_special_end(actor=crew.review, case_id=case.pk, result="核查属实")
    case.refresh_from_db()
    # Paused (12-28, 01-11]: 12-29..31 (3), 01-04..08 (5), 01-11 (1) = 9 provisional working days.
    assert case.paused_days == 9
    publish_2027(django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.paused_days == 10  # the make-up Saturday 01-09 was a working day in the pause
    assert case.clock in (Case.GREEN, Case.YELLOW)


def test_the_command_rebuilds_on_demand(accepted_at_year_end, capsys):
    case, _ = accepted_at_year_end
    calendar_import(lines=SCHEDULE_2027, source="国办发明电〔2026〕1号")
    call_command("cases", "recompute", "--year", "2027")
    assert "已重算 1 件在办件的期限（2027年" in capsys.readouterr().out
    case.refresh_from_db()
    assert case.due_date == dt.date(2027, 1, 25)


def test_the_acceptance_notice_says_the_date_may_move(accepted_at_year_end, django_capture_on_commit_callbacks):
    from tongban.cases import documents

    case, _ = accepted_at_year_end
    notice = documents.document_html(case, "receipt")
    assert "预计于2027年1月26日前办结（2027年节假日安排尚未公布，公布后可能调整）" in notice
    publish_2027(django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert "预计于2027年1月25日前办结。" in documents.document_html(case, "receipt")
