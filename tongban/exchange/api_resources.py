"""/api/v1/exchange/resources: a provider's data officer registers, edits, publishes and withdraws
the department's resources (the catalogue pages browse them; every rule is in services)."""

from typing import Literal

from ninja import Router, Schema, Status
from ninja.security import django_auth

from tongban.exchange import services

router = Router(auth=django_auth)


class FieldIn(Schema):
    name: str
    label: str
    type: Literal["string", "integer", "decimal", "date", "boolean", "id_number", "uscc"] = "string"
    sensitivity: Literal["public", "internal", "sensitive"] = "internal"
    required: bool = False


class ResourceIn(Schema):
    code: str
    name: str
    provider_id: int
    fields: list[FieldIn]
    description: str = ""
    sharing: Literal["unconditional", "conditional", "not_shared"] = "conditional"
    not_shared_reason: str = ""
    frequency: Literal["realtime", "daily", "weekly", "monthly", "quarterly", "yearly"] = "daily"
    key_kind: Literal["id_number", "uscc", "licence", "address"] = "id_number"
    served_by: Literal["hosted", "population", "legal_entity", "remote"] = "hosted"
    licence_type_code: str = ""
    endpoint_url: str = ""
    timeout_ms: int = 2000


class ResourceChange(Schema):
    name: str | None = None
    description: str | None = None
    sharing: Literal["unconditional", "conditional", "not_shared"] | None = None
    not_shared_reason: str | None = None
    frequency: Literal["realtime", "daily", "weekly", "monthly", "quarterly", "yearly"] | None = None
    endpoint_url: str | None = None
    timeout_ms: int | None = None
    fields: list[FieldIn] | None = None


class ResourceOut(Schema):
    code: str
    name: str
    provider_id: int
    sharing: str
    served_by: str
    key_kind: str
    is_active: bool
    fields: list[FieldIn]


def _out(resource) -> dict:
    fields = [
        {"name": f.name, "label": f.label, "type": f.type, "sensitivity": f.sensitivity, "required": f.required}
        for f in resource.fields.all()
    ]
    return {**{k: getattr(resource, k) for k in ResourceOut.model_fields if k != "fields"}, "fields": fields}


@router.post("", response={201: ResourceOut}, summary="登记本部门的数据资源（未发布）")
def resource_create(request, payload: ResourceIn):
    data = payload.dict()
    fields = data.pop("fields")
    return Status(201, _out(services.resource_create(actor=request.user, fields=fields, **data)))


@router.patch("/{code}", response=ResourceOut, summary="修改数据资源（字段清单整体替换）")
def resource_update(request, code: str, payload: ResourceChange):
    changes = payload.dict(exclude_none=True)
    fields = changes.pop("fields", None)
    return _out(services.resource_update(actor=request.user, code=code, fields=fields, **changes))


@router.post("/{code}/publish", response=ResourceOut, summary="发布数据资源")
def resource_publish(request, code: str):
    return _out(services.resource_publish(actor=request.user, code=code))


@router.post("/{code}/withdraw", response=ResourceOut, summary="停止发布数据资源（数据和授权保留）")
def resource_withdraw(request, code: str):
    return _out(services.resource_withdraw(actor=request.user, code=code))
