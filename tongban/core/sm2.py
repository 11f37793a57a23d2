"""SM2 signatures over SM3 (GB/T 32918, GB/T 35276) with gmalglib: the one place its calls live.

Note: gmalglib 0.5.9's wrapper `sm2_verify(pk, msg, uid)` cannot take the signature (it raises a
TypeError), so verification calls its core class `SM2(pk=…, uid=…).verify(msg, signature)`.
"""

import gmalglib

SM2_UID = b"1234567812345678"  # the default user id of GB/T 35276


def sm2_keypair() -> tuple[bytes, bytes]:
    """(private, public) raw bytes."""
    private, public = gmalglib.sm2_generate_keypair()
    return private, public


def sm2_sign(private: bytes, message: bytes) -> bytes:
    signature: bytes = gmalglib.sm2_sign(private, message, SM2_UID)
    return signature


def sm2_valid(public: bytes, message: bytes, signature: bytes) -> bool:
    try:
        return bool(gmalglib.core.SM2(pk=public, uid=SM2_UID).verify(message, signature))
    except (ValueError, TypeError):
        return False
