"""Writes to the inbox: messages created from domain events, and marking them read."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core.errors import NotFound
from tongban.notifications.models import Notification
from tongban.notifications.sms import (
    sms_available as sms_available,  # text messages, for other contexts
    sms_send as sms_send,
)


def notification_send(
    *, recipient_ids: list[int], topic: str, title: str, body: str = "", case_number: str = "", event_id=None
) -> int:
    """Creates one message per recipient; an event delivered twice creates nothing more."""
    known = set()
    if event_id is not None:
        known = set(
            Notification.objects.filter(event_id=event_id, recipient_id__in=recipient_ids).values_list(
                "recipient_id", flat=True
            )
        )
    fresh = [
        Notification(
            recipient_id=user_id,
            event_id=event_id,
            topic=topic,
            title=title,
            body=body,
            case_number=case_number,
        )
        for user_id in dict.fromkeys(recipient_ids)
        if user_id not in known
    ]
    Notification.objects.bulk_create(fresh)
    return len(fresh)


@transaction.atomic
def notification_mark_read(*, user, notification_id: int) -> Notification:
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is None:
        raise NotFound(_("未找到该消息。"), code="notification_not_found")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
