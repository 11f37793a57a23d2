from celery import shared_task

from tongban.core.audit import audit_seal as seal_pending_entries


@shared_task(name="tongban.core.tasks.audit_seal")
def audit_seal() -> int:
    return seal_pending_entries()
