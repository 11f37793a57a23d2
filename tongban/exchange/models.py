"""Data sharing and exchange (数据共享交换): the data-resource catalogue, the registries the platform
hosts, the systems that consume them, access requests and field-level grants, and the call log.

A resource is served one of three ways: rows hosted here (RegistryRecord, filled by import or feed),
a built-in base read from another context (population from accounts' persons, legal entities from
legal persons, the e-licence library from licences), or a department's own HTTP endpoint (remote).
Every write goes through services.py.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from tongban.core.import_batches import AbstractImportBatch


class DataResource(models.Model):
    UNCONDITIONAL, CONDITIONAL, NOT_SHARED = "unconditional", "conditional", "not_shared"
    SHARING = [(UNCONDITIONAL, "无条件共享"), (CONDITIONAL, "有条件共享"), (NOT_SHARED, "不予共享")]

    HOSTED, POPULATION, LEGAL_ENTITY, LICENCES, REMOTE = "hosted", "population", "legal_entity", "licences", "remote"
    SERVED_BY = [
        (HOSTED, "平台托管"),
        (POPULATION, "人口库"),
        (LEGAL_ENTITY, "法人库"),
        (LICENCES, "电子证照库"),
        (REMOTE, "部门接口"),
    ]

    KEYS = [("id_number", "公民身份号码"), ("uscc", "统一社会信用代码"), ("licence", "证照编号"), ("address", "地址")]
    FREQUENCIES = [
        ("realtime", "实时"),
        ("daily", "每日"),
        ("weekly", "每周"),
        ("monthly", "每月"),
        ("quarterly", "每季度"),
        ("yearly", "每年"),
    ]

    code = models.CharField("资源代码", max_length=40, unique=True)
    name = models.CharField("资源名称", max_length=100)
    description = models.TextField("资源摘要", blank=True)
    provider = models.ForeignKey(
        "org.Department", verbose_name="提供部门", on_delete=models.PROTECT, related_name="data_resources"
    )
    sharing = models.CharField("共享类型", max_length=15, choices=SHARING, default=CONDITIONAL)
    not_shared_reason = models.CharField("不予共享依据", max_length=300, blank=True)
    frequency = models.CharField("更新周期", max_length=10, choices=FREQUENCIES, default="daily")
    key_kind = models.CharField("查询主键", max_length=12, choices=KEYS, default="id_number")
    served_by = models.CharField("提供方式", max_length=15, choices=SERVED_BY, default=HOSTED)
    # A resource holding the data of an e-licence type (the 法人库 for 营业执照) may stand in for
    # that licence as a material until the licence library holds it.
    licence_type_code = models.CharField("对应电子证照类型", max_length=30, blank=True)
    endpoint_url = models.URLField("部门接口地址", blank=True)
    timeout_ms = models.PositiveIntegerField("接口超时（毫秒）", default=2000)
    is_active = models.BooleanField("已发布", default=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta:
        verbose_name = "数据资源"
        verbose_name_plural = "数据资源目录"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(sharing="not_shared") | ~models.Q(not_shared_reason=""),
                name="resource_not_shared_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(served_by="remote") | ~models.Q(endpoint_url=""),
                name="resource_remote_has_endpoint",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ResourceField(models.Model):
    TYPES = [
        ("string", "文本"),
        ("integer", "整数"),
        ("decimal", "数值"),
        ("date", "日期"),
        ("boolean", "是否"),
        ("id_number", "公民身份号码"),
        ("uscc", "统一社会信用代码"),
    ]
    PUBLIC, INTERNAL, SENSITIVE = "public", "internal", "sensitive"
    SENSITIVITY = [(PUBLIC, "公开"), (INTERNAL, "内部"), (SENSITIVE, "敏感个人信息")]

    resource = models.ForeignKey(DataResource, verbose_name="数据资源", on_delete=models.CASCADE, related_name="fields")
    name = models.CharField("字段代码", max_length=40)
    label = models.CharField("字段名称", max_length=60)
    type = models.CharField("类型", max_length=10, choices=TYPES, default="string")
    sensitivity = models.CharField("敏感级别", max_length=10, choices=SENSITIVITY, default=INTERNAL)
    required = models.BooleanField("必填", default=False)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "资源字段"
        verbose_name_plural = "资源字段"
        ordering = ["resource", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["resource", "name"], name="resource_field_unique")]

    def __str__(self) -> str:
        return f"{self.label}（{self.name}）"


class RegistryRecord(models.Model):
    """One row of a hosted resource, keyed by the resource's key (ID number, USCC, …)."""

    id = models.BigAutoField(primary_key=True)
    resource = models.ForeignKey(
        DataResource, verbose_name="数据资源", on_delete=models.CASCADE, related_name="records"
    )
    key = models.CharField("主键值", max_length=64)
    data = models.JSONField("数据", default=dict)
    source = models.CharField("来源", max_length=100)  # "导入批次 12", "接口推送 <system>"
    created_at = models.DateTimeField("首次登记", default=timezone.now)
    updated_at = models.DateTimeField("最后更新", default=timezone.now)

    class Meta:
        verbose_name = "库表记录"
        verbose_name_plural = "库表记录"
        constraints = [models.UniqueConstraint(fields=["resource", "key"], name="registry_record_key_unique")]

    def __str__(self) -> str:
        return f"{self.resource_id}:{self.key}"


class ImportBatch(AbstractImportBatch):
    """A bulk import of rows into a hosted resource, all or nothing (imports.py)."""

    resource = models.ForeignKey(
        DataResource, verbose_name="数据资源", on_delete=models.CASCADE, related_name="imports"
    )
    file = models.FileField("文件", upload_to="exchange/imports/%Y/%m/", blank=True)
    inserted = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)

    class Meta(AbstractImportBatch.Meta):
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"


class ConsumerSystem(models.Model):
    """A department's own system that calls the exchange with client credentials."""

    department = models.ForeignKey(
        "org.Department", verbose_name="所属部门", on_delete=models.PROTECT, related_name="consumer_systems"
    )
    name = models.CharField("系统名称", max_length=100)
    client_id = models.CharField("客户端标识", max_length=40, unique=True)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "接入系统"
        verbose_name_plural = "接入系统"
        ordering = ["department", "name"]

    def __str__(self) -> str:
        return self.name


class ApiKey(models.Model):
    """A secret of a consumer system, stored as SHA-256; rotation issues a new key and lets the old
    one live until `expires_at` so the system can switch without an outage."""

    system = models.ForeignKey(ConsumerSystem, verbose_name="接入系统", on_delete=models.CASCADE, related_name="keys")
    prefix = models.CharField("前缀", max_length=12, unique=True)  # shown to operators, finds the row
    secret_hash = models.CharField("密钥摘要", max_length=64)
    created_at = models.DateTimeField("签发时间", default=timezone.now)
    expires_at = models.DateTimeField("失效时间", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "接口密钥"
        verbose_name_plural = "接口密钥"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}…"


class AccessRequest(models.Model):
    PENDING, APPROVED, REFUSED, WITHDRAWN = "pending", "approved", "refused", "withdrawn"
    STATUSES = [(PENDING, "待审核"), (APPROVED, "已批准"), (REFUSED, "已拒绝"), (WITHDRAWN, "已撤回")]

    resource = models.ForeignKey(
        DataResource, verbose_name="数据资源", on_delete=models.PROTECT, related_name="access_requests"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name="申请部门", on_delete=models.PROTECT, related_name="access_requests"
    )
    system = models.ForeignKey(
        ConsumerSystem, verbose_name="接入系统", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # None when a consumer system filed the request itself with its API key (`system` is then set).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    purpose = models.CharField("用途", max_length=300)
    legal_basis = models.CharField("法律依据", max_length=300)
    fields = models.JSONField("申请字段", default=list)
    valid_from = models.DateField("使用期限自")
    valid_until = models.DateField("使用期限至")
    daily_volume = models.PositiveIntegerField("预计日调用量", default=100)
    status = models.CharField("状态", max_length=10, choices=STATUSES, default=PENDING)
    due_on = models.DateField("审核期限")  # 2 working days from the request (Qiqihar)
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    approved_fields = models.JSONField("批准字段", default=list)
    reason = models.CharField("审核意见", max_length=300, blank=True)
    # Set once when the overdue sweep tells the supervisors, so a request is flagged only once.
    flagged_at = models.DateTimeField("逾期提醒时间", null=True, blank=True)

    class Meta:
        verbose_name = "共享申请"
        verbose_name_plural = "共享申请"
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["status", "due_on"], name="access_request_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(requested_by__isnull=False) | models.Q(system__isnull=False),
                name="access_request_has_requester",
            )
        ]

    def __str__(self) -> str:
        return f"{self.department_id} → {self.resource_id}（{self.get_status_display()}）"


class Grant(models.Model):
    """Field-level, time-limited, revocable access of one department (or one of its systems) to one
    resource. `unmasked_fields` lists the sensitive fields returned in full; the rest come masked."""

    resource = models.ForeignKey(DataResource, verbose_name="数据资源", on_delete=models.PROTECT, related_name="grants")
    department = models.ForeignKey(
        "org.Department", verbose_name="使用部门", on_delete=models.PROTECT, related_name="data_grants"
    )
    system = models.ForeignKey(
        ConsumerSystem,
        verbose_name="限定接入系统",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
    )
    request = models.OneToOneField(
        AccessRequest, verbose_name="来源申请", on_delete=models.PROTECT, null=True, blank=True, related_name="grant"
    )
    fields = models.JSONField("授权字段", default=list)
    unmasked_fields = models.JSONField("明文字段", default=list)
    purpose = models.CharField("用途", max_length=300)
    valid_from = models.DateField("生效日期")
    valid_until = models.DateField("截止日期")
    daily_quota = models.PositiveIntegerField("日调用上限", default=1000)
    created_at = models.DateTimeField("授权时间", default=timezone.now)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤销人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoke_reason = models.CharField("撤销原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "共享授权"
        verbose_name_plural = "共享授权"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["department", "resource"], name="grant_consumer_idx")]

    def __str__(self) -> str:
        return f"{self.department_id} → {self.resource_id}"


class CallLog(models.Model):
    """One call of the query interface. Append-only, time-ordered and region first so it partitions
    by month and shards by region; kept 3 years. The key is stored as an HMAC (to find a person's
    lookups) and masked (to show), never in full."""

    OK, NOT_FOUND, REFUSED, PROVIDER_DOWN, OVER_QUOTA, BAD_KEY = (
        "ok",
        "not_found",
        "refused",
        "provider_down",
        "over_quota",
        "bad_key",
    )
    OUTCOMES = [
        (OK, "成功"),
        (NOT_FOUND, "无记录"),
        (REFUSED, "未授权"),
        (PROVIDER_DOWN, "提供方不可用"),
        (OVER_QUOTA, "超出配额"),
        (BAD_KEY, "主键有误"),
    ]

    id = models.BigAutoField(primary_key=True)
    region_code = models.CharField("区划", max_length=12)
    called_at = models.DateTimeField("调用时间", default=timezone.now)
    resource = models.ForeignKey(DataResource, verbose_name="数据资源", on_delete=models.PROTECT, related_name="+")
    provider_id = models.IntegerField("提供部门")
    department_id = models.IntegerField("使用部门")
    system_id = models.IntegerField("接入系统", null=True, blank=True)
    staff_user_id = models.IntegerField("经办人员", null=True, blank=True)
    purpose = models.CharField("用途", max_length=300)
    case_number = models.CharField("办件编号", max_length=40, blank=True)
    key_digest = models.CharField("主键摘要", max_length=64)
    key_masked = models.CharField("主键（脱敏）", max_length=64)
    fields = models.JSONField("返回字段", default=list)
    result_count = models.PositiveIntegerField("返回条数", default=0)
    latency_ms = models.PositiveIntegerField("耗时（毫秒）", default=0)
    outcome = models.CharField("结果", max_length=15, choices=OUTCOMES)
    error_code = models.CharField("错误代码", max_length=40, blank=True)

    class Meta:
        verbose_name = "调用日志"
        verbose_name_plural = "调用日志"
        ordering = ["-called_at"]
        indexes = [
            models.Index(fields=["region_code", "called_at"], name="calllog_region_time_idx"),
            models.Index(fields=["key_digest", "called_at"], name="calllog_key_time_idx"),
            models.Index(fields=["resource", "called_at"], name="calllog_resource_time_idx"),
            models.Index(fields=["department_id", "called_at"], name="calllog_consumer_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.called_at:%Y-%m-%d %H:%M:%S} {self.resource_id} {self.outcome}"
