"""The embedded scheduler: in the default mode (no broker) `tongban serve` runs the periodic jobs
of CELERY_BEAT_SCHEDULE on a daemon thread, calling the same task code Celery beat would send.
One process per machine wins a file lock and runs them; the others stay quiet."""

import fcntl
import logging
import threading
import time
from functools import cache
from pathlib import Path
from typing import IO, Any, TypedDict

from django.conf import settings

log = logging.getLogger(__name__)


class Job(TypedDict):
    task: str  # the Celery task's name
    every: float  # seconds between runs
    next: float  # monotonic time of the next run


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


def periodic_jobs() -> dict[str, Job]:
    """The beat schedule as jobs with their period and next run (monotonic seconds)."""
    schedule: dict[str, dict[str, Any]] = settings.CELERY_BEAT_SCHEDULE
    return {name: {"task": job["task"], "every": float(job["schedule"]), "next": 0.0} for name, job in schedule.items()}


@cache
def _task_registry() -> Any:  # celery's TaskRegistry; celery has no types
    from celery import current_app as app  # the project's app (tongban.config): core imports no config

    app.loader.import_default_modules()  # registers the tasks modules of every installed app, once
    return app.tasks


def run_due_jobs(jobs: dict[str, Job], now: float) -> list[str]:
    """Run every job whose time has come, in-process; returns the names of the jobs run."""
    tasks = _task_registry()
    ran = []
    for name, job in jobs.items():
        if now < job["next"]:
            continue
        job["next"] = now + job["every"]
        ran.append(name)
        try:
            tasks[job["task"]].run()
        except Exception:  # a failing job must not stop the others; it is retried next period
            log.exception("periodic job failed", extra={"job": name})
    return ran


def _run_forever(lock_file: IO[str]) -> None:
    jobs = periodic_jobs()
    while True:
        run_due_jobs(jobs, time.monotonic())
        time.sleep(0.5)
