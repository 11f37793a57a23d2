"""Writes to the organisation: each validates its national codes and is audited."""

from django.db import transaction
from django.utils.translation import gettext as _

from tongban.core.actors import BaseActor as Actor  # org stands below accounts: any user
from tongban.core.audit import audit_record
from tongban.core.errors import Conflict, ValidationFailed
from tongban.core.identifiers import parse_uscc, region_level, region_parent_code
from tongban.org.models import AgencyPoint, Department, Region, ServiceHall, Window


@transaction.atomic
def region_placement(code: str) -> tuple[str, Region | None]:
    """The level and the parent of a new region, which its code names (a city may stand alone);
    refuses a code already taken or a parent not yet registered."""
    level = region_level(code)
    parent_code = region_parent_code(code)
    parent = None
    if parent_code is not None:
        parent = Region.objects.filter(code=parent_code).first()
        if parent is None and level != "city":
            raise ValidationFailed(
                _("上级区划“%(parent_code)s”尚未登记，请先添加上级区划。") % {"parent_code": parent_code},
                code="region_parent_missing",
            )
    if Region.objects.filter(code=code).exists():
        raise Conflict(_("区划代码“%(code)s”已存在。") % {"code": code}, code="region_exists", field="code")
    return level, parent


def region_create(*, code: str, name: str, actor: Actor = None) -> Region:
    """Add a region under its parent, which the code itself names."""
    level, parent = region_placement(code)
    region = Region.objects.create(code=code, name=name.strip(), level=level, parent=parent)
    audit_record(action="region.create", obj=region, actor=actor, region_code=code)
    return region


@transaction.atomic
def department_create(
    *, name: str, short_name: str, uscc: str, region_code: str, parent_id: int | None = None, actor: Actor = None
) -> Department:
    code = parse_uscc(uscc).value
    if Department.objects.filter(uscc=code).exists():
        raise Conflict(_("该统一社会信用代码已登记为其他部门。"), code="department_uscc_taken", field="uscc")
    department = Department.objects.create(
        name=name.strip(), short_name=short_name.strip(), uscc=code, region_id=region_code, parent_id=parent_id
    )
    audit_record(action="department.create", obj=department, actor=actor, region_code=region_code)
    return department


@transaction.atomic
def hall_create(*, name: str, region_code: str, address: str, phone: str = "", actor: Actor = None) -> ServiceHall:
    hall = ServiceHall.objects.create(name=name, region_id=region_code, address=address, phone=phone)
    audit_record(action="hall.create", obj=hall, actor=actor, region_code=region_code)
    return hall


@transaction.atomic
def window_create(
    *, hall: ServiceHall, number: str, name: str, kind: str, department_ids: list[int], actor: Actor = None
) -> Window:
    window = Window.objects.create(hall=hall, number=number, name=name, kind=kind)
    window.departments.set(department_ids)
    audit_record(action="window.create", obj=window, actor=actor, region_code=hall.region_id)
    return window


@transaction.atomic
def agency_point_create(
    *, name: str, region_code: str, address: str, phone: str = "", actor: Actor = None
) -> AgencyPoint:
    if region_level(region_code) != "village":
        raise ValidationFailed(_("代办点应设在村（社区）一级。"), code="agency_point_level", field="region")
    point = AgencyPoint.objects.create(name=name, region_id=region_code, address=address, phone=phone)
    audit_record(action="agency_point.create", obj=point, actor=actor, region_code=region_code)
    return point
