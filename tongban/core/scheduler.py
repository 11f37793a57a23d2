"""The embedded scheduler: in the default mode (no broker) `tongban serve` runs the periodic jobs
of CELERY_BEAT_SCHEDULE on a daemon thread, calling the same task code Celery beat would send.
One process per machine wins a file lock and runs them; the others stay quiet."""

import fcntl
import logging
import threading
import time
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)


def start_embedded_scheduler(lock_path: Path) -> threading.Thread | None:
    if settings.TONGBAN_BROKER_URL:
        return None  # Celery beat owns the schedule in production
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock_file = lock_path.open("w")
    try:
        fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock_file.close()
        return None
    thread = threading.Thread(target=_run_forever, args=(lock_file,), name="tongban-scheduler", daemon=True)
    thread.start()
    return thread


def _run_forever(lock_file) -> None:
    from tongban.config.celery import app

    jobs = {
        name: {"task": job["task"], "every": float(job["schedule"]), "next": 0.0}
        for name, job in settings.CELERY_BEAT_SCHEDULE.items()
    }
    while True:
        now = time.monotonic()
        for name, job in jobs.items():
            if now >= job["next"]:
                job["next"] = now + job["every"]
                try:
                    app.tasks[job["task"]].run()
                except Exception:  # a failing job must not stop the others; it is retried next tick
                    log.exception("periodic job failed", extra={"job": name})
        time.sleep(0.5)
