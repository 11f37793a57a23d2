from celery import shared_task

from tongban.core.audit import audit_seal as seal_pending_entries
from tongban.core.events import events_dispatch as dispatch_pending_events


@shared_task(name="tongban.core.tasks.audit_seal")
def audit_seal() -> int:
    return seal_pending_entries()


@shared_task(name="tongban.core.tasks.events_dispatch")
def events_dispatch() -> int:
    return dispatch_pending_events()
