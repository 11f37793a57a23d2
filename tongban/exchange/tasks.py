"""Background work of the registries: running import batches, and a sweep that recovers batches
a stopped worker left behind.

With a broker (production) a batch runs on a Celery worker. In the embedded mode there is no
worker: the batch runs on a daemon thread of the web process, so the upload returns at once and
the page polls the progress like it would in production (TONGBAN_EXCHANGE_IMPORT_BACKGROUND=False
runs it inline, as the tests do). Either way the task is idempotent: it runs a batch only while
the batch is pending.
"""

from celery import shared_task
from django.conf import settings

from tongban.core.background import task_start
from tongban.exchange import imports


@shared_task(name="tongban.exchange.tasks.import_run")
def import_run(batch_id: int) -> str:
    return imports.batch_run(batch_id)


@shared_task(name="tongban.exchange.tasks.imports_sweep")
def imports_sweep() -> dict:
    return imports.batches_sweep(dispatch=import_dispatch)


def import_dispatch(batch_id: int) -> None:
    """Start a batch: on a worker with a broker, else on a thread (or inline when so configured)."""
    task_start(import_run, batch_id, background=settings.TONGBAN_EXCHANGE_IMPORT_BACKGROUND)
