from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tongban.core.errors import NotFound
from tongban.core.identifiers import REGION_LEVELS, REGION_PREFIX_LENGTH
from tongban.core.scope import DataScope
from tongban.org.models import AgencyPoint, Department, Region, ServiceHall


def region_by_code(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise NotFound(_("行政区划代码“%(code)s”不存在。") % {"code": code}, code="region_not_found", field="region")
    return region


def region_children(code: str | None = None) -> QuerySet[Region]:
    return Region.objects.filter(parent_id=code).order_by("code")


def region_path(region: Region) -> list[Region]:
    """The region and its ancestors, root first, in one query."""
    codes = {region.code[: REGION_PREFIX_LENGTH[level]].ljust(12, "0") for level in REGION_LEVELS}
    return list(Region.objects.filter(code__in=codes).order_by("code"))


def department_by_id(department_id: int) -> Department:
    try:  # get(), not first(): a unique lookup needs no ORDER BY to compile
        return Department.objects.select_related("region").get(pk=department_id)
    except Department.DoesNotExist:
        raise NotFound(_("部门不存在。"), code="department_not_found", field="department") from None


def departments_in_scope(scope: DataScope) -> QuerySet[Department]:
    departments = Department.objects.filter(region__code__startswith=scope.region_prefix)
    if scope.department_ids is not None:
        departments = departments.filter(pk__in=scope.department_ids)
    return departments.select_related("region", "parent").order_by("region_id", "name")


def department_get(*, scope: DataScope, department_id: int) -> Department:
    department = departments_in_scope(scope).filter(pk=department_id).first()
    if department is None:
        raise NotFound(_("未找到该部门，或其不在您的数据范围内。"), code="department_not_found")
    return department


def halls_in_region(prefix: str) -> QuerySet[ServiceHall]:
    return (
        ServiceHall.objects.filter(region__code__startswith=prefix)
        .select_related("region")
        .prefetch_related("windows__departments")
    )


def agency_points_in_region(prefix: str) -> QuerySet[AgencyPoint]:
    return AgencyPoint.objects.filter(region__code__startswith=prefix).select_related("region")


def departments_by_uscc(codes: list[str]) -> QuerySet[Department]:
    return Department.objects.filter(uscc__in=[code.strip().upper() for code in codes]).select_related("region")
