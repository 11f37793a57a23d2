"""The inbox: one record per message to one person. SMS and e-mail channels, when they come,
deliver the same record (its `channel` and `sent_at` say how and when)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    INBOX, SMS, EMAIL = "inbox", "sms", "email"
    CHANNELS = [(INBOX, "站内消息"), (SMS, "短信"), (EMAIL, "电子邮件")]

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications"
    )
    event_id = models.BigIntegerField("来源事件", null=True, blank=True)
    topic = models.CharField("类别", max_length=60)
    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容", blank=True)
    case_number = models.CharField("办件编号", max_length=40, blank=True)
    channel = models.CharField("渠道", max_length=10, choices=CHANNELS, default=INBOX)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx")]
        constraints = [
            # A redelivered event must not notify twice: listeners are idempotent by this key.
            models.UniqueConstraint(fields=["event_id", "recipient"], name="notification_once_per_event"),
        ]

    def __str__(self) -> str:
        return self.title
