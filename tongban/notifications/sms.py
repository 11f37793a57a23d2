"""Text messages through the city's SMS platform (短信平台): one JSON POST per message to
TONGBAN_SMS_GATEWAY_URL, with a bearer token and a short time-out. Without a gateway nothing is
sent, and nothing is written anywhere else either: a message may carry a one-time code."""

import json
import urllib.error
import urllib.request

from django.conf import settings

from tongban.core.errors import Unavailable
from tongban.core.masking import mask


def sms_available() -> bool:
    return bool(settings.TONGBAN_SMS_GATEWAY_URL)


def sms_send(*, phone: str, text: str) -> None:
    """Hand one message to the gateway, or raise Unavailable saying what to do instead."""
    if not sms_available():
        raise Unavailable("本平台未接入短信平台，暂不能发送短信，请改用其他方式。", code="sms_not_configured")
    request = urllib.request.Request(
        settings.TONGBAN_SMS_GATEWAY_URL,
        data=json.dumps({"phone": phone, "text": text}, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.TONGBAN_SMS_GATEWAY_TOKEN}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.TONGBAN_SMS_TIMEOUT_SECONDS) as response:
            accepted = 200 <= response.status < 300
    except (urllib.error.URLError, TimeoutError, OSError):
        accepted = False
    if not accepted:
        raise Unavailable(
            f"短信平台暂时无法发送到 {mask('phone', phone)}，请稍后重试或改用其他方式。", code="sms_unavailable"
        )
