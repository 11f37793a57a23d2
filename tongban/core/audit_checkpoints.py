"""Checkpoints of the audit chain, kept where the database cannot reach them.

The chain's head lives in the same database as the chain, so whoever can rewrite the table can
rewind the head too. Every TONGBAN_AUDIT_CHECKPOINT_SECONDS the periodic job signs the head's
sequence number and hash with the platform's SM2 key and appends it to a file store outside the
database (TONGBAN_AUDIT_CHECKPOINT_DIR: a mount the database host cannot write, in production
write-once object storage). `audit_verify` then requires the chain to still hold the latest
checkpoint's entry with its hash: a tail cut and rewound, a table emptied, an entry rewritten and
resealed all fail. What was sealed after the latest checkpoint (at most one period) is the
residual window.

With TONGBAN_AUDIT_WITNESS_URL set, every new checkpoint is also handed to an external witness
(such as the supervision system), and `verify` holds the chain to the later of the local and the
witnessed checkpoint: losing or rolling back the local store then hides nothing the witness saw.
The protocol: `POST {url}/checkpoints` with the checkpoint as JSON and a bearer token; `GET
{url}/checkpoints/latest?source=…` answers the latest the witness holds (404 when none).

The key file holds the private key (TONGBAN_AUDIT_KEY_FILE, created on first use, mode 0600);
pin the public key in TONGBAN_AUDIT_PUBLIC_KEY so a replaced key file cannot vouch for forged
checkpoints.
"""

import json
import logging
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from tongban.core.models import AuditChainHead
from tongban.core.sm2 import sm2_keypair, sm2_sign, sm2_valid

log = logging.getLogger(__name__)
WITNESSED_FILE = "witnessed.json"  # the latest checkpoint the witness accepted, beside the store


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
        witness_send_pending()  # a witness that was down when it was taken gets it now
        return None
    private, _ = _keypair()
    unsigned = Checkpoint(seq=head.seq, hash=head.hash, at=timezone.now().isoformat(), signature="")
    checkpoint = Checkpoint(**{**asdict(unsigned), "signature": sm2_sign(private, unsigned.message).hex()})
    _append(checkpoint)
    witness_send_pending()
    return checkpoint


def witness_send_pending() -> bool:
    """Hand the latest local checkpoint to the witness unless it already has it; True once it has.
    A witness that is down is tried again at the next period (the checkpoint stays local)."""
    if not settings.TONGBAN_AUDIT_WITNESS_URL:
        return False
    latest = checkpoint_latest()
    if latest is None:
        return False
    witnessed = _store() / WITNESSED_FILE
    if witnessed.exists() and json.loads(witnessed.read_text()).get("seq") == latest.seq:
        return True
    body = {"source": settings.TONGBAN_AUDIT_WITNESS_SOURCE, **asdict(latest), "public_key": _public_key().hex()}
    try:
        _witness_call("POST", "/checkpoints", body)
    except WitnessUnavailable as error:
        log.warning("audit witness did not take checkpoint %s: %s", latest.seq, error)
        return False
    witnessed.write_text(json.dumps({"seq": latest.seq, "hash": latest.hash}))
    return True


class WitnessUnavailable(Exception):
    pass


def checkpoint_witnessed() -> Checkpoint | None:
    """The latest checkpoint the witness holds for this platform (None when it holds none);
    WitnessUnavailable when it cannot be asked."""
    query = urllib.parse.urlencode({"source": settings.TONGBAN_AUDIT_WITNESS_SOURCE})
    found = _witness_call("GET", f"/checkpoints/latest?{query}")
    if found is None:
        return None
    try:
        return Checkpoint(**{field: found[field] for field in ("seq", "hash", "at", "signature")})
    except (KeyError, TypeError):
        return Checkpoint(seq=0, hash="", at="", signature="")  # unreadable: fails its signature


def _witness_call(method: str, path: str, body: dict[str, object] | None = None) -> dict[str, Any] | None:
    request = urllib.request.Request(
        settings.TONGBAN_AUDIT_WITNESS_URL + path,
        data=None if body is None else json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.TONGBAN_AUDIT_WITNESS_TOKEN}"},
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.TONGBAN_AUDIT_WITNESS_TIMEOUT_SECONDS) as response:
            answer: dict[str, Any] | None = json.loads(response.read() or b"null")
            return answer
    except urllib.error.HTTPError as error:
        if error.code == 404 and method == "GET":
            return None
        raise WitnessUnavailable(f"HTTP {error.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        raise WitnessUnavailable(str(error)) from None


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
