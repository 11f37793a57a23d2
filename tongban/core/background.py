"""Starting a background job the same way in every context: on a Celery worker when a broker is
configured (production); else, in the embedded mode where no worker runs, on a daemon thread of
this process so that the request returns at once and the page polls the progress as it would in
production; or inline when the caller's `background` setting is off (the tests). The task itself
must be idempotent: a broker may deliver it twice."""

import threading

from celery import Task
from django.conf import settings
from django.db import connections


def task_start(task: Task[..., object], *args: object, background: bool) -> None:
    if settings.TONGBAN_BROKER_URL:
        task.delay(*args)
    elif background:
        name = f"tongban-{task.name.rsplit('.', 1)[-1]}-{'-'.join(map(str, args))}"
        threading.Thread(target=_run_in_thread, args=(task, args), name=name, daemon=True).start()
    else:
        task.run(*args)


def _run_in_thread(task: Task[..., object], args: tuple[object, ...]) -> None:
    try:
        task.run(*args)
    finally:
        connections.close_all()  # this thread's own connections
