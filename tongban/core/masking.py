"""Personal data is masked by default (PIPL; 等保 2.0). One helper for every page, API and export.

An unmasked read goes through a service that checks the reader's scope and writes an audit entry
(see accounts.services.person_reveal); nothing else shows the full value.
"""

from typing import Literal

MaskKind = Literal["id_number", "phone", "uscc", "name", "bank_account"]


def _keep(value: str, head: int, tail: int) -> str:
    if len(value) <= head + tail:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail :]


def mask(kind: MaskKind, value: str | None) -> str:
    """`320102********1234`, `138****5678`, `张*`, …; empty stays empty."""
    if not value:
        return ""
    match kind:
        case "id_number":
            return _keep(value, 6, 4)
        case "phone":
            return _keep(value, 3, 4)
        case "uscc":
            return value  # a credit code is public registration data: shown in full
        case "name":
            return value[0] + "*" * (len(value) - 1) if len(value) > 1 else value
        case "bank_account":
            return _keep(value, 4, 4)
    raise ValueError(f"unknown mask kind {kind!r}")
