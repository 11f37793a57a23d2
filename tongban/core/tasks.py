from celery import shared_task

from tongban.core.audit import audit_seal as seal_pending_entries
from tongban.core.audit_checkpoints import audit_checkpoint as checkpoint_the_head
from tongban.core.events import events_dispatch as dispatch_pending_events
from tongban.core.field_rotation import field_reencrypt as reencrypt_under_the_active_key


@shared_task(name="tongban.core.tasks.audit_seal")
def audit_seal() -> int:
    return seal_pending_entries()


@shared_task(name="tongban.core.tasks.audit_checkpoint")
def audit_checkpoint() -> int:
    """Seal what is pending, then sign and store the head outside the database."""
    seal_pending_entries()
    checkpoint = checkpoint_the_head()
    return checkpoint.seq if checkpoint else 0


@shared_task(name="tongban.core.tasks.events_dispatch")
def events_dispatch() -> int:
    return dispatch_pending_events()


@shared_task(name="tongban.core.tasks.field_reencrypt")
def field_reencrypt(rotation_id: int) -> int:
    """Rewrite every encrypted column under the key of this rotation (core.field_rotation)."""
    return reencrypt_under_the_active_key(rotation_id).done
