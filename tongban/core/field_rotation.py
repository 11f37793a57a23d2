"""Rotating the key that encrypts personal data at rest (core.field_crypto): a new key becomes the
active one at once (new writes use it), then a job rewrites every encrypted column of every model
under it, in primary-key batches, recording its progress on the FieldKeyRotation row. Old keys stay
in the key file to decrypt rows not yet rewritten. The job is idempotent: run again, it rewrites
again, and a stopped one is resumed by starting it anew."""

import logging

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from tongban.core.actors import BaseActor
from tongban.core.audit import audit_record
from tongban.core.background import task_start
from tongban.core.errors import Conflict
from tongban.core.field_crypto import EncryptedField, field_key_rotate
from tongban.core.models import FieldKeyRotation

log = logging.getLogger(__name__)
BATCH = 1000


def encrypted_columns() -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete model with encrypted fields, and those fields' names."""
    found = []
    for model in apps.get_models():
        names = [field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedField)]
        if names and not model._meta.proxy:
            found.append((model, names))
    return found


@transaction.atomic
def field_key_rotation_start(*, actor: BaseActor = None, background: bool | None = None) -> FieldKeyRotation:
    """Make a new key active and start rewriting every encrypted row under it."""
    if (
        FieldKeyRotation.objects.select_for_update()
        .filter(status__in=[FieldKeyRotation.PENDING, FieldKeyRotation.RUNNING])
        .exists()
    ):
        raise Conflict("上一次密钥轮换尚未完成，请等待其完成后再发起。", code="rotation_running")
    key_id = field_key_rotate()
    total = sum(model._default_manager.count() for model, _ in encrypted_columns())
    rotation = FieldKeyRotation.objects.create(
        key_id=key_id, total=total, started_by=actor.get_username() if actor is not None else "system"
    )
    audit_record(action="field_key.rotate", obj=rotation, actor=actor, detail={"key": key_id, "rows": total})
    run_in_background = settings.TONGBAN_FIELD_ROTATION_BACKGROUND if background is None else background
    transaction.on_commit(lambda: _dispatch(rotation.pk, run_in_background))
    return rotation


def _dispatch(rotation_id: int, background: bool) -> None:
    from tongban.core.tasks import field_reencrypt

    task_start(field_reencrypt, rotation_id, background=background)


def field_reencrypt(rotation_id: int) -> FieldKeyRotation:
    """Rewrite every encrypted column under the active key, batch by batch, counting as it goes."""
    rotation = FieldKeyRotation.objects.get(pk=rotation_id)
    if rotation.status == FieldKeyRotation.DONE:
        return rotation
    FieldKeyRotation.objects.filter(pk=rotation_id).update(status=FieldKeyRotation.RUNNING, done=0, error="")
    done = 0
    try:
        for model, names in encrypted_columns():
            done = _model_reencrypt(model, names, rotation_id, done)
    except Exception as error:
        log.exception("field key rotation failed", extra={"rotation": rotation_id})
        FieldKeyRotation.objects.filter(pk=rotation_id).update(status=FieldKeyRotation.FAILED, error=str(error)[:300])
        raise
    FieldKeyRotation.objects.filter(pk=rotation_id).update(
        status=FieldKeyRotation.DONE, done=done, finished_at=timezone.now()
    )
    return FieldKeyRotation.objects.get(pk=rotation_id)


def _model_reencrypt(model: type[models.Model], names: list[str], rotation_id: int, done: int) -> int:
    last_pk = None
    rows = model._default_manager.order_by("pk").only("pk", *names)
    while True:
        batch = list((rows if last_pk is None else rows.filter(pk__gt=last_pk))[:BATCH])
        if not batch:
            return done
        with transaction.atomic():
            # Read decrypted (under whichever key), written back encrypted under the active key.
            model._default_manager.bulk_update(batch, names)
        last_pk, done = batch[-1].pk, done + len(batch)
        FieldKeyRotation.objects.filter(pk=rotation_id).update(done=done)
