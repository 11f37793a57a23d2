"""Client credentials of consumer systems: an API key `tbk_<prefix>_<secret>` sent in the X-Api-Key
header. Only the SHA-256 of a key is stored; the prefix finds its row, so checking a key is one
indexed read and a constant-time comparison."""

import hashlib
import hmac
import secrets

from django.db.models import Q
from django.utils import timezone
from ninja.security import APIKeyHeader

from tongban.core.errors import Unauthenticated
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
    """The active system whose live key this is, or None. A key is printable ASCII, as issued:
    anything else (a NUL PostgreSQL cannot compare, another script) is no key of ours."""
    parts = key.split("_", 2)
    if not (key.isascii() and key.isprintable()) or len(parts) != 3 or parts[0] != KEY_PREFIX:
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
        """A key that was sent and is wrong is refused outright: the caller meant to use it, so
        falling through to the session check would answer about a cookie it never sent."""
        if not key:
            return None
        system = system_for_key(key)
        if system is None:
            raise Unauthenticated(
                "API 密钥无效、已吊销或已过期：请核对 X-Api-Key，或请数据专员签发新密钥。", code="api_key_invalid"
            )
        request.exchange_system = system
        return system
