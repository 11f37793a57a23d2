"""gunicorn settings for `tongban serve`: threads for slow clients, the embedded scheduler in
exactly one worker when no broker is configured."""

threads = 4
worker_class = "gthread"
timeout = 60
accesslog = "-"
access_log_format = '{"remote": "%(h)s", "request": "%(r)s", "status": %(s)s, "bytes": "%(b)s", "ms": %(M)s}'


def post_worker_init(worker):
    from django.conf import settings

    from tongban.catalog.search import search_warm_up
    from tongban.core.scheduler import start_embedded_scheduler

    search_warm_up()
    start_embedded_scheduler(settings.VAR_DIR / "scheduler.lock")
