"""Electronic seals on licences (GB/T 38540): a canonical form of the licence, its SM3 digest, and a
signature by the issuing department's active key — SM2 over SM3 by default, Ed25519 when
TONGBAN_SEAL_ALGORITHM=ed25519.

Private keys are encrypted at rest with SM4-GCM under a key derived (SM3 KDF) from
TONGBAN_SEAL_MASTER_KEY, or from SECRET_KEY when that is empty. Rotating a key retires the active
one; retired keys are kept, so every licence they signed still verifies.
"""

import base64
import datetime as dt
import json
import os
import secrets

import gmalglib
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tongban.accounts import selectors as accounts
from tongban.accounts.types import Actor
from tongban.core.audit import audit_record
from tongban.core.errors import PermissionDenied, Unavailable, ValidationFailed
from tongban.core.sm2 import sm2_keypair, sm2_sign, sm2_valid
from tongban.licences.models import Licence, SealKey
from tongban.org import selectors as org

NONCE_BYTES = 12
TAG_BYTES = 16


# ---------------------------------------------------------------- canonical form


def licence_canonical(licence: Licence) -> bytes:
    """What the seal covers: every field printed on the licence, as sorted-key compact JSON. The
    status is not in it: a status changes, the certified content does not."""
    body = {
        "identifier": licence.identifier,
        "type_code": licence.type.code,
        "type_name": licence.type.name,
        "holder": {
            "kind": "legal" if licence.holder_legal_person_id else "natural",
            "name": licence.holder_name,
            "id": licence.holder_id_number,
        },
        "data": licence.data,
        "issued_on": _iso(licence.issued_on),
        "valid_from": _iso(licence.valid_from),
        "valid_until": _iso(licence.valid_until),
        "issuer": {"uscc": licence.issuer_uscc, "name": licence.issuer_name},
        "serial": licence.serial,
        "version": licence.version,
        "previous": licence.previous.identifier if licence.previous_id else "",
        "case_number": licence.case_number,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _iso(day: dt.date | str | None) -> str:
    if day is None:
        return ""
    return day if isinstance(day, str) else day.isoformat()


def sm3_hex(data: bytes) -> str:
    return gmalglib.sm3_digest(data).hex()


# ---------------------------------------------------------------- keys at rest


def _master_key() -> bytes:
    secret = settings.TONGBAN_SEAL_MASTER_KEY or settings.SECRET_KEY
    return gmalglib.sm3_kdf(b"tongban-seal-master:" + secret.encode(), 16)


def _encrypt(plain: bytes, key_id: str) -> str:
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(_master_key()), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(key_id.encode())  # a ciphertext moved to another key row fails
    cipher = encryptor.update(plain) + encryptor.finalize()
    return base64.b64encode(nonce + cipher + encryptor.tag).decode()


def _decrypt(stored: str, key_id: str) -> bytes:
    raw = base64.b64decode(stored)
    nonce, cipher, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(_master_key()), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(key_id.encode())
    try:
        return decryptor.update(cipher) + decryptor.finalize()
    except InvalidTag:
        raise Unavailable(
            "签章私钥无法解密：主密钥（TONGBAN_SEAL_MASTER_KEY）与生成密钥时不一致，请联系系统管理员。",
            code="seal_key_undecryptable",
        ) from None


def _keypair(algorithm: str) -> tuple[bytes, bytes]:
    """(private, public) raw bytes."""
    if algorithm == SealKey.SM2:
        return sm2_keypair()
    if algorithm == SealKey.ED25519:
        key = Ed25519PrivateKey.generate()
        return key.private_bytes_raw(), key.public_key().public_bytes_raw()
    raise ValidationFailed(f"不支持的签名算法“{algorithm}”，可选 sm2 或 ed25519。", code="seal_algorithm_unknown")


def configured_algorithm() -> str:
    algorithm = settings.TONGBAN_SEAL_ALGORITHM.strip().lower()
    if algorithm not in dict(SealKey.ALGORITHMS):
        raise Unavailable(
            f"TONGBAN_SEAL_ALGORITHM 配置为“{algorithm}”，不受支持；可选 sm2 或 ed25519。",
            code="seal_algorithm_unknown",
        )
    return algorithm


def _key_create(department_id: int, algorithm: str) -> SealKey:
    key_id = f"{algorithm}-{department_id}-{secrets.token_hex(6)}"
    private, public = _keypair(algorithm)
    return SealKey.objects.create(
        department_id=department_id,
        key_id=key_id,
        algorithm=algorithm,
        public_key=public.hex(),
        private_key_encrypted=_encrypt(private, key_id),
    )


def _active_key(department_id: int) -> SealKey:
    """The department's active key, created on first use with the configured algorithm."""
    key = SealKey.objects.filter(department_id=department_id, retired_at__isnull=True).first()
    if key is not None and key.algorithm == configured_algorithm():
        return key
    with transaction.atomic():
        # Row-lock the department's keys so two first signatures do not both create one.
        locked = list(SealKey.objects.select_for_update().filter(department_id=department_id, retired_at__isnull=True))
        if locked and locked[0].algorithm == configured_algorithm():
            return locked[0]
        if locked:  # the configured algorithm changed: retire the old key, keep it for verification
            SealKey.objects.filter(pk=locked[0].pk).update(retired_at=timezone.now())
        return _key_create(department_id, configured_algorithm())


@transaction.atomic
def seal_key_rotate(*, actor: Actor, department_id: int) -> SealKey:
    """Retire the department's active key and create a new one (configured algorithm). Only a
    security officer (三员分立: keys are access, not configuration) may do it; the act is audited."""
    if actor is None or not accounts.staff_has_post(actor, "security"):
        raise PermissionDenied("只有安全管理员可以更换部门签章密钥。", code="seal_rotate_forbidden")
    department = org.department_by_id(department_id)
    old = list(SealKey.objects.select_for_update().filter(department_id=department_id, retired_at__isnull=True))
    SealKey.objects.filter(pk__in=[key.pk for key in old]).update(retired_at=timezone.now())
    key = _key_create(department_id, configured_algorithm())
    audit_record(
        action="licence.seal_key_rotate",
        obj=key,
        actor=actor,
        region_code=department.region_id,
        detail={"department": department.name, "retired": [k.key_id for k in old], "new": key.key_id},
    )
    return key


# ---------------------------------------------------------------- sign and verify


def seal_sign(department_id: int, canonical: bytes) -> tuple[str, str, str]:
    """Sign `canonical` with the department's active key: (signature base64, key id, algorithm)."""
    key = _active_key(department_id)
    private = _decrypt(key.private_key_encrypted, key.key_id)
    if key.algorithm == SealKey.SM2:
        signature = sm2_sign(private, canonical)
    else:
        signature = Ed25519PrivateKey.from_private_bytes(private).sign(canonical)
    return base64.b64encode(signature).decode(), key.key_id, key.algorithm


def signature_valid(*, algorithm: str, public_key_hex: str, message: bytes, signature_b64: str) -> bool:
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        public = bytes.fromhex(public_key_hex)
    except ValueError:
        return False
    if algorithm == SealKey.SM2:
        return sm2_valid(public, message, signature)
    if algorithm == SealKey.ED25519:
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True
    return False


def seal_verify(licence: Licence, *, key: SealKey | None = None) -> bool:
    """Whether the licence, as stored now, is exactly what its issuer signed."""
    key = key or SealKey.objects.filter(key_id=licence.key_id).first()
    if key is None or key.algorithm != licence.algorithm or key.department_id != licence.issuer_id:
        return False
    canonical = licence_canonical(licence)
    if sm3_hex(canonical) != licence.digest:
        return False
    return signature_valid(
        algorithm=key.algorithm, public_key_hex=key.public_key, message=canonical, signature_b64=licence.signature
    )


__all__ = ["licence_canonical", "seal_key_rotate", "seal_sign", "seal_verify"]
