"""Factories for licences: a licence type (defining body = a department with a valid USCC), an issuer
officer holding the 发证 post, and issued licences made through the service (so they are signed)."""

import itertools

from tongban.accounts.tests.factories import LegalPersonFactory, PersonFactory, StaffFactory
from tongban.licences import services
from tongban.licences.models import LicenceType
from tongban.org.tests.factories import DepartmentFactory

_types = itertools.count(1)

PERSON_FIELDS = [
    {"name": "spouse_name", "label": "配偶姓名", "type": "text", "required": True},
    {"name": "registered_on", "label": "登记日期", "type": "date", "required": True},
    {"name": "note", "label": "备注", "type": "text", "required": False},
]
LEGAL_FIELDS = [
    {"name": "scope", "label": "经营范围", "type": "text", "required": True},
    {"name": "capital", "label": "注册资本（万元）", "type": "integer", "required": True},
    {"name": "established_on", "label": "成立日期", "type": "date", "required": True},
    {"name": "chain", "label": "连锁经营", "type": "boolean", "required": False},
]


def licence_type(*, department=None, holder_kind: str = LicenceType.NATURAL, validity_years: int | None = 5, **kwargs):
    department = department or DepartmentFactory()
    n = next(_types)
    licence_type = LicenceType.objects.create(
        code=kwargs.pop("code", f"{department.uscc}{n % 1000:03d}"),
        short_code=kwargs.pop("short_code", f"T{n}"),
        name=kwargs.pop("name", f"测试证{n}"),
        defining_department=department,
        holder_kind=holder_kind,
        fields=kwargs.pop("fields", PERSON_FIELDS if holder_kind == LicenceType.NATURAL else LEGAL_FIELDS),
        validity_years=validity_years,
        **kwargs,
    )
    licence_type.issuing_departments.add(department)
    return licence_type


def issuer_officer(department, posts=("issue",)):
    return StaffFactory(department=department, posts=list(posts)).user


def person_data() -> dict:
    return {"spouse_name": "李四", "registered_on": "2024-05-20"}


def legal_data() -> dict:
    return {"scope": "食品销售", "capital": 100, "established_on": "2020-01-02"}


def issued_licence(*, licence_type_obj=None, holder=None, officer=None, **kwargs):
    """A licence issued through the service: signed, status 01, with its history row."""
    licence_type_obj = licence_type_obj or licence_type()
    department = licence_type_obj.defining_department
    officer = officer or issuer_officer(department)
    if licence_type_obj.holder_kind == LicenceType.NATURAL:
        holder = holder or PersonFactory()
        holder_kwargs = {"holder_person_id": holder.pk}
        data = kwargs.pop("data", person_data())
    else:
        holder = holder or LegalPersonFactory()
        holder_kwargs = {"holder_legal_person_id": holder.pk}
        data = kwargs.pop("data", legal_data())
    return services.licence_issue(
        actor=officer,
        type_code=licence_type_obj.short_code,
        data=data,
        issuer_department_id=department.pk,
        **holder_kwargs,
        **kwargs,
    )
