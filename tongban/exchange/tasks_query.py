"""Periodic jobs of the query interface."""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from tongban.exchange.models import CallLog

PRUNE_CHUNK = 10_000


@shared_task(name="tongban.exchange.tasks_query.calllog_prune")
def calllog_prune() -> dict:
    """Delete call-log rows older than the retention (3 years by default: personal-information
    processing records, PIPL). Deleted in chunks so a first run over years of rows does not hold
    one huge transaction; idempotent, so running it twice does no harm."""
    cutoff = _years_before(timezone.now(), settings.TONGBAN_EXCHANGE_LOG_YEARS)
    deleted = 0
    while True:
        ids = list(CallLog.objects.filter(called_at__lt=cutoff).values_list("pk", flat=True)[:PRUNE_CHUNK])
        if not ids:
            return {"deleted": deleted}
        deleted += CallLog.objects.filter(pk__in=ids).delete()[0]


def _years_before(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)
