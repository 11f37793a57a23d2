from celery import shared_task

from tongban.cases import deadlines
from tongban.cases.services import case_clock_sweep


@shared_task(name="tongban.cases.tasks.clock_sweep")
def clock_sweep() -> dict:
    return case_clock_sweep().__dict__


@shared_task(name="tongban.cases.tasks.deadlines_recompute")
def deadlines_recompute(job_id: int) -> dict:
    job = deadlines.deadline_recomputation_run(job_id)
    return {"job": job.pk, "processed": job.processed, "moved": job.moved}
