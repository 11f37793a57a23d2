"""Addresses that leave the platform: in a printed document's QR code, a verification link, a
text message. They are built on the one public base URL (TONGBAN_PUBLIC_BASE_URL), never on the
request's host, so a phone that scans a paper receipt reaches the city's site; a production
process refuses to start while that base names this machine (core.deployment)."""

import segno
from django.conf import settings


def public_url(path: str) -> str:
    """The absolute address of a path of this site (`reverse(...)`), as people outside reach it."""
    return settings.TONGBAN_PUBLIC_BASE_URL.rstrip("/") + "/" + path.lstrip("/")


def qr_data_uri(text: str) -> str:
    """A QR code of `text` as an SVG data URI (error correction M, with its quiet zone of 4 modules)."""
    return str(segno.make(text, error="m", micro=False).svg_data_uri(scale=4, border=4, dark="#000"))
