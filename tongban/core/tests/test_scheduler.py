import pytest

from tongban.core.audit import audit_record
from tongban.core.models import AuditEntry
from tongban.core.scheduler import periodic_jobs, run_due_jobs


@pytest.mark.django_db
def test_the_embedded_scheduler_runs_the_beat_schedule_in_process():
    audit_record(action="test.pending")  # in the test's transaction: unsealed until a sealer runs
    jobs = periodic_jobs()
    assert run_due_jobs(jobs, now=0.0) == list(jobs)  # every job is due when the scheduler starts
    assert {"audit-seal", "events-dispatch", "cases-clock-sweep"} <= set(jobs)
    assert AuditEntry.objects.get(action="test.pending").seq is not None
    assert run_due_jobs(jobs, now=0.1) == []  # not due again until its period has passed
    assert "audit-seal" in run_due_jobs(jobs, now=jobs["audit-seal"]["every"] + 0.1)
