"""Client credentials of consumer systems: an API key `tbk_<prefix>_<secret>` sent in the X-Api-Key
header. Only the SHA-256 of a key is stored; the prefix finds its row, so checking a key is one
indexed read and a constant-time comparison."""

import hashlib
import hmac
import secrets

from django.db.models import Q
from django.utils import timezone
from ninja.security import APIKeyHeader

from tongban.exchange.models import ApiKey, ConsumerSystem

KEY_PREFIX = "tbk"


def api_key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_new() -> tuple[str, str, str]:
    """A fresh key: (the key to hand over once, its prefix, its digest to store)."""
    prefix = secrets.token_hex(5)
    key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(30)}"
    return key, prefix, api_key_digest(key)


def system_for_key(key: str) -> ConsumerSystem | None:
    """The active system whose live key this is, or None."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    now = timezone.now()
    row = (
        ApiKey.objects.select_related("system")
        .filter(prefix=parts[1], revoked_at__isnull=True, system__is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if row is None or not hmac.compare_digest(row.secret_hash, api_key_digest(key)):
        return None
    return row.system


class SystemKeyAuth(APIKeyHeader):
    """Ninja auth for system callers: sets `request.exchange_system` and returns the system."""

    param_name = "X-Api-Key"

    def authenticate(self, request, key):
        system = system_for_key(key or "")
        if system is not None:
            request.exchange_system = system
        return system
