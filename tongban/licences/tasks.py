"""Background work of licences: the expiry sweep, and the runs of imports of historical licences
with the sweep that recovers batches a stopped worker left behind. A batch starts like a registry
import (tongban.core.background): on a Celery worker with a broker, else on a daemon thread of
the web process (TONGBAN_LICENCE_IMPORT_BACKGROUND=False runs it inline, as the tests do). The run
is idempotent: it runs a batch only while the batch is pending. The run issues each row with
services.licence_import_row, handed over here: imports never imports services."""

from celery import shared_task
from django.conf import settings

from tongban.core.background import task_start
from tongban.licences import imports, services


@shared_task(name="tongban.licences.tasks.expiry_sweep")
def expiry_sweep() -> dict:
    return services.licence_expiry_sweep().__dict__


@shared_task(name="tongban.licences.tasks.import_run")
def import_run(batch_id: int) -> str:
    return imports.licence_import_run(batch_id, issue_row=services.licence_import_row)


@shared_task(name="tongban.licences.tasks.imports_sweep")
def imports_sweep() -> dict:
    return imports.licence_imports_sweep(dispatch=import_dispatch)


def import_dispatch(batch_id: int) -> None:
    """Start a batch: on a worker with a broker, else on a thread (or inline when so configured)."""
    task_start(import_run, batch_id, background=settings.TONGBAN_LICENCE_IMPORT_BACKGROUND)
