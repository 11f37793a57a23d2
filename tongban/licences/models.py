"""E-licences (电子证照): types, licences with their append-only status history, the per-type
serial counters and the departments' seal keys.

A licence is immutable once issued except for its status: a 变更 or 延续 issues a new version
(same serial, version + 1) linked to the previous one, so the signature over the licence's
canonical form (seal.py) never has to change.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tongban.core.field_crypto import BlindIndexed, BlindIndexField, EncryptedField
from tongban.core.import_batches import AbstractImportBatch
from tongban.core.masking import mask

VALID, SUSPENDED, REVOKED, CANCELLED, EXPIRED, TRANSFERRED, PENALISED, OTHER = (
    "01",
    "02",
    "03",
    "04",
    "05",
    "06",
    "07",
    "99",
)
STATUS_CHOICES = [
    (VALID, "有效"),
    (SUSPENDED, "暂扣"),
    (REVOKED, "撤销"),
    (CANCELLED, "注销"),
    (EXPIRED, "失效"),
    (TRANSFERRED, "转出"),
    (PENALISED, "吊销"),
    (OTHER, "其他"),
]


# The badge colour a status is shown in: valid, suspended, and every ending alike.
STATUS_TONES = {VALID: "active", SUSPENDED: "pending"}


def status_tone(status: str) -> str:
    return STATUS_TONES.get(status, "revoked")


class LicenceType(models.Model):
    """A kind of licence. `code` is the national type code (defining body's USCC + 3 digits);
    `short_code` is the code the service catalogue uses (YYZZ, JHZ, …) in an item version's
    `result_licence_type` and a material's `source_ref` when its source is "licence"."""

    NATURAL, LEGAL = "natural", "legal"
    HOLDER_KINDS = [(NATURAL, "自然人"), (LEGAL, "法人")]
    FIELD_TYPES = ["text", "date", "integer", "boolean"]

    code = models.CharField("证照类型代码", max_length=21, unique=True)
    short_code = models.CharField("事项清单代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=60)
    defining_department = models.ForeignKey(
        "org.Department", verbose_name="定义机构", on_delete=models.PROTECT, related_name="+"
    )
    issuing_departments = models.ManyToManyField("org.Department", verbose_name="颁发机构", related_name="+")
    holder_kind = models.CharField("持证主体", max_length=8, choices=HOLDER_KINDS)
    registers_holder = models.BooleanField(
        "设立登记证照",
        default=False,
        help_text="如营业执照：由设立人申请，办结后颁发给登记设立的新主体，而不是申请人",
    )
    fields = models.JSONField("照面信息项", default=list, blank=True, help_text="[{name, label, type, required}]")
    validity_years = models.PositiveSmallIntegerField("有效期（年）", null=True, blank=True, help_text="空：长期有效")
    template = models.CharField("版式模板", max_length=100, blank=True, help_text="Django 模板名；空则用通用版式")
    template_html = models.TextField("版式 HTML", blank=True, help_text="优先于模板名")
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = "证照类型"
        verbose_name_plural = "证照类型"
        ordering = ["short_code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.short_code}）"


class Licence(BlindIndexed):
    """One issued licence (one version). Holder names and identity numbers are snapshots taken at
    issuance: the licence states what was certified then, as the paper one does."""

    STATUSES = STATUS_CHOICES

    identifier = models.CharField("证照标识", max_length=120, unique=True)
    type = models.ForeignKey(LicenceType, verbose_name="证照类型", on_delete=models.PROTECT, related_name="licences")
    issuer = models.ForeignKey("org.Department", verbose_name="颁发机构", on_delete=models.PROTECT, related_name="+")
    issuer_name = models.CharField("颁发机构名称", max_length=100)
    issuer_uscc = models.CharField("颁发机构代码", max_length=18)
    region_code = models.CharField("区划代码", max_length=12, db_index=True)
    holder_person = models.ForeignKey(
        "accounts.Person", verbose_name="持证人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    holder_legal_person = models.ForeignKey(
        "accounts.LegalPerson",
        verbose_name="持证单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    holder_name = models.CharField("持证主体名称", max_length=120)
    # ID number or credit code, encrypted at rest and found through its blind index (core.field_crypto).
    holder_id_number = EncryptedField("持证主体证件号码", max_length=18, index="holder_id_index", normalize="upper")
    holder_id_index = BlindIndexField("持证主体证件号码索引", source="holder_id_number", db_index=True)
    data = models.JSONField("照面信息", default=dict)
    serial = models.CharField("顺序号", max_length=40)
    version = models.PositiveSmallIntegerField("版本号", default=1)
    issued_on = models.DateField("颁发日期")
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    status = models.CharField("状态", max_length=2, choices=STATUS_CHOICES, default=VALID)
    status_changed_at = models.DateTimeField("状态时间", default=timezone.now)
    previous = models.ForeignKey(
        "self", verbose_name="关联证照", null=True, blank=True, on_delete=models.PROTECT, related_name="successors"
    )
    case_number = models.CharField("来源办件编号", max_length=40, blank=True)
    signature = models.TextField("签章值（Base64）")
    key_id = models.CharField("签章密钥标识", max_length=40)
    algorithm = models.CharField("签名算法", max_length=10)
    digest = models.CharField("规范化摘要（SM3）", max_length=64)
    reminded_at = models.DateTimeField("到期提醒时间", null=True, blank=True)
    created_at = models.DateTimeField("入库时间", default=timezone.now)

    class Meta:
        verbose_name = "电子证照"
        verbose_name_plural = "电子证照"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["holder_person", "-id"], name="licence_holder_person_idx"),
            models.Index(fields=["holder_legal_person", "-id"], name="licence_holder_legal_idx"),
            models.Index(fields=["status", "valid_until"], name="licence_status_until_idx"),
            models.Index(fields=["type", "issuer", "serial"], name="licence_serial_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(holder_person__isnull=False) ^ Q(holder_legal_person__isnull=False),
                name="licence_one_holder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type.name} {self.identifier}"

    @property
    def tone(self) -> str:
        """The badge colour of its status, wherever it is shown."""
        return status_tone(self.status)

    @property
    def holder_id_masked(self) -> str:
        kind = "uscc" if self.holder_legal_person_id else "id_number"
        return mask(kind, self.holder_id_number)

    @property
    def holder_name_masked(self) -> str:
        return self.holder_name if self.holder_legal_person_id else mask("name", self.holder_name)


class LicenceStatus(models.Model):
    """Append-only history: one row per act on a licence, never edited."""

    licence = models.ForeignKey(Licence, verbose_name="证照", on_delete=models.PROTECT, related_name="history")
    act = models.CharField("操作", max_length=20)
    code = models.CharField("状态", max_length=2, choices=STATUS_CHOICES)
    reason = models.TextField("原因", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=60)
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "证照状态记录"
        verbose_name_plural = "证照状态记录"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.licence_id} {self.act} → {self.code}"


class LicenceCounter(models.Model):
    """The last serial given per licence type and issuer."""

    key = models.CharField(max_length=40, primary_key=True)
    value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}:{self.value}"


class SealKey(models.Model):
    """A department's signing key (电子印章密钥). The private key is stored encrypted (SM4-GCM under a
    key derived from TONGBAN_SEAL_MASTER_KEY, or SECRET_KEY when unset). Rotation retires the active
    key and creates a new one; retired keys stay to verify what they signed."""

    SM2, ED25519 = "sm2", "ed25519"
    ALGORITHMS = [(SM2, "SM2（SM3 摘要）"), (ED25519, "Ed25519")]

    department = models.ForeignKey("org.Department", verbose_name="部门", on_delete=models.PROTECT, related_name="+")
    key_id = models.CharField("密钥标识", max_length=40, unique=True)
    algorithm = models.CharField("算法", max_length=10, choices=ALGORITHMS)
    public_key = models.TextField("公钥（hex）")
    private_key_encrypted = models.TextField("私钥密文（Base64）")
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)

    class Meta:
        verbose_name = "签章密钥"
        verbose_name_plural = "签章密钥"
        ordering = ["department_id", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["department"], condition=Q(retired_at__isnull=True), name="sealkey_one_active_per_department"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key_id}（{self.algorithm}）"


class LicenceAuthorisation(models.Model):
    """The holder's consent (证照授权): one department, or the staff handling one case, may use this
    licence until `valid_until`. Each use is written to the exchange call log, where the holder sees
    it. Revoking ends it at once; the row stays as a record of what was consented."""

    licence = models.ForeignKey(Licence, verbose_name="证照", on_delete=models.PROTECT, related_name="authorisations")
    department = models.ForeignKey(
        "org.Department", verbose_name="授权部门", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case_number = models.CharField("授权办件编号", max_length=40, blank=True)
    purpose = models.CharField("用途", max_length=200)
    valid_until = models.DateField("授权有效期至")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="授权人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("授权时间", default=timezone.now)
    revoked_at = models.DateTimeField("撤回时间", null=True, blank=True)

    class Meta:
        verbose_name = "证照授权"
        verbose_name_plural = "证照授权"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["department", "valid_until"], name="licauth_department_idx"),
            models.Index(fields=["case_number"], name="licauth_case_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=False, case_number="") | Q(department__isnull=True) & ~Q(case_number=""),
                name="licauth_department_xor_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.licence_id} → {self.department_id or self.case_number}"


class LicenceImport(AbstractImportBatch):
    """A bulk import of historical licences (存量证照入库) from CSV or xlsx, run in the background row
    by row (imports.py), with its progress and the rejected rows kept for the department to fix
    and resubmit."""

    REJECTIONS_UNLISTED = "另有{count}行被拒绝，未逐行列出（报告只保留前{kept}行的原因）。"
    REPORT_FILENAME = "licence-import-{pk}-rejected.csv"

    department = models.ForeignKey(
        "org.Department", verbose_name="颁发机构", on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField("文件", upload_to="licences/imports/%Y/%m/", blank=True)
    imported = models.PositiveIntegerField("已入库", default=0)

    class Meta(AbstractImportBatch.Meta):
        verbose_name = "证照导入批次"
        verbose_name_plural = "证照导入批次"
