"""The demo cases: every state through the real services, three months of history, the named
log-ins' work, clocks of every colour; and the bulk loader's synthetic cases."""

import datetime as dt
import re

import pytest
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from tongban.accounts.models import User
from tongban.cases import bulk, clock, selectors, services
from tongban.cases.models import Case, CaseCorrection, CaseCounter, CaseFile, CaseMetrics, CaseStatus
from tongban.demo.cases import bulk_context, case_bundles, cases_build
from tongban.demo.city import Scale, city_build

pytestmark = pytest.mark.django_db

TEST_SCALE = Scale(persons=200, legal_persons=20)
DEMO_COUNT = 60


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """One small city with its demo cases for the whole module, rolled back at its end."""
    from django.conf import settings

    media, settings.MEDIA_ROOT = settings.MEDIA_ROOT, tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), transaction.atomic():
        city_build(scale=TEST_SCALE, say=lambda line: None)
        built = cases_build(count=DEMO_COUNT, say=lambda line: None)
        yield built
        transaction.set_rollback(True)
    settings.MEDIA_ROOT = media


def test_every_state_of_the_workflow_is_there(demo):
    assert demo == DEMO_COUNT == Case.objects.count()
    assert set(Case.objects.values_list("status", flat=True)) == {status for status, _ in Case.STATUSES}
    assert Case.objects.filter(claimed_by__isnull=False).exists()
    assert Case.objects.exclude(owed_material="").exists()


def test_the_citizen_has_cases_in_many_states_with_a_correction_waiting_and_a_completed_one(demo):
    citizen = User.objects.get(username="citizen")
    mine = Case.objects.filter(filed_by=citizen)
    assert {"draft", "received", "handling", "correction", "completed", "delivered"} <= set(
        mine.values_list("status", flat=True)
    )
    waiting = mine.get(status=Case.CORRECTION)
    assert "answer_correction" in selectors.acts_allowed(actor=citizen, case=waiting)
    assert waiting.corrections.get().due_date >= timezone.localdate()
    completed = mine.get(status=Case.COMPLETED)
    assert completed.result_name and completed.result_reference
    assert CaseFile.objects.filter(case=completed).count() >= 1
    assert selectors.cases_of_applicant(actor=citizen).paginator.count == mine.exclude(status=Case.DRAFT).count()


@pytest.mark.parametrize(("username", "queue"), [("clerk", "accept"), ("reviewer", "review"), ("approver", "approve")])
def test_the_staff_logins_find_work_in_their_queue(demo, username, queue):
    user = User.objects.get(username=username)
    counts = {row["code"]: row for row in selectors.queues_for(user)}
    assert counts[queue]["mine"] and counts[queue]["count"] > 0
    page = selectors.queue_page(actor=user, query=selectors.QueueQuery(queue=queue))
    assert page.object_list and all(case.queue == queue for case in page.object_list)


def test_history_spreads_over_the_last_ninety_days_in_order_and_never_in_the_future(demo):
    now, today = timezone.now(), timezone.localdate()
    submitted = Case.objects.exclude(submitted_at=None).values_list("submitted_at", flat=True)
    assert min(submitted) < now - dt.timedelta(days=45)
    assert min(submitted) >= now - dt.timedelta(days=95)
    assert not CaseStatus.objects.filter(created_at__gt=now).exists()
    for case in Case.objects.prefetch_related("history"):
        moments = [row.created_at for row in case.history.all()]
        assert moments == sorted(moments), case.number
        if case.submitted_at:
            assert moments[0] == case.submitted_at
        if case.accepted_on:
            assert case.accepted_on >= timezone.localtime(case.submitted_at).date()
            assert case.accepted_on < today or case.queue != "done"
    assert CaseMetrics.objects.filter(ended_on__lt=today - dt.timedelta(days=14)).exists()


def test_deadlines_follow_the_calculator_and_some_clocks_are_yellow_or_red(demo):
    today = timezone.localdate()
    running = Case.objects.filter(clock__in=[Case.GREEN, Case.YELLOW, Case.RED])
    for case in running:
        deadlines = clock.case_deadlines(
            accepted_on=case.accepted_on, promised_days=case.promised_days, paused_days=case.paused_days
        )
        assert (case.due_date, case.warn_on) == (deadlines.due_date, deadlines.warn_on)
        assert case.clock == clock.clock_colour(today=today, due_date=case.due_date, warn_on=case.warn_on)
    colours = dict(running.values_list("clock").annotate(n=Count("id")).values_list("clock", "n"))
    assert colours.get(Case.YELLOW, 0) > 0 and colours.get(Case.RED, 0) > 0
    assert Case.objects.filter(clock=Case.PAUSED).exclude(paused_since=None).exists()


def test_the_clock_sweep_finds_nothing_to_change_right_after_the_build(demo):
    report = services.case_clock_sweep()
    assert (report.turned_red, report.turned_yellow, report.corrections_expired, report.owed_expired) == (0, 0, 0, 0)


def test_a_correction_notice_and_its_reupload_follow_the_moved_history(demo):
    for correction in CaseCorrection.objects.exclude(answered_on=None).select_related("case"):
        asked = correction.case.history.get(act="request_correction").created_at
        assert correction.requested_at == asked and correction.requested_on == timezone.localtime(asked).date()
        later = CaseFile.objects.filter(case=correction.case, uploaded_at__gt=asked)
        answered = correction.case.history.get(act="answer_correction").created_at
        assert all(f.uploaded_at < answered for f in later)


def test_bulk_cases_get_consistent_numbers_history_and_counters(demo):
    before = Case.objects.count()
    context = bulk_context(sweep_lag_days=3)

    loaded = bulk.case_bulk_create(case_bundles(context, count=400, open_share=0.5), batch_size=150, defer_indexes=True)

    assert loaded == 400 and Case.objects.count() == before + 400
    cases = Case.objects.order_by("-id")[:400]
    numbers = [case.number for case in cases]
    assert len(set(numbers)) == 400
    for case in cases:
        day = timezone.localtime(case.submitted_at).strftime("%Y%m%d")
        assert re.fullmatch(rf"{case.region_code}{day}{case.item_id % 1_000_000:06d}\d{{4}}", case.number)
        assert case.queue == (
            "done" if case.status in ("delivered", "not_approved", "refused", "withdrawn", "revoked") else case.queue
        )
    assert not Case.objects.annotate(rows=Count("history")).filter(rows=0, status__in=["received", "handling"]).exists()
    assert CaseStatus.objects.filter(case__in=cases, code=1).count() == 400
    assert CaseMetrics.objects.filter(case__in=cases).count() == sum(1 for c in cases if c.queue == "done")
    assert 0.35 < sum(1 for c in cases if c.is_open) / 400 < 0.65
    highest = {}
    for number in numbers:
        highest[number[:-4]] = max(highest.get(number[:-4], 0), int(number[-4:]))
    counters = dict(CaseCounter.objects.filter(key__in=highest).values_list("key", "value"))
    assert all(counters[key] >= value for key, value in highest.items())
    assert Case.objects.aggregate(last=Max("id"))["last"] == cases[0].pk
    with connection.cursor() as cursor:  # the indexes dropped for the load are back
        indexes = connection.introspection.get_constraints(cursor, Case._meta.db_table)
    assert {"case_due_idx", "case_warn_idx", "case_office_queue_idx", "case_person_idx"} <= set(indexes)


def test_the_sweep_brings_bulk_clocks_up_to_today(demo):
    bulk.case_bulk_create(case_bundles(bulk_context(sweep_lag_days=5), count=300, open_share=1.0, seed="sweep"))
    services.case_clock_sweep()
    today = timezone.localdate()
    for case in Case.objects.filter(clock__in=[Case.GREEN, Case.YELLOW, Case.RED]):
        assert case.clock == clock.clock_colour(today=today, due_date=case.due_date, warn_on=case.warn_on)
