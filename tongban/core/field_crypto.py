"""Personal data encrypted at rest (等保 2.0 level 3, confidentiality): one field type.

`EncryptedField` stores SM4-GCM ciphertext, `sm4:<key id>:<base64 nonce‖ciphertext‖tag>`, with the
column's name as associated data, so a value copied into another column does not decrypt. A field
that is looked up names its `BlindIndexField`, an HMAC-SM3 of the normalised value under a separate
key, and its `exact`, `iexact` and `in` lookups are answered from that indexed column: a query by
ID number stays one index lookup, and no caller changes. Any other lookup on an encrypted field is
refused, because the database cannot see the value.

The keys live in one file outside the database (TONGBAN_FIELD_KEY_FILE, mode 0600, created on
first use; in production a mounted secret): the encryption keys by id with the active one named,
and the index key. Rotation (`field_key_rotate`) adds a key and makes it active; every process
picks the change up within a second, old keys stay to decrypt, and the re-encryption job
(core.field_rotation) rewrites every row under the new key. The index key is not rotated: the
indexes would all change at once (ADR 0009).
"""

import base64
import hmac
import json
import os
import secrets
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.apps import AppConfig, apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, In, Lookup

PREFIX = "sm4"
NONCE_BYTES = 12
RELOAD_SECONDS = 1.0  # how soon a process sees a rotated key file
# The types a field's attribute is set with and read as, filled in per model by django-stubs' plugin.
_ST = TypeVar("_ST", contravariant=True)
_GT = TypeVar("_GT", covariant=True)


class FieldKeyError(Exception):
    """A ciphertext that no key in the keyring opens: a missing key, or a value tampered with."""


@dataclass(frozen=True)
class Keyring:
    active: str
    keys: dict[str, bytes]
    index_key: bytes


class _Loaded(TypedDict):
    keyring: Keyring | None
    checked: float  # monotonic time of the last look at the file
    mtime: int | None  # the file's, in ns, when it was read


_loaded: _Loaded = {"keyring": None, "checked": 0.0, "mtime": None}
_lock = threading.Lock()


def keyring() -> Keyring:
    """The keyring, re-read when its file changed (checked at most once a second)."""
    now = time.monotonic()
    if _loaded["keyring"] is not None and now - _loaded["checked"] < RELOAD_SECONDS:
        return _loaded["keyring"]
    with _lock:
        path = _key_file()
        if not path.exists():
            _key_file_create(path)
        mtime = path.stat().st_mtime_ns
        ring = _loaded["keyring"]
        if ring is None or mtime != _loaded["mtime"]:
            stored = json.loads(path.read_text())
            ring = Keyring(
                active=stored["active"],
                keys={key_id: bytes.fromhex(key) for key_id, key in stored["keys"].items()},
                index_key=bytes.fromhex(stored["index"]),
            )
            _loaded["keyring"] = ring
            _loaded["mtime"] = mtime
        _loaded["checked"] = now
        return ring


def keyring_forget() -> None:
    """Drop the cached keyring (tests that switch key files)."""
    _loaded.update({"keyring": None, "checked": 0.0, "mtime": None})


def field_key_rotate() -> str:
    """Add a new encryption key and make it the active one; return its id."""
    current = keyring()
    key_id = f"k{max((int(k[1:]) for k in current.keys if k[1:].isdigit()), default=0) + 1}"
    stored = {
        "active": key_id,
        "keys": {**{k: v.hex() for k, v in current.keys.items()}, key_id: secrets.token_bytes(16).hex()},
        "index": current.index_key.hex(),
    }
    _key_file_write(_key_file(), stored)
    keyring_forget()
    return key_id


def field_encrypt(plain: str, *, context: str) -> str:
    ring = keyring()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = _sm4_gcm_seal(ring.keys[ring.active], nonce, plain.encode(), context.encode())
    return f"{PREFIX}:{ring.active}:{base64.b64encode(nonce + sealed).decode()}"


def field_decrypt(stored: str, *, context: str) -> str:
    prefix, _, rest = stored.partition(":")
    key_id, _, body = rest.partition(":")
    if prefix != PREFIX:
        raise FieldKeyError(f"{context} 的值不是密文")
    key = keyring().keys.get(key_id)
    if key is None:
        keyring_forget()  # another process may have rotated a moment ago
        key = keyring().keys.get(key_id)
    if key is None:
        raise FieldKeyError(f"{context} 的密钥 {key_id} 不在密钥文件中")
    raw = base64.b64decode(body)
    try:
        return _sm4_gcm_open(key, raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode()).decode()
    except InvalidTag:
        raise FieldKeyError(f"{context} 的密文校验失败：被改动，或不属于此列") from None


def field_key_of(stored: str) -> str:
    """The id of the key a stored value is encrypted under."""
    return stored.split(":", 2)[1] if stored.startswith(f"{PREFIX}:") else ""


def blind_index(value: str, *, context: str) -> str:
    return hmac.new(keyring().index_key, f"{context}|{value}".encode(), "sm3").hexdigest()


class EncryptedField(models.TextField[_ST, _GT]):
    """A text column kept as SM4 ciphertext (see the module). `index` names the model's
    BlindIndexField for lookups; `normalize="upper"` folds case before indexing (ID numbers' X)."""

    def __init__(self, *args: Any, index: str = "", normalize: str = "", **kwargs: Any) -> None:
        self.index, self.normalize = index, normalize
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs.update({key: getattr(self, key) for key in ("index", "normalize") if getattr(self, key)})
        return name, path, args, kwargs

    @property
    def context(self) -> str:
        return f"{self.model._meta.db_table}.{self.column}"

    def from_db_value(self, value: str | None, expression: object, connection: BaseDatabaseWrapper) -> str | None:
        return value if not value else field_decrypt(value, context=self.context)

    def get_prep_value(self, value: object) -> str | None:
        prepared: str | None = super().get_prep_value(value)
        return prepared if not prepared else field_encrypt(prepared, context=self.context)

    def blind(self, value: object) -> str:
        text = "" if value is None else str(value)
        return blind_index(text.upper() if self.normalize == "upper" else text, context=self.context)

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name in BLIND_LOOKUPS and self.index:
            return BLIND_LOOKUPS[lookup_name]
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(f"加密字段 {self.name} 只能按完整值查询（exact、in），不能使用 {lookup_name}。")


class BlindIndexField(models.CharField[_ST, _GT]):
    """The HMAC of an EncryptedField's value (`source`), kept in step on every save and insert."""

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs.pop("editable", None)
        if kwargs.get("max_length") == 64:
            kwargs.pop("max_length")
        return name, path, args, kwargs

    def db_type(self, connection: BaseDatabaseWrapper) -> str:
        # Fixed width: an HMAC is always 64 hex digits, and on PostgreSQL a char column gets no
        # second, pattern-matching index beside its equality one (nothing pattern-matches a hash).
        return "char(64)"

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = getattr(model_instance, self.source)
        index = "" if value in (None, "") else _encrypted(model_instance._meta.get_field(self.source)).blind(value)
        setattr(model_instance, self.attname, index)
        return index


class BlindIndexed(models.Model):
    """The base of a model with blind indexes: a save limited to `update_fields` that names an
    encrypted field saves its index too, so the index never falls behind its value."""

    class Meta:
        abstract = True

    def save(self, *args: Any, update_fields: Iterable[str] | None = None, **kwargs: Any) -> None:
        if update_fields is not None:
            indexes = [
                field.name
                for field in self._meta.concrete_fields
                if isinstance(field, BlindIndexField) and field.source in update_fields
            ]
            update_fields = [*update_fields, *indexes]
        super().save(*args, update_fields=update_fields, **kwargs)


@checks.register(checks.Tags.models)
def blind_indexed_check(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A model with a blind index derives from BlindIndexed, or a partial save would leave it stale."""
    return [
        checks.Error(f"{model._meta.label} 有盲索引字段，须继承 core.field_crypto.BlindIndexed。", id="tongban.E002")
        for model in apps.get_models()
        if any(isinstance(field, BlindIndexField) for field in model._meta.concrete_fields)
        and not issubclass(model, BlindIndexed)
    ]


def _encrypted(field: object) -> EncryptedField[Any, Any]:
    if not isinstance(field, EncryptedField):
        raise TypeError(f"{field} is not an EncryptedField")
    return field


def _index_column(lhs: Col) -> Col:
    field = _encrypted(lhs.target)
    index = field.model._meta.get_field(field.index)
    if not isinstance(index, BlindIndexField):
        raise TypeError(f"{field.model._meta.label}.{field.index} is not a BlindIndexField")
    return Col(lhs.alias, index)


class BlindExact(Exact[str]):
    def __init__(self, lhs: Col, rhs: object) -> None:
        super().__init__(_index_column(lhs), _encrypted(lhs.target).blind(rhs))


class BlindIn(In[str]):
    def __init__(self, lhs: Col, rhs: Iterable[object]) -> None:
        super().__init__(_index_column(lhs), [_encrypted(lhs.target).blind(value) for value in rhs])


BLIND_LOOKUPS: dict[str, type[Lookup[Any]]] = {"exact": BlindExact, "iexact": BlindExact, "in": BlindIn}


def _sm4_gcm_seal(key: bytes, nonce: bytes, plain: bytes, context: bytes) -> bytes:
    encryptor = _sm4_gcm(key, nonce).encryptor()
    encryptor.authenticate_additional_data(context)
    return encryptor.update(plain) + encryptor.finalize() + encryptor.tag


def _sm4_gcm_open(key: bytes, nonce: bytes, sealed: bytes, context: bytes) -> bytes:
    decryptor = _sm4_gcm(key, nonce, tag=sealed[-16:]).decryptor()
    decryptor.authenticate_additional_data(context)
    return decryptor.update(sealed[:-16]) + decryptor.finalize()


def _sm4_gcm(key: bytes, nonce: bytes, tag: bytes | None = None) -> Cipher[modes.GCM]:
    return Cipher(algorithms.SM4(key), modes.GCM(nonce, tag))


def _key_file() -> Path:
    return Path(settings.TONGBAN_FIELD_KEY_FILE)


def _key_file_create(path: Path) -> None:
    stored = {"active": "k1", "keys": {"k1": secrets.token_bytes(16).hex()}, "index": secrets.token_bytes(32).hex()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process created it first
    with os.fdopen(descriptor, "w") as file:
        json.dump(stored, file)


def _key_file_write(path: Path, stored: Mapping[str, object]) -> None:
    """Replace the key file atomically (a reader sees the old file or the new one, never half)."""
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(stored, file)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)
