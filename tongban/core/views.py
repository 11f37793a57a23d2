from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.http import HttpRequest, JsonResponse

from tongban.core.errors import TongbanError


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness: the database answers, and the task queue (broker or embedded)."""
    checks = {"database": _database_status(), "tasks": _task_queue_status()}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503)


def _database_status() -> dict[str, object]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "engine": connection.vendor}
    except Exception as error:  # report, never raise: this page exists to describe failures
        return {"ok": False, "engine": connection.vendor, "error": str(error)}


def _task_queue_status() -> dict[str, object]:
    if not settings.TONGBAN_BROKER_URL:
        return {"ok": True, "mode": "embedded"}
    from celery import current_app as app  # the project's app (tongban.config): core imports no config

    try:
        with app.connection_for_write(url=settings.TONGBAN_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "mode": "broker"}
    except Exception as error:
        return {"ok": False, "mode": "broker", "error": str(error)}


def act_with_message(request: HttpRequest, act: Callable[[], object], success: str) -> None:
    """Do a simple act from a button and say how it went in the page's messages: the success, or
    the service's refusal (a page's own form errors are its business)."""
    try:
        act()
    except TongbanError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
