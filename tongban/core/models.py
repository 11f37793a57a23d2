from django.db import models
from django.utils import timezone


class AuditEntry(models.Model):
    """One act in the tamper-evident audit trail. Written in the business transaction without a
    hash; the sealer (core.audit.audit_seal) later gives it a sequence number and links it to the
    previous entry, so writers never wait on the chain's head."""

    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True)
    actor_label = models.CharField("操作人", max_length=150, blank=True)
    acting_for = models.CharField("代表", max_length=80, blank=True)
    action = models.CharField("事件类型", max_length=80, db_index=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True)
    object_id = models.CharField("对象标识", max_length=80, blank=True)
    outcome = models.CharField("结果", max_length=20, default="success")
    detail = models.JSONField("详情", default=dict, blank=True)
    ip = models.CharField("来源地址", max_length=45, blank=True)
    region_code = models.CharField("区划", max_length=12, blank=True)
    seq = models.BigIntegerField("链序号", null=True, blank=True, unique=True)
    prev_hash = models.CharField("前一哈希", max_length=64, blank=True)
    hash = models.CharField("哈希", max_length=64, blank=True)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor_id", "created_at"], name="audit_actor_idx"),
            # The sealer's work queue: only unsealed entries, so it never walks the sealed millions.
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unsealed_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq or '待封'} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """The last sealed entry: lets verification notice entries deleted from the chain's end."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)
    sealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"审计链头 #{self.seq}"


class CalendarYear(models.Model):
    """A year whose holidays and make-up working days are known. A date in a year without a row
    cannot be judged: the calendar refuses rather than guess weekends."""

    year = models.PositiveSmallIntegerField("年份", primary_key=True)
    source = models.CharField("来源", max_length=120)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "日历年份"
        verbose_name_plural = "日历年份"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年"


class CalendarDay(models.Model):
    """An exception to the weekday rule: a holiday on a weekday, or a make-up working day (调休)
    on a weekend."""

    HOLIDAY = "holiday"
    WORKDAY = "workday"
    KINDS = [(HOLIDAY, "法定节假日（休息）"), (WORKDAY, "调休上班")]

    date = models.DateField("日期", primary_key=True)
    kind = models.CharField("类型", max_length=10, choices=KINDS)
    name = models.CharField("名称", max_length=40, blank=True)

    class Meta:
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class OutboxEvent(models.Model):
    """A domain event written in the transaction of the act that caused it, and handed to the
    listeners after commit (core.events). A crash between commit and dispatch loses nothing: the
    next dispatch picks the row up."""

    topic = models.CharField("事件", max_length=60)
    payload = models.JSONField("内容", default=dict)
    region_code = models.CharField("区划", max_length=12, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    dispatched_at = models.DateTimeField("分发时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.CharField("最近错误", max_length=300, blank=True)

    class Meta:
        verbose_name = "领域事件"
        verbose_name_plural = "领域事件"
        indexes = [
            models.Index(fields=["id"], condition=models.Q(dispatched_at__isnull=True), name="outbox_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk}"


class FieldKeyRotation(models.Model):
    """One rotation of the key that encrypts personal data at rest (core.field_rotation): the new
    key's id, and the re-encryption of every encrypted column under it, with its progress."""

    PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
    STATUSES = [(PENDING, "等待"), (RUNNING, "进行中"), (DONE, "完成"), (FAILED, "失败")]

    key_id = models.CharField("新密钥", max_length=12)
    status = models.CharField("状态", max_length=8, choices=STATUSES, default=PENDING)
    total = models.PositiveBigIntegerField("待重新加密行数", default=0)
    done = models.PositiveBigIntegerField("已完成行数", default=0)
    started_by = models.CharField("发起人", max_length=150, blank=True)
    created_at = models.DateTimeField("发起时间", default=timezone.now)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    error = models.CharField("错误", max_length=300, blank=True)

    class Meta:
        verbose_name = "数据加密密钥轮换"
        verbose_name_plural = "数据加密密钥轮换"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.key_id}（{self.get_status_display()}）"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)


def char_max_length(model: type[models.Model], name: str) -> int:
    """The length limit of a model's bounded text column, so that a service's check reads it from
    the column rather than repeating the number."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.CharField) or field.max_length is None:
        raise TypeError(f"{model._meta.label}.{name} is not a text column with a length limit")
    return field.max_length
