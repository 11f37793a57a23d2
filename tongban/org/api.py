from ninja import Router, Schema
from ninja.security import django_auth

from tongban.core.scope import scope_of
from tongban.org import selectors

router = Router()


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_id: str | None


class DepartmentOut(Schema):
    id: int
    name: str
    short_name: str
    uscc: str
    region_id: str
    parent_id: int | None


@router.get("/regions", response=list[RegionOut], summary="下级行政区划（不传 parent 为顶级）")
def list_regions(request, parent: str | None = None):
    return list(selectors.region_children(parent))


@router.get("/departments", response=list[DepartmentOut], auth=django_auth, summary="数据范围内的部门")
def list_departments(request):
    return list(selectors.departments_in_scope(scope_of(request.user)))


@router.get("/departments/{department_id}", response=DepartmentOut, auth=django_auth, summary="部门详情")
def get_department(request, department_id: int):
    return selectors.department_get(scope=scope_of(request.user), department_id=department_id)
