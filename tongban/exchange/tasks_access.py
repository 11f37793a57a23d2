"""Periodic job of access governance. Not named tasks.py (another part of the exchange owns that
module), so settings list it in CELERY_IMPORTS: Celery workers and the embedded scheduler (which
loads the default modules of the Celery app) both register it."""

from celery import shared_task

from tongban.exchange.access import access_overdue_flag


@shared_task(name="tongban.exchange.tasks_access.access_overdue_sweep")
def access_overdue_sweep() -> dict:
    return {"flagged": access_overdue_flag()}
