"""Cases (办件): one application for one item version, from draft to delivery, with its history,
materials, files, correction notices, special procedures and the metrics kept for statistics.

States and the allowed transitions live in workflow.py; every write goes through services.py.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.utils import timezone

from tongban.core.field_crypto import EncryptedField
from tongban.core.masking import mask


class Case(models.Model):
    DRAFT, RECEIVED, HANDLING, CORRECTION, SPECIAL = "draft", "received", "handling", "correction", "special"
    APPROVED, NOT_APPROVED, COMPLETED, DELIVERED = "approved", "not_approved", "completed", "delivered"
    REFUSED, WITHDRAWN, REVOKED = "refused", "withdrawn", "revoked"
    STATUSES = [
        (DRAFT, "草稿"),
        (RECEIVED, "已接件"),
        (HANDLING, "办理中"),
        (CORRECTION, "补正中"),
        (SPECIAL, "特别程序"),
        (APPROVED, "审批通过"),
        (NOT_APPROVED, "不予许可"),
        (COMPLETED, "已办结"),
        (DELIVERED, "已送达"),
        (REFUSED, "不予受理"),
        (WITHDRAWN, "已撤回"),
        (REVOKED, "已撤销"),
    ]

    WEB, MOBILE, WINDOW, AGENT, API = "web", "mobile", "window", "agent", "api"
    CHANNELS = [(WEB, "网上办理"), (MOBILE, "移动端"), (WINDOW, "窗口受理"), (AGENT, "代办"), (API, "部门系统")]
    # The applicant files for themselves, with no clerk or agent between them …
    SELF_FILED = (WEB, MOBILE, API)
    # … and of those, on the portal's own pages, which ask what a window clerk would ask.
    PORTAL = (WEB, MOBILE)
    # Staff file for the person in front of them: a clerk at a window, a village agent.
    FILED_BY_STAFF = (WINDOW, AGENT)

    # The queue a case waits in (the workbench's lists); "" for drafts, "done" once it has ended.
    QUEUES = [
        ("accept", "待受理"),
        ("review", "待审核"),
        ("approve", "待审批"),
        ("issue", "待办结"),
        ("deliver", "待送达"),
        ("correction", "补正中"),
        ("special", "特别程序"),
        ("done", "已结束"),
    ]

    NONE, GREEN, YELLOW, RED, PAUSED, STOPPED = "", "green", "yellow", "red", "paused", "stopped"
    CLOCKS = [
        (NONE, "未计时"),
        (GREEN, "正常"),
        (YELLOW, "预警"),
        (RED, "超期"),
        (PAUSED, "暂停计时"),
        (STOPPED, "已结束"),
    ]

    DECISIONS = [("approved", "准予许可"), ("approved_owing", "容缺准予许可"), ("not_approved", "不予许可")]
    DELIVERIES = [("window", "窗口领取"), ("mail", "邮寄送达"), ("electronic", "电子送达")]

    number = models.CharField("办件编号", max_length=40, unique=True, null=True, blank=True)
    version = models.ForeignKey(
        "catalog.ItemVersion", verbose_name="事项版本", on_delete=models.PROTECT, related_name="+"
    )
    item_id = models.BigIntegerField("事项", db_index=True)
    item_name = models.CharField("事项名称", max_length=200)
    department = models.ForeignKey(
        "org.Department", verbose_name="实施主体", on_delete=models.PROTECT, related_name="+"
    )
    office = models.ForeignKey(
        "org.Department", verbose_name="当前办理部门", on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField("区划", max_length=12)

    # person, legal_person and filed_by lead indexes of their own (Meta), which serve their lookups:
    # a second, single-column index would only cost every insert.
    person = models.ForeignKey(
        "accounts.Person", verbose_name="申请人", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    legal_person = models.ForeignKey(
        "accounts.LegalPerson",
        verbose_name="申请单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    applicant_name = models.CharField("申请人名称", max_length=120)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办账号", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    channel = models.CharField("渠道", max_length=10, choices=CHANNELS, default=WEB)
    hall_id = models.BigIntegerField("服务大厅", null=True, blank=True)
    agency_point_id = models.BigIntegerField("代办点", null=True, blank=True)
    consent = models.JSONField("申请人授权", default=dict, blank=True)
    answers = models.JSONField("表单", default=dict, blank=True)
    eligibility = models.JSONField("受理条件确认", default=dict, blank=True)

    status = models.CharField("状态", max_length=12, choices=STATUSES, default=DRAFT)
    queue = models.CharField("队列", max_length=10, choices=QUEUES, blank=True)
    step = models.PositiveSmallIntegerField("当前环节序号", default=0)
    step_name = models.CharField("当前环节", max_length=30, blank=True)
    step_post = models.CharField("当前岗位", max_length=12, blank=True)
    correction_from = models.CharField("补正前状态", max_length=12, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="认领人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revision = models.PositiveIntegerField("修订号", default=0, help_text="每次状态变化加一，用于发现并发修改")

    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)
    submitted_at = models.DateTimeField("申请时间", null=True, blank=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    promised_days = models.PositiveSmallIntegerField("承诺时限（工作日）", default=0)
    paused_days = models.PositiveSmallIntegerField("暂停计时（工作日）", default=0)
    paused_since = models.DateField("暂停起始", null=True, blank=True)
    due_date = models.DateField("承诺办结日期", null=True, blank=True)
    warn_on = models.DateField("预警日期", null=True, blank=True)
    step_due_date = models.DateField("环节到期日期", null=True, blank=True)
    clock = models.CharField("计时状态", max_length=8, choices=CLOCKS, blank=True)

    decision = models.CharField("审批决定", max_length=16, choices=DECISIONS, blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    owed_material = models.CharField("容缺材料", max_length=200, blank=True)
    owed_until = models.DateField("容缺补交期限", null=True, blank=True)
    result_name = models.CharField("办理结果", max_length=100, blank=True)
    result_reference = models.CharField("结果文号或证照标识", max_length=120, blank=True)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    # How the applicant asked to receive the result (the review page, the window); 送达 honours it.
    delivery_choice = models.CharField(
        "领取方式", max_length=10, choices=DELIVERIES, blank=True, default="", db_default=""
    )
    delivery_address = EncryptedField("邮寄地址", blank=True, default="", db_default="")
    delivery = models.CharField("送达方式", max_length=10, choices=DELIVERIES, blank=True)
    carrier = models.CharField("快递公司", max_length=30, blank=True)
    tracking_number = models.CharField("运单号", max_length=40, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        indexes = [
            # Workbench queues: the current office's cases in one queue, earliest due first.
            models.Index(
                fields=["office", "queue", "due_date", "id"],
                include=["region_code", "clock"],
                condition=~models.Q(queue__in=["", "done"]),
                name="case_office_queue_idx",
            ),
            # 即将超期 / 已超期 cut across queues: by colour, for an office or a whole region.
            models.Index(
                fields=["office", "clock", "due_date", "id"],
                condition=~models.Q(queue__in=["", "done"]),
                name="case_office_clock_idx",
            ),
            models.Index(
                fields=["clock", "due_date", "id"],
                include=["region_code"],
                condition=~models.Q(queue__in=["", "done"]),
                name="case_clock_queue_idx",
            ),
            models.Index(
                fields=["queue", "region_code", "due_date", "id"],
                condition=~models.Q(queue__in=["", "done"]),
                name="case_region_queue_idx",
            ),
            # The clock sweep: only running clocks, by the dates that change their colour.
            models.Index(fields=["due_date"], condition=models.Q(clock__in=["green", "yellow"]), name="case_due_idx"),
            models.Index(fields=["warn_on"], condition=models.Q(clock="green"), name="case_warn_idx"),
            models.Index(fields=["person", "created_at"], name="case_person_idx"),
            models.Index(fields=["filed_by", "created_at"], name="case_filer_idx"),
            models.Index(fields=["legal_person", "created_at"], name="case_legal_idx"),
        ]

    def __str__(self) -> str:
        return self.number or f"草稿 #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.queue not in ("", "done")

    @property
    def applicant_shown(self) -> str:
        """An enterprise's name is public registration data; a person's name is masked."""
        return self.applicant_name if self.legal_person_id else mask("name", self.applicant_name)


class CaseCounter(models.Model):
    """The last sequence number given per region, day and item: the tail of a case number."""

    key = models.CharField(max_length=40, primary_key=True)
    value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}:{self.value}"


class CaseStatus(models.Model):
    """One row of a case's history (append-only): what happened, who, where, when and why. `code`
    is the national status code (1–15) when the act has one."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="history")
    act = models.CharField("动作", max_length=30)
    code = models.PositiveSmallIntegerField("国家状态代码", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=Case.STATUSES)
    step_name = models.CharField("环节", max_length=30, blank=True)
    opinion = models.TextField("意见", blank=True)
    number = models.CharField("办件编号", max_length=40, blank=True)
    region_code = models.CharField("区划", max_length=12)
    office_name = models.CharField("办理部门", max_length=120, blank=True)
    office_uscc = models.CharField("部门统一社会信用代码", max_length=18, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=60, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "办件状态记录"
        verbose_name_plural = "办件状态记录"
        ordering = ["case_id", "id"]

    def __str__(self) -> str:
        return f"{self.number} {self.act}"


class CaseMaterial(models.Model):
    """A material the case needs (the item's list, with conditional ones already decided) and how
    it was provided."""

    UPLOAD, PAPER, LICENCE, SHARED, OWED = "upload", "paper", "licence", "shared", "owed"
    PROVIDED = [
        (UPLOAD, "电子文件"),
        (PAPER, "纸质材料"),
        (LICENCE, "电子证照"),
        (SHARED, "共享数据"),
        (OWED, "容缺后补"),
    ]
    EXEMPT = (LICENCE, SHARED)  # provided by the government's own data: the applicant brought nothing

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    version_material_id = models.BigIntegerField("事项材料", null=True, blank=True)
    standard_code = models.CharField("标准材料", max_length=30, blank=True)
    name = models.CharField("材料名称", max_length=150)
    required = models.BooleanField("必要", default=True)
    source = models.CharField("来源", max_length=10, default="applicant")
    source_ref = models.CharField("来源标识", max_length=100, blank=True)
    provided = models.CharField("提供方式", max_length=10, choices=PROVIDED, blank=True)
    evidence = models.JSONField("来源凭据", default=dict, blank=True)
    checked = models.BooleanField("已核验", default=False)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "办件材料"
        verbose_name_plural = "办件材料"
        ordering = ["case_id", "order", "id"]

    def __str__(self) -> str:
        return self.name


class CaseFile(models.Model):
    """An uploaded file of a material, checked by its real content and kept with its SHA-256."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="files")
    material = models.ForeignKey(CaseMaterial, on_delete=models.CASCADE, related_name="files")
    file = models.FileField("文件", upload_to="cases/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")
    pages = models.PositiveSmallIntegerField("页数", default=1)
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = "材料文件"
        verbose_name_plural = "材料文件"
        ordering = ["material_id", "id"]

    def __str__(self) -> str:
        return self.original_name


class CaseCorrection(models.Model):
    """A one-time correction notice (一次性告知): everything missing, listed once, with a limit."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="corrections")
    items = models.JSONField("补正事项", default=list, help_text='[{"material_id": 1, "name": "…", "reason": "…"}]')
    note = models.TextField("说明", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="告知人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_on = models.DateField("告知日期")
    requested_at = models.DateTimeField("告知时间", default=timezone.now)
    due_date = models.DateField("补正期限")
    answered_on = models.DateField("补正日期", null=True, blank=True)
    answer = models.TextField("补正说明", blank=True)
    expired = models.BooleanField("逾期未补正", default=False)

    class Meta:
        verbose_name = "补正告知"
        verbose_name_plural = "补正告知"
        ordering = ["case_id", "id"]

    def __str__(self) -> str:
        return f"补正告知 {self.requested_on}"

    def material_ids(self) -> list[int]:
        return [line["material_id"] for line in self.items if line.get("material_id")]

    def renewed(self, material: "CaseMaterial", files: Iterable["CaseFile"]) -> bool:
        """Whether the applicant has renewed a material this notice asks for: a file uploaded
        after the notice, or the material handed over on paper. The page and the answer's check
        both ask here, so they cannot disagree."""
        return material.provided == CaseMaterial.PAPER or any(f.uploaded_at > self.requested_at for f in files)


class CaseSpecialProcedure(models.Model):
    KINDS = [
        ("inspection", "现场勘查"),
        ("expert", "专家评审"),
        ("hearing", "听证"),
        ("notice", "公示"),
        ("testing", "检验检测"),
    ]

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="special_procedures")
    kind = models.CharField("程序", max_length=12, choices=KINDS)
    limit_days = models.PositiveSmallIntegerField("时限（工作日）")
    note = models.CharField("说明", max_length=200, blank=True)
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    result = models.CharField("结论", max_length=200, blank=True)

    class Meta:
        verbose_name = "特别程序"
        verbose_name_plural = "特别程序"
        ordering = ["case_id", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()


class CaseMetrics(models.Model):
    """What statistics need of a case, written once when it ends."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="metrics")
    region_code = models.CharField("区划", max_length=12)
    department_id = models.BigIntegerField("实施主体")
    item_id = models.BigIntegerField("事项")
    channel = models.CharField("渠道", max_length=10, choices=Case.CHANNELS)
    outcome = models.CharField("结果", max_length=12, choices=Case.STATUSES)
    visits = models.PositiveSmallIntegerField("到现场次数", default=0)
    materials_submitted = models.PositiveSmallIntegerField("提交材料数", default=0)
    materials_exempted = models.PositiveSmallIntegerField("免提交材料数", default=0)
    days_used = models.PositiveSmallIntegerField("实际用时（工作日）", null=True, blank=True)
    days_promised = models.PositiveSmallIntegerField("承诺时限（工作日）", default=0)
    on_time = models.BooleanField("按时办结", null=True)
    steps = models.PositiveSmallIntegerField("流转环节数", default=0)
    actors = models.JSONField("经办人", default=list)
    ended_on = models.DateField("结束日期", db_index=True)

    class Meta:
        verbose_name = "办件统计"
        verbose_name_plural = "办件统计"

    def __str__(self) -> str:
        return f"{self.case_id}"


class DeadlineRecomputation(models.Model):
    """A background rebuild of the open cases' deadlines after an official calendar change
    (`calendar.changed`): one row per event, so a redelivered event starts nothing twice, with
    its progress; `after_case_id` is where a run that stopped half-way takes up again."""

    PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
    STATUSES = [(PENDING, "排队中"), (RUNNING, "重算中"), (DONE, "已完成"), (FAILED, "已失败")]

    event_id = models.BigIntegerField("来源事件", unique=True, null=True, blank=True)
    years = models.JSONField("年份", default=list)
    status = models.CharField("状态", max_length=10, choices=STATUSES, default=PENDING)
    total = models.PositiveIntegerField("涉及办件", default=0)
    processed = models.PositiveIntegerField("已重算", default=0)
    moved = models.PositiveIntegerField("承诺办结日期变化", default=0)
    after_case_id = models.BigIntegerField("已处理到", default=0)
    error = models.CharField("失败原因", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "期限重算"
        verbose_name_plural = "期限重算"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{'、'.join(map(str, self.years))}年期限重算（{self.get_status_display()}）"

    @property
    def percent(self) -> int:
        return 100 if self.status == self.DONE or not self.total else min(99, self.processed * 100 // self.total)
