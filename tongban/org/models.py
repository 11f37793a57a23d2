from django.db import models

from tongban.core.identifiers import REGION_PREFIX_LENGTH


class Region(models.Model):
    """A node of the region tree, keyed by its 12-digit statistical division code. A subtree is
    every code that starts with the node's significant digits (`prefix`), so scope filters are a
    single indexed prefix match."""

    LEVELS = [
        ("province", "省"),
        ("city", "市"),
        ("county", "区县"),
        ("township", "乡镇街道"),
        ("village", "村社区"),
    ]

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=60)
    level = models.CharField("层级", max_length=10, choices=LEVELS)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return self.code[: REGION_PREFIX_LENGTH[self.level]]


class Department(models.Model):
    """A government department (or public institution) that implements services."""

    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=30)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="departments")
    parent = models.ForeignKey(
        "self", verbose_name="上级部门", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["region_id", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="department_unique_name_in_region")]

    def __str__(self) -> str:
        return self.name


class ServiceHall(models.Model):
    """A government service hall (政务服务中心/便民服务中心) with its windows."""

    name = models.CharField("名称", max_length=100)
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="halls")
    address = models.CharField("地址", max_length=200)
    phone = models.CharField("咨询电话", max_length=20, blank=True)
    hours = models.CharField("办公时间", max_length=100, default="周一至周五 9:00-12:00，13:30-17:00")

    class Meta:
        verbose_name = "服务大厅"
        verbose_name_plural = "服务大厅"
        ordering = ["region_id", "name"]

    def __str__(self) -> str:
        return self.name


class Window(models.Model):
    """A window of a hall. A comprehensive window (综合窗口) accepts every item of the departments
    it lists (一窗受理)."""

    KINDS = [("comprehensive", "综合窗口"), ("special", "专业窗口"), ("delivery", "出件窗口")]

    hall = models.ForeignKey(ServiceHall, verbose_name="服务大厅", on_delete=models.CASCADE, related_name="windows")
    number = models.CharField("窗口号", max_length=10)
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类型", max_length=15, choices=KINDS, default="comprehensive")
    departments = models.ManyToManyField(Department, verbose_name="受理部门", blank=True, related_name="windows")

    class Meta:
        verbose_name = "窗口"
        verbose_name_plural = "窗口"
        ordering = ["hall_id", "number"]
        constraints = [models.UniqueConstraint(fields=["hall", "number"], name="window_unique_number_in_hall")]

    def __str__(self) -> str:
        return f"{self.hall} {self.number}号窗口"


class AgencyPoint(models.Model):
    """A village or community agency point (代办点) where agents apply for villagers."""

    name = models.CharField("名称", max_length=100)
    region = models.ForeignKey(
        Region, verbose_name="所在村社区", on_delete=models.PROTECT, related_name="agency_points"
    )
    address = models.CharField("地址", max_length=200)
    phone = models.CharField("联系电话", max_length=20, blank=True)

    class Meta:
        verbose_name = "代办点"
        verbose_name_plural = "代办点"
        ordering = ["region_id"]

    def __str__(self) -> str:
        return self.name
