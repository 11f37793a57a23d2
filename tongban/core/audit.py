"""The tamper-evident audit chain ("把权力关进技术的笼子").

`audit_record` appends an entry inside the caller's transaction, so the change and its record
commit together or not at all. Entries are linked into the hash chain afterwards by `audit_seal`,
one sealer at a time, in the order they become visible: writers never queue on the chain's head,
as message logs are batch-sealed in national data-exchange layers. `audit_verify` walks the chain
and names the first entry that was edited, deleted or moved, and holds the chain to the latest
signed checkpoint kept outside the database (audit_checkpoints), so its tail cannot vanish.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from tongban.core import context
from tongban.core.actors import BaseActor
from tongban.core.audit_checkpoints import (
    Checkpoint,
    WitnessUnavailable,
    checkpoint_latest,
    checkpoint_signed,
    checkpoint_witnessed,
)
from tongban.core.commit import on_commit_once
from tongban.core.models import AuditChainHead, AuditEntry, char_max_length

GENESIS_HASH = "0" * 64
WITNESS_ASKED, WITNESS_UNAVAILABLE = "asked", "unavailable"
OUTCOME_MAX = char_max_length(AuditEntry, "outcome")
ACTION_MAX = char_max_length(AuditEntry, "action")
SEAL_BATCH = 2000


def audit_record(
    *,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    outcome: str = "success",
    detail: dict[str, Any] | None = None,
    actor: BaseActor = None,
    acting_for: str = "",
    region_code: str = "",
) -> AuditEntry:
    """Append an audit entry in the current transaction. The actor and address default to the
    request's (core.context); pass `actor` where the act is not the logged-in user's own."""
    request = context.current()
    if len(outcome) > OUTCOME_MAX or len(action) > ACTION_MAX:  # SQLite would keep it; PostgreSQL fails the act
        raise ValueError(f"audit action or outcome too long: {action!r}, {outcome!r}")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    entry = AuditEntry.objects.create(
        actor_id=actor.pk if actor is not None else request.actor_id,
        actor_label=actor.get_username() if actor is not None else request.actor_label,
        acting_for=acting_for,
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        detail=detail or {},
        ip=request.ip,
        region_code=region_code,
    )
    on_commit_once(_request_seal)
    return entry


def _request_seal() -> None:
    # With a broker, the periodic task seals; embedded, seal now unless another sealer is busy.
    if settings.TONGBAN_BROKER_URL:
        return
    audit_seal(wait=False)


def entry_digest(entry: AuditEntry, seq: int, prev_hash: str) -> str:
    """The hash of one entry: its sequence, its predecessor's hash and every recorded field."""
    created = entry.created_at.astimezone(dt.UTC).isoformat()
    payload = [
        seq,
        prev_hash,
        created,
        entry.actor_id,
        entry.actor_label,
        entry.acting_for,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.outcome,
        entry.detail,
        entry.ip,
        entry.region_code,
    ]
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.new(settings.TONGBAN_AUDIT_HASH, canonical.encode()).hexdigest()


def audit_seal(*, wait: bool = True) -> int:
    """Link every committed, unsealed entry into the chain; returns how many were sealed.
    With `wait=False` it returns 0 at once when another sealer holds the head."""
    sealed = 0
    while True:
        batch = _seal_batch(wait=wait)
        if not batch:
            return sealed
        sealed += batch


def _seal_batch(*, wait: bool) -> int:
    with transaction.atomic():
        head = _lock_head(wait=wait)
        if head is None:
            return 0
        pending = list(AuditEntry.objects.filter(seq__isnull=True).order_by("id")[:SEAL_BATCH])
        for entry in pending:
            entry.seq = head.seq + 1
            entry.prev_hash = head.hash or GENESIS_HASH
            entry.hash = entry_digest(entry, entry.seq, entry.prev_hash)
            head.seq, head.hash = entry.seq, entry.hash
        if pending:
            # One UPDATE per row, pipelined by psycopg: bulk_update's CASE expressions cost ~1 ms an entry
            # in Python and held the sealer below the write rate it has to keep up with.
            with connection.cursor() as cursor:
                cursor.executemany(
                    _SEAL_UPDATE_SQL.format(table=connection.ops.quote_name(AuditEntry._meta.db_table)),
                    [(entry.seq, entry.prev_hash, entry.hash, entry.id) for entry in pending],
                )
            head.sealed_at = timezone.now()
            head.save(update_fields=["seq", "hash", "sealed_at"])
        return len(pending)


_SEAL_UPDATE_SQL = "UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s"


def _lock_head(*, wait: bool) -> AuditChainHead | None:
    AuditChainHead.objects.get_or_create(pk=1)
    heads = AuditChainHead.objects.select_for_update(skip_locked=not wait).filter(pk=1)
    return heads.first()


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    unsealed: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""
    checkpoint: Checkpoint | None = None  # the latest, which the chain still holds
    witness: str = ""  # WITNESS_ASKED, WITNESS_UNAVAILABLE, or "" when no witness is configured


def audit_verify() -> ChainReport:
    """Walk the chain in sequence order; stop at the first entry whose place or content changed."""
    # The head is read before the walk: a sealer running meanwhile only appends beyond it, and those
    # entries are checked as links. Read after the walk, it would report a live chain as truncated.
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, "")
    checkpoints, witness = _checkpoints_to_hold()
    for checkpoint in checkpoints:
        if not checkpoint_signed(checkpoint):
            return _broken(0, checkpoint.seq, None, "检查点的签名无效：检查点被伪造或改动，或公钥不符", witness)
    held: dict[int, AuditEntry | None] = {checkpoint.seq: None for checkpoint in checkpoints}
    expected_seq, prev_hash, checked, at_head = 1, GENESIS_HASH, 0, None
    entry: AuditEntry | None
    for entry in _sealed_entries():
        if entry.seq != expected_seq:
            return _broken(
                checked, expected_seq, entry.id, f"链序号应为{expected_seq}，实为{entry.seq}：其间的记录被删除或调换"
            )
        if entry.prev_hash != prev_hash:
            return _broken(checked, entry.seq, entry.id, "前一哈希与上一条记录不符：记录被删除、调换或改动")
        if entry.hash != entry_digest(entry, entry.seq, entry.prev_hash):
            return _broken(checked, entry.seq, entry.id, "内容与哈希不符：记录被改动")
        prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
        if entry.seq == head_seq:
            at_head = entry
        if entry.seq in held:
            held[entry.seq] = entry
    for checkpoint in checkpoints:
        entry = held[checkpoint.seq]
        if entry is None:
            return _broken(
                checked,
                checked + 1,
                None,
                f"检查点（{checkpoint.at[:19]}）记录到第{checkpoint.seq}条，链中只有{checked}条：链尾被截断或清空",
                witness,
            )
        if entry.hash != checkpoint.hash:
            return _broken(
                checked,
                checkpoint.seq,
                entry.id,
                f"第{checkpoint.seq}条的哈希与检查点不符：链被改写后重新封存",
                witness,
            )
    if checked < head_seq:
        return _broken(checked, checked + 1, None, f"链头记录到第{head_seq}条，实际只有{checked}条：链尾记录被删除")
    if at_head is not None and at_head.hash != head_hash:
        return _broken(checked, head_seq, at_head.id, f"第{head_seq}条的哈希与链头记录不符：链尾记录被改写")
    if head is None and checked and not AuditChainHead.objects.filter(pk=1).exists():
        return _broken(checked, checked + 1, None, "链头记录缺失：无法确认链尾是否被删除")
    latest = max(checkpoints, key=lambda checkpoint: checkpoint.seq, default=None)
    return ChainReport(ok=True, checked=checked, unsealed=_unsealed_count(), checkpoint=latest, witness=witness)


def _checkpoints_to_hold() -> tuple[list[Checkpoint], str]:
    """The latest local checkpoint and, when a witness is configured, the latest witnessed one: the
    chain must hold both. The second value says how the witness answered ("" when there is none)."""
    local = [checkpoint for checkpoint in [checkpoint_latest()] if checkpoint is not None]
    if not settings.TONGBAN_AUDIT_WITNESS_URL:
        return local, ""
    try:
        witnessed = checkpoint_witnessed()
    except WitnessUnavailable:
        return local, WITNESS_UNAVAILABLE
    return local + ([witnessed] if witnessed is not None else []), WITNESS_ASKED


def _broken(checked: int, seq: int, entry_id: int | None, reason: str, witness: str = "") -> ChainReport:
    return ChainReport(
        ok=False,
        checked=checked,
        unsealed=_unsealed_count(),
        broken_seq=seq,
        broken_id=entry_id,
        reason=reason,
        witness=witness,
    )


def _sealed_entries() -> Iterator[AuditEntry]:
    return AuditEntry.objects.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=5000)


def _unsealed_count() -> int:
    return AuditEntry.objects.filter(seq__isnull=True).count()
