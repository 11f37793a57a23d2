"""Checkpoints of the audit chain, kept where the database cannot reach them.

The chain's head lives in the same database as the chain, so whoever can rewrite the table can
rewind the head too. Every TONGBAN_AUDIT_CHECKPOINT_SECONDS the periodic job signs the head's
sequence number and hash with the platform's SM2 key and appends it to a file store outside the
database (TONGBAN_AUDIT_CHECKPOINT_DIR: a mount the database host cannot write, in production
write-once object storage). `audit_verify` then requires the chain to still hold the latest
checkpoint's entry with its hash: a tail cut and rewound, a table emptied, an entry rewritten and
resealed all fail. What was sealed after the latest checkpoint (at most one period) is the
residual window.

The key file holds the private key (TONGBAN_AUDIT_KEY_FILE, created on first use, mode 0600);
pin the public key in TONGBAN_AUDIT_PUBLIC_KEY so a replaced key file cannot vouch for forged
checkpoints.
"""

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from tongban.core.models import AuditChainHead
from tongban.core.sm2 import sm2_keypair, sm2_sign, sm2_valid


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str  # ISO time the checkpoint was taken
    signature: str  # hex SM2 signature of `message`

    @property
    def message(self) -> bytes:
        return f"tongban-audit-checkpoint|{self.seq}|{self.hash}|{self.at}".encode()


def audit_checkpoint() -> Checkpoint | None:
    """Sign and store the chain's head, unless the latest checkpoint already holds it."""
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None or head.seq == 0:
        return None
    latest = checkpoint_latest()
    if latest is not None and (latest.seq, latest.hash) == (head.seq, head.hash):
        return None
    private, _ = _keypair()
    unsigned = Checkpoint(seq=head.seq, hash=head.hash, at=timezone.now().isoformat(), signature="")
    checkpoint = Checkpoint(**{**asdict(unsigned), "signature": sm2_sign(private, unsigned.message).hex()})
    _append(checkpoint)
    return checkpoint


def checkpoint_latest() -> Checkpoint | None:
    """The newest stored checkpoint: the last line of the newest month's file, read from its end
    (a month at one a minute is some 40,000 lines, and the periodic job asks every period)."""
    for path in sorted(_store().glob("checkpoints-*.jsonl"), reverse=True):
        line = _last_line(path)
        if line:
            try:
                return Checkpoint(**json.loads(line))
            except (TypeError, ValueError):
                return Checkpoint(seq=0, hash="", at="", signature="")  # unreadable: fails its signature
    return None


def _last_line(path: Path, block: int = 4096) -> str:
    with path.open("rb") as file:
        end = file.seek(0, os.SEEK_END)
        tail = b""
        while end > 0 and tail.rstrip(b"\n").count(b"\n") == 0:
            start = max(0, end - block)
            file.seek(start)
            tail = file.read(end - start) + tail
            end = start
    lines = tail.rstrip(b"\n").split(b"\n")
    return lines[-1].decode("utf-8", errors="replace").strip()


def checkpoint_signed(checkpoint: Checkpoint) -> bool:
    try:
        signature = bytes.fromhex(checkpoint.signature)
    except ValueError:
        return False
    return sm2_valid(_public_key(), checkpoint.message, signature)


def _append(checkpoint: Checkpoint) -> None:
    store = _store()
    store.mkdir(parents=True, exist_ok=True)
    path = store / f"checkpoints-{timezone.localdate():%Y-%m}.jsonl"
    with path.open("a", encoding="utf-8") as file:
        file.write(json.dumps(asdict(checkpoint), ensure_ascii=False) + "\n")
        file.flush()
        os.fsync(file.fileno())


def _store() -> Path:
    return Path(settings.TONGBAN_AUDIT_CHECKPOINT_DIR)


def _keypair() -> tuple[bytes, bytes]:
    path = Path(settings.TONGBAN_AUDIT_KEY_FILE)
    if not path.exists():
        private, public = sm2_keypair()
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            json.dump({"algorithm": "sm2", "private": private.hex(), "public": public.hex()}, file)
    stored = json.loads(path.read_text())
    return bytes.fromhex(stored["private"]), bytes.fromhex(stored["public"])


def _public_key() -> bytes:
    pinned = settings.TONGBAN_AUDIT_PUBLIC_KEY.strip()
    return bytes.fromhex(pinned) if pinned else _keypair()[1]
