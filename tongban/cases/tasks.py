from celery import shared_task

from tongban.cases.services import case_clock_sweep


@shared_task(name="tongban.cases.tasks.clock_sweep")
def clock_sweep() -> dict:
    return case_clock_sweep().__dict__
