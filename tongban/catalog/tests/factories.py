"""Catalogue factories: a consistent draft that publishes as it is, built through the services."""

import itertools

from tongban.catalog import services
from tongban.catalog.codes import make_implementation_code
from tongban.catalog.models import ItemVersion, StandardMaterial
from tongban.org.tests.factories import DepartmentFactory

_codes = itertools.count(1)

DEFAULT_STEPS = [
    {"order": 1, "name": "受理", "post_code": "accept", "budget_days": 1},
    {"order": 2, "name": "审核", "post_code": "review", "budget_days": 3},
    {"order": 3, "name": "审批", "post_code": "approve", "budget_days": 3},
    {"order": 4, "name": "办结", "post_code": "issue", "budget_days": 1},
]


def standard_material(name: str = "居民身份证") -> StandardMaterial:
    material, _ = StandardMaterial.objects.get_or_create(code=f"M-{name}", defaults={"name": name})
    return material


def draft_item(department=None, *, actor=None, **overrides) -> ItemVersion:
    department = department or DepartmentFactory()
    basic_code = overrides.pop("basic_code", f"00011{next(_codes):07d}")
    fields = {
        "name": "食品经营许可",
        "implementation_code": make_implementation_code(
            uscc=department.uscc, region_code=department.region_id, basic_code=basic_code
        ),
        "item_type_id": "XK",
        "legal_basis": "《中华人民共和国食品安全法》第三十五条",
        "for_persons": True,
        "for_legal_persons": True,
        "promised_limit_days": 10,
        "legal_limit_days": 20,
        "result_type": "licence",
        "result_name": "食品经营许可证",
        "result_licence_type": "SPJYXKZ",
        "consult_phone": "0550-1234567",
        **overrides,
    }
    version = services.item_create(actor=actor, department_id=department.pk, basic_code=basic_code, **fields)
    services.version_parts_replace(
        actor=actor,
        version_id=version.pk,
        steps=DEFAULT_STEPS,
        materials=[
            {"standard": standard_material("居民身份证"), "order": 1},
            {"standard": standard_material("营业执照"), "order": 2, "source": "licence", "source_ref": "YYZZ"},
        ],
    )
    return version


def published_item(department=None, **overrides) -> ItemVersion:
    version = draft_item(department, **overrides)
    return services.version_publish(actor=None, version_id=version.pk)
