from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tongban.core.field_crypto import BlindIndexed, BlindIndexField, EncryptedField
from tongban.core.masking import mask


class Person(BlindIndexed):
    """A natural person (自然人), real-name: the population base the platform knows."""

    SEXES = [("M", "男"), ("F", "女")]

    real_name = models.CharField("姓名", max_length=50)
    # Encrypted at rest; found through their blind indexes (core.field_crypto).
    id_number = EncryptedField("公民身份号码", max_length=18, index="id_number_index", normalize="upper")
    id_number_index = BlindIndexField("公民身份号码索引", source="id_number", unique=True)
    birth_date = models.DateField("出生日期")
    sex = models.CharField("性别", max_length=1, choices=SEXES)
    phone = EncryptedField("手机号码", max_length=11, blank=True, index="phone_index")
    phone_index = BlindIndexField("手机号码索引", source="phone", blank=True, db_index=True)
    region = models.ForeignKey(
        "org.Region", verbose_name="居住地区划", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "自然人"
        verbose_name_plural = "自然人"

    def __str__(self) -> str:
        return f"{mask('name', self.real_name)}（{self.masked_id_number}）"

    @property
    def masked_id_number(self) -> str:
        return mask("id_number", self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask("phone", self.phone)


class LegalPerson(models.Model):
    """A legal person (法人) or other organisation identified by its unified social credit code."""

    KINDS = [("enterprise", "企业"), ("individual", "个体工商户"), ("social", "社会组织"), ("public", "机关事业单位")]

    name = models.CharField("名称", max_length=120)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    kind = models.CharField("类型", max_length=12, choices=KINDS, default="enterprise")
    legal_representative = models.ForeignKey(
        Person, verbose_name="法定代表人", on_delete=models.PROTECT, related_name="represented"
    )
    region = models.ForeignKey(
        "org.Region", verbose_name="住所区划", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    address = EncryptedField("住所", max_length=200, blank=True)
    established_on = models.DateField("成立日期", null=True, blank=True)

    class Meta:
        verbose_name = "法人"
        verbose_name_plural = "法人"

    def __str__(self) -> str:
        return self.name


class Mandate(models.Model):
    """A natural person acting for a legal person: as its legal representative, or as an
    authorised agent (经办人) whose authorisation the representative grants and may revoke."""

    REPRESENTATIVE = "representative"
    AGENT = "agent"
    ROLES = [(REPRESENTATIVE, "法定代表人"), (AGENT, "经办人")]
    PENDING, ACTIVE, REVOKED, DECLINED = "pending", "active", "revoked", "declined"
    STATUSES = [(PENDING, "待法定代表人确认"), (ACTIVE, "有效"), (REVOKED, "已撤销"), (DECLINED, "已拒绝")]

    person = models.ForeignKey(Person, verbose_name="经办人", on_delete=models.PROTECT, related_name="mandates")
    legal_person = models.ForeignKey(
        LegalPerson, verbose_name="法人", on_delete=models.PROTECT, related_name="mandates"
    )
    role = models.CharField("身份", max_length=15, choices=ROLES)
    status = models.CharField("状态", max_length=10, choices=STATUSES, default=PENDING)
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "办事授权"
        verbose_name_plural = "办事授权"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "legal_person"],
                condition=Q(status__in=["pending", "active"]),
                name="mandate_one_open_per_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.legal_person}（{self.get_role_display()}，{self.get_status_display()}）"


class Post(models.Model):
    """A staff post (岗位): what a staff member may do. Codes are stable; names are shown.

    Three posts are the separated administrator roles of 等保 2.0 (三员分立, accounts/roles.py):
    the system administrator (admin), the security officer (security) and the audit officer
    (audit). Nobody holds two of them. A post whose `second_factor` is set needs TOTP at log-in."""

    ACCEPT, REVIEW, APPROVE, ISSUE, DELIVER = "accept", "review", "approve", "issue", "deliver"
    WINDOW, AGENT, SUPERVISE, DATA, GRID, HOTLINE = "window", "agent", "supervise", "data", "grid", "hotline"
    ADMIN, SECURITY, AUDIT = "admin", "security", "audit"
    ALL = [
        (ACCEPT, "受理"),
        (REVIEW, "审核"),
        (APPROVE, "审批"),
        (ISSUE, "办结"),
        (DELIVER, "送达"),
        (WINDOW, "综合窗口"),
        (AGENT, "代办"),
        (SUPERVISE, "监察"),
        (DATA, "数据"),
        (GRID, "网格"),
        (HOTLINE, "坐席"),
        (ADMIN, "系统管理"),
        (SECURITY, "安全管理"),
        (AUDIT, "安全审计"),
    ]
    SEPARATED_ROLES = (ADMIN, SECURITY, AUDIT)
    # The posts that need a second factor from the start (the security officer may change the list).
    SECOND_FACTOR_DEFAULT = (ADMIN, SECURITY, AUDIT, SUPERVISE, DATA)

    code = models.CharField("代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=20)
    order = models.PositiveSmallIntegerField("排序", default=0)
    second_factor = models.BooleanField("登录须动态口令", default=False)

    class Meta:
        verbose_name = "岗位"
        verbose_name_plural = "岗位"
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """One account model for citizens, enterprise agents and staff. A citizen's or agent's real
    name lives on the linked Person; staff details on Staff."""

    CITIZEN, STAFF = "citizen", "staff"
    KINDS = [(CITIZEN, "个人/企业用户"), (STAFF, "工作人员")]

    kind = models.CharField("账号类型", max_length=10, choices=KINDS, default=CITIZEN)
    person = models.OneToOneField(
        Person, verbose_name="实名信息", null=True, blank=True, on_delete=models.PROTECT, related_name="user"
    )
    failed_logins = models.PositiveSmallIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"

    @property
    def display_name(self) -> str:
        return self.person.real_name if self.person_id else (self.get_full_name() or self.username)

    @property
    def is_officer(self) -> bool:
        return self.kind == self.STAFF and hasattr(self, "staff")


class Staff(models.Model):
    """A staff member: department, posts and data scope (a region subtree × departments)."""

    user = models.OneToOneField(User, verbose_name="账号", on_delete=models.CASCADE, related_name="staff")
    department = models.ForeignKey(
        "org.Department", verbose_name="所属部门", on_delete=models.PROTECT, related_name="+"
    )
    posts = models.ManyToManyField(Post, verbose_name="岗位", related_name="staff")
    scope_region = models.ForeignKey(
        "org.Region", verbose_name="数据范围（区划）", on_delete=models.PROTECT, related_name="+"
    )
    scope_all_departments = models.BooleanField("范围内全部部门", default=False)
    scope_departments = models.ManyToManyField(
        "org.Department", verbose_name="数据范围（部门）", blank=True, related_name="+"
    )
    hall = models.ForeignKey(
        "org.ServiceHall", verbose_name="所在大厅", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agency_point = models.ForeignKey(
        "org.AgencyPoint", verbose_name="所在代办点", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"

    def __str__(self) -> str:
        return f"{self.user.display_name}（{self.department}）"


class TotpDevice(models.Model):
    """A staff member's authenticator app (动态口令, RFC 6238: SHA-1, six digits, 30-second steps).
    The device counts once confirmed by a first correct code; `last_step` is the time step of the
    last code accepted, so a code is good once even inside its window (accounts/second_factor.py)."""

    user = models.OneToOneField(User, verbose_name="账号", on_delete=models.CASCADE, related_name="totp_device")
    secret = EncryptedField("密钥（Base32）", max_length=64)  # SM4 at rest, like personal data
    created_at = models.DateTimeField("生成时间", default=timezone.now)
    confirmed_at = models.DateTimeField("绑定时间", null=True, blank=True)
    last_step = models.BigIntegerField("最近接受的时间步", null=True, blank=True)

    class Meta:
        verbose_name = "动态口令设备"
        verbose_name_plural = "动态口令设备"

    def __str__(self) -> str:
        return f"{self.user.get_username()}的动态口令"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(models.Model):
    """A single-use code for a lost authenticator, kept only as its hash (shown once at enrolment
    or regeneration; a regeneration deletes the previous set)."""

    user = models.ForeignKey(User, verbose_name="账号", on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField("恢复码摘要", max_length=64)
    created_at = models.DateTimeField("生成时间", default=timezone.now)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "恢复码"
        verbose_name_plural = "恢复码"
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.user.get_username()}的恢复码"
