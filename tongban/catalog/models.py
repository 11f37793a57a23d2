"""The service catalogue (事项清单): items of the national implementation list, versioned.

An Item is the stable identity (basic code, hierarchy, implementing department); everything a
citizen reads or a case follows lives on an ItemVersion. A published version never changes: a
change is a new draft that supersedes it when published, and cases pin the version they were
filed under.
"""

from django.db import models
from django.db.models import Q

from tongban.core.money import yuan


class ItemType(models.Model):
    """事项类型: a configurable dictionary (provinces disagree on the codes)."""

    code = models.CharField("代码", max_length=20, primary_key=True)
    name = models.CharField("名称", max_length=30, unique=True)
    on_application = models.BooleanField("依申请", default=True, help_text="依申请的事项由群众和企业申请办理")
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "事项类型"
        verbose_name_plural = "事项类型"
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class Theme(models.Model):
    """主题分类 for natural persons (生育收养, 户籍办理…) and legal persons (设立变更, 准营准办…)."""

    PERSON, LEGAL = "person", "legal"
    AUDIENCES = [(PERSON, "自然人"), (LEGAL, "法人")]

    code = models.CharField("代码", max_length=20, primary_key=True)
    name = models.CharField("名称", max_length=30)
    audience = models.CharField("服务对象", max_length=10, choices=AUDIENCES)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "主题分类"
        verbose_name_plural = "主题分类"
        ordering = ["audience", "order"]
        constraints = [models.UniqueConstraint(fields=["audience", "name"], name="theme_unique_name_per_audience")]

    def __str__(self) -> str:
        return f"{self.get_audience_display()}·{self.name}"


class LifeEvent(models.Model):
    """人生事件 / 企业生命周期: how people look for services ("我要生孩子", "我要开饭店"). Each
    event gathers the items of some themes; administrators maintain the list."""

    code = models.CharField("代码", max_length=20, primary_key=True)
    name = models.CharField("名称", max_length=30)
    audience = models.CharField("服务对象", max_length=10, choices=Theme.AUDIENCES)
    themes = models.ManyToManyField(Theme, verbose_name="包含的主题", related_name="life_events")
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "人生事件"
        verbose_name_plural = "人生事件"
        ordering = ["audience", "order"]

    def __str__(self) -> str:
        return self.name


class StandardMaterial(models.Model):
    """标准材料: one id per kind of document across all items, so bundles can de-duplicate and the
    exchange can map a material to a data source."""

    code = models.CharField("代码", max_length=30, primary_key=True)
    name = models.CharField("名称", max_length=100, unique=True)
    description = models.CharField("说明", max_length=300, blank=True)
    licence_type_code = models.CharField("对应电子证照类型", max_length=30, blank=True)
    shared_field = models.CharField("对应共享数据字段", max_length=100, blank=True)

    class Meta:
        verbose_name = "标准材料"
        verbose_name_plural = "标准材料"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    """A service item: 主项 → 子项 → 业务办理项 (by situation)."""

    MAIN, SUB, HANDLING = "main", "sub", "handling"
    KINDS = [(MAIN, "主项"), (SUB, "子项"), (HANDLING, "业务办理项")]
    SITUATIONS = [("new", "新设"), ("change", "变更"), ("renew", "延续"), ("cancel", "注销")]

    basic_code = models.CharField("基本编码", max_length=40, db_index=True)
    kind = models.CharField("层级", max_length=10, choices=KINDS, default=MAIN)
    parent = models.ForeignKey(
        "self", verbose_name="上级事项", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    situation = models.CharField("办理情形", max_length=10, choices=SITUATIONS, blank=True)
    department = models.ForeignKey(
        "org.Department", verbose_name="实施主体", on_delete=models.PROTECT, related_name="+"
    )
    current = models.ForeignKey(
        "ItemVersion", verbose_name="现行版本", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    popularity = models.PositiveIntegerField("热度", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "事项"
        verbose_name_plural = "事项"
        constraints = [
            models.UniqueConstraint(fields=["department", "basic_code", "situation"], name="item_unique_per_body"),
            models.CheckConstraint(
                condition=Q(kind="main", parent__isnull=True) | ~Q(kind="main"), name="item_main_has_no_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.current.name if self.current_id else self.basic_code


class ItemVersion(models.Model):
    """Every element of the implementation list (实施清单) at one version."""

    DRAFT, PUBLISHED, SUPERSEDED, WITHDRAWN = "draft", "published", "superseded", "withdrawn"
    STATUSES = [(DRAFT, "草稿"), (PUBLISHED, "已发布"), (SUPERSEDED, "已被替代"), (WITHDRAWN, "已撤销")]
    LEVELS = [
        ("national", "国家级"),
        ("province", "省级"),
        ("city", "市级"),
        ("county", "县级"),
        ("township", "乡级"),
        ("village", "村级"),
    ]
    PROMISE_KINDS = [("instant", "即办件"), ("promised", "承诺件")]
    REVIEW_KINDS = [("instant", "即审即办"), ("staged", "前审后批")]
    DEPTHS = [(1, "一级：在线咨询"), (2, "二级：在线预审"), (3, "三级：在线受理"), (4, "四级：全程网办")]
    RESULT_TYPES = [("licence", "出证"), ("document", "出文"), ("approval", "审批"), ("none", "无")]

    item = models.ForeignKey(Item, verbose_name="事项", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    status = models.CharField("状态", max_length=10, choices=STATUSES, default=DRAFT, db_index=True)

    name = models.CharField("事项名称", max_length=200)
    implementation_code = models.CharField("实施编码", max_length=80)
    handling_code = models.CharField("业务办理项编码", max_length=80, blank=True)
    item_type = models.ForeignKey(ItemType, verbose_name="事项类型", on_delete=models.PROTECT, related_name="+")
    legal_basis = models.TextField("设定依据")
    level = models.CharField("行使层级", max_length=10, choices=LEVELS, default="city")
    co_departments = models.ManyToManyField("org.Department", verbose_name="联办机构", blank=True, related_name="+")
    for_persons = models.BooleanField("服务对象：自然人", default=True)
    for_legal_persons = models.BooleanField("服务对象：法人", default=False)
    themes = models.ManyToManyField(Theme, verbose_name="主题分类", blank=True, related_name="versions")
    keywords = models.CharField(
        "关键词与俗称", max_length=300, blank=True, help_text="以空格分隔，如“开饭店 餐馆 饭馆”，用于搜索"
    )
    promise_kind = models.CharField("办件类型", max_length=10, choices=PROMISE_KINDS, default="promised")
    review_kind = models.CharField("审查类型", max_length=10, choices=REVIEW_KINDS, default="staged")
    legal_limit_days = models.PositiveSmallIntegerField("法定办结时限（工作日）", default=20)
    promised_limit_days = models.PositiveSmallIntegerField("承诺办结时限（工作日）", default=10)
    conditions = models.TextField("受理条件", blank=True)
    visits = models.PositiveSmallIntegerField("到现场次数", default=0)
    visits_reason = models.CharField("到现场原因", max_length=200, blank=True)
    online_depth = models.PositiveSmallIntegerField("网办深度", choices=DEPTHS, default=4)
    by_window = models.BooleanField("窗口办理", default=True)
    by_online = models.BooleanField("网上办理", default=True)
    by_mail = models.BooleanField("快递申请", default=False)
    charged = models.BooleanField("是否收费", default=False)
    online_payment = models.BooleanField("支持网上支付", default=False)
    result_type = models.CharField("审批结果类型", max_length=10, choices=RESULT_TYPES, default="document")
    result_name = models.CharField("审批结果名称", max_length=100, blank=True)
    result_sample = models.FileField("审批结果样本", upload_to="catalog/samples/", blank=True)
    result_licence_type = models.CharField("结果电子证照类型", max_length=30, blank=True)
    delivery_window = models.BooleanField("窗口领取", default=True)
    delivery_mail = models.BooleanField("邮寄送达", default=True)
    delivery_electronic = models.BooleanField("电子送达", default=False)
    delivery_days = models.PositiveSmallIntegerField("送达时限（工作日）", default=1)
    hall = models.ForeignKey(
        "org.ServiceHall", verbose_name="办理地点", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    windows = models.CharField("办理窗口", max_length=100, blank=True)
    hours = models.CharField("办理时间", max_length=100, default="周一至周五 9:00-12:00，13:30-17:00（法定节假日除外）")
    consult_phone = models.CharField("咨询电话", max_length=30)
    complaint_phone = models.CharField("监督投诉电话", max_length=30, default="12345")
    faq = models.JSONField("常见问题", default=list, blank=True, help_text='[{"q": "问题", "a": "回答"}]')
    search_text = models.TextField(
        "检索词", blank=True, editable=False, help_text="分词、全拼、首字母和编码，由服务自动维护"
    )

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.CharField("发布人", max_length=150, blank=True)
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)

    class Meta:
        verbose_name = "事项版本"
        verbose_name_plural = "事项版本"
        ordering = ["item_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="version_unique_number"),
            models.UniqueConstraint(fields=["item"], condition=Q(status="published"), name="version_one_published"),
            models.UniqueConstraint(fields=["item"], condition=Q(status="draft"), name="version_one_draft"),
        ]
        indexes = [
            # Search reads only these columns of the published versions it matched (PostgreSQL
            # answers from the index alone; SQLite ignores INCLUDE).
            models.Index(
                fields=["id"],
                include=["name", "keywords", "item"],
                condition=Q(status="published"),
                name="version_search_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.number}版·{self.get_status_display()}）"

    @property
    def delivery_methods(self) -> list[str]:
        """How the result may reach the applicant (cases.Case.DELIVERIES' codes), in the order a
        page offers them."""
        offered = {"window": self.delivery_window, "mail": self.delivery_mail, "electronic": self.delivery_electronic}
        return [code for code, on in offered.items() if on]

    @property
    def promised_days(self) -> int:
        """The working days promised to the applicant: none for 即办件, done the day it is accepted
        (catalog.rules keeps their promised limit at 0; this says so in one place)."""
        return 0 if self.promise_kind == "instant" else self.promised_limit_days

    @property
    def editable(self) -> bool:
        return self.status == self.DRAFT


class CatalogueGeneration(models.Model):
    """Changes whenever what the public catalogue shows changes (a version published or withdrawn,
    tokens rebuilt), so each process knows when its in-memory search index is stale."""

    number = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "事项清单版本号"
        verbose_name_plural = "事项清单版本号"

    def __str__(self) -> str:
        return f"#{self.number}"


class SearchToken(models.Model):
    """One word of a version's search index (a word, its pinyin or initials, a code). A query term
    matches a token it begins: an indexed prefix lookup on SQLite and PostgreSQL alike."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=100, db_index=True)

    class Meta:
        verbose_name = "检索词"
        verbose_name_plural = "检索词"
        constraints = [models.UniqueConstraint(fields=["version", "token"], name="search_token_unique")]

    def __str__(self) -> str:
        return self.token


class VersionMaterial(models.Model):
    """申请材料 of one version."""

    SOURCES = [("applicant", "申请人提交"), ("licence", "电子证照"), ("shared", "共享数据")]

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="materials")
    standard = models.ForeignKey(StandardMaterial, verbose_name="标准材料", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("材料名称", max_length=150, blank=True, help_text="留空则使用标准材料名称")
    required = models.BooleanField("必要", default=True)
    condition = models.CharField("需要提交的情形", max_length=200, blank=True)
    condition_rule = models.JSONField(
        "情形规则", default=dict, blank=True, help_text='按表单回答判断，如 {"field": "has_agent", "equals": true}'
    )
    original_count = models.PositiveSmallIntegerField("原件份数", default=0)
    copy_count = models.PositiveSmallIntegerField("复印件份数", default=1)
    paper = models.BooleanField("纸质", default=False)
    electronic = models.BooleanField("电子", default=True)
    template = models.FileField("空白表格", upload_to="catalog/templates/", blank=True)
    sample = models.FileField("示例样表", upload_to="catalog/samples/", blank=True)
    source = models.CharField("来源", max_length=10, choices=SOURCES, default="applicant")
    source_ref = models.CharField("来源标识", max_length=100, blank=True, help_text="电子证照类型代码或共享数据字段")
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["version_id", "order", "id"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.standard.name


class VersionStep(models.Model):
    """办理流程 step: 受理 → 审核 → 审批 → 办结 → 送达 by default."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField("顺序")
    name = models.CharField("环节", max_length=30)
    post_code = models.CharField("岗位", max_length=12, help_text="accept / review / approve / issue / deliver")
    budget_days = models.PositiveSmallIntegerField("时限（工作日）", default=1)
    department = models.ForeignKey(
        "org.Department",
        verbose_name="办理部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="留空为实施主体",
    )

    class Meta:
        verbose_name = "办理环节"
        verbose_name_plural = "办理环节"
        ordering = ["version_id", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "order"], name="step_unique_order")]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class VersionFormField(models.Model):
    """One field of an item's application form (一表申请), stored as data and rendered and
    validated by tongban.catalog.forms_engine."""

    KINDS = [
        ("text", "文本"),
        ("textarea", "多行文本"),
        ("number", "数字"),
        ("date", "日期"),
        ("choice", "单选"),
        ("multichoice", "多选"),
        ("id_number", "身份证号码"),
        ("uscc", "统一社会信用代码"),
        ("phone", "手机号码"),
        ("address", "地址（含区划）"),
        ("money", "金额（元）"),
        ("table", "表格"),
        ("file", "附件"),
        ("boolean", "是/否"),
    ]
    PREFILLS = [
        ("", "不预填"),
        ("person.name", "申请人姓名"),
        ("person.id_number", "申请人身份证号码"),
        ("person.phone", "申请人手机号码"),
        ("legal.name", "企业名称"),
        ("legal.uscc", "统一社会信用代码"),
        ("legal.representative", "法定代表人姓名"),
    ]

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="form_fields")
    order = models.PositiveSmallIntegerField("顺序")
    key = models.SlugField("字段标识", max_length=40)
    label = models.CharField("名称", max_length=60)
    kind = models.CharField("类型", max_length=12, choices=KINDS, default="text")
    required = models.BooleanField("必填", default=True)
    help_text = models.CharField("填写说明", max_length=200, blank=True)
    options = models.JSONField("选项", default=list, blank=True, help_text="单选、多选的选项；表格的列")
    rules = models.JSONField(
        "校验规则",
        default=dict,
        blank=True,
        help_text='如 {"min_length": 2, "max_length": 50, "min": 0, "max": 100, "pattern": "..."}',
    )
    prefill = models.CharField("预填来源", max_length=40, choices=PREFILLS, blank=True)

    class Meta:
        verbose_name = "申请表字段"
        verbose_name_plural = "申请表字段"
        ordering = ["version_id", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="form_field_unique_key")]

    def __str__(self) -> str:
        return self.label


class VersionSpecialProcedure(models.Model):
    """特别程序 an item may need (现场勘查, 专家评审…): it stops the case clock, with its own limit."""

    KINDS = [
        ("inspection", "现场勘查"),
        ("expert", "专家评审"),
        ("hearing", "听证"),
        ("notice", "公示"),
        ("testing", "检验检测"),
    ]

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="special_procedures")
    kind = models.CharField("程序", max_length=12, choices=KINDS)
    limit_days = models.PositiveSmallIntegerField("时限（工作日）")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "特别程序"
        verbose_name_plural = "特别程序"
        constraints = [models.UniqueConstraint(fields=["version", "kind"], name="special_procedure_unique_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.limit_days}个工作日）"


class VersionFee(models.Model):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField("收费项目", max_length=100)
    amount_fen = models.PositiveIntegerField("收费标准（分）")
    legal_basis = models.CharField("收费依据", max_length=300)

    class Meta:
        verbose_name = "收费项目"
        verbose_name_plural = "收费项目"

    def __str__(self) -> str:
        return f"{self.name} ¥{yuan(self.amount_fen)}"
