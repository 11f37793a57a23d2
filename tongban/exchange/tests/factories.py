"""Exchange factories: a resource with fields, a consumer system, a grant. Rows are made directly
here (like every factory) so that tests of one part need not drive another part's services."""

import datetime as dt

import factory

from tongban.exchange.models import ConsumerSystem, DataResource, Grant, RegistryRecord, ResourceField
from tongban.org.tests.factories import DepartmentFactory

MARRIAGE_FIELDS = [
    ("id_number", "公民身份号码", "id_number", "sensitive"),
    ("name", "姓名", "string", "sensitive"),
    ("status", "婚姻状况", "string", "internal"),
    ("spouse_name", "配偶姓名", "string", "sensitive"),
    ("registered_on", "登记日期", "date", "internal"),
]


class DataResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataResource

    code = factory.Sequence(lambda n: f"RES-{n:04d}")
    name = factory.Sequence(lambda n: f"婚姻登记信息{n}")
    description = "婚姻登记机关登记的结婚、离婚信息"
    provider = factory.SubFactory(DepartmentFactory)
    sharing = DataResource.CONDITIONAL
    key_kind = "id_number"


def resource_with_fields(*, fields=MARRIAGE_FIELDS, **kwargs) -> DataResource:
    """A resource and its fields: `fields` as (name, label, type, sensitivity) tuples."""
    resource = DataResourceFactory(**kwargs)
    ResourceField.objects.bulk_create(
        ResourceField(resource=resource, name=name, label=label, type=type_, sensitivity=level, order=order)
        for order, (name, label, type_, level) in enumerate(fields, start=1)
    )
    return resource


def record(resource: DataResource, key: str, **data) -> RegistryRecord:
    return RegistryRecord.objects.create(resource=resource, key=key, data=data, source="测试数据")


class ConsumerSystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsumerSystem

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"业务审批系统{n}")
    client_id = factory.Sequence(lambda n: f"sys-{n:05d}")


def grant(resource: DataResource, department, *, fields, unmasked=(), system=None, **kwargs) -> Grant:
    today = dt.date.today()
    return Grant.objects.create(
        resource=resource,
        department=department,
        system=system,
        fields=list(fields),
        unmasked_fields=list(unmasked),
        purpose=kwargs.pop("purpose", "办理行政许可核验身份"),
        valid_from=kwargs.pop("valid_from", today - dt.timedelta(days=1)),
        valid_until=kwargs.pop("valid_until", today + dt.timedelta(days=365)),
        **kwargs,
    )
