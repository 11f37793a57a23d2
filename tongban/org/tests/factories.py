"""Factories for the organisation: a small valid region tree and departments with valid USCCs."""

import itertools

import factory

from tongban.core.identifiers import make_uscc
from tongban.org.models import AgencyPoint, Department, Region, ServiceHall, Window

_org_codes = itertools.count(1)


def region_tree() -> dict[str, Region]:
    """示范市 with two districts, a street in each and a community under each street."""
    regions = {}
    for code, name, level, parent in [
        ("341900000000", "示范市", "city", None),
        ("341902000000", "城东区", "county", "341900000000"),
        ("341903000000", "城西区", "county", "341900000000"),
        ("341902001000", "东华街道", "township", "341902000000"),
        ("341903001000", "西湖街道", "township", "341903000000"),
        ("341902001001", "东华社区", "village", "341902001000"),
        ("341903001001", "西湖社区", "village", "341903001000"),
    ]:
        regions[code], _ = Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent_id": parent}
        )
    return regions


def next_uscc(region_code: str = "341900", authority: str = "1", kind: str = "1") -> str:
    return make_uscc(authority, kind, region_code, f"MB{next(_org_codes):07d}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"测试局{n}")
    short_name = factory.Sequence(lambda n: f"测试{n}")
    uscc = factory.LazyAttribute(lambda d: next_uscc(d.region.code[:6]))
    region = factory.LazyFunction(lambda: region_tree()["341900000000"])


class ServiceHallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceHall

    name = factory.Sequence(lambda n: f"政务服务中心{n}")
    region = factory.LazyFunction(lambda: region_tree()["341902000000"])
    address = "示范市城东区政务大道1号"


class WindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Window

    hall = factory.SubFactory(ServiceHallFactory)
    number = factory.Sequence(lambda n: f"{n + 1}")
    name = "综合受理窗口"


class AgencyPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgencyPoint

    name = factory.Sequence(lambda n: f"便民代办点{n}")
    region = factory.LazyFunction(lambda: region_tree()["341902001001"])
    address = "东华社区服务站"
