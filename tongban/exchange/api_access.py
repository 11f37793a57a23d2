"""/api/v1/exchange/access: consumer departments request access and read their grants.

The caller is a consumer system (X-Api-Key: it asks for itself, on behalf of its department) or a
logged-in staff member holding the `data` post (they ask for their department). Decisions stay on
the provider's workbench pages. Refusals are TongbanErrors, mapped once to application/problem+json.
"""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.security import django_auth

from tongban.exchange import access
from tongban.exchange.auth import SystemKeyAuth
from tongban.exchange.models import AccessRequest, Grant

router = Router(auth=[SystemKeyAuth(), django_auth])


class RequestIn(Schema):
    resource: str = Field(..., max_length=40, description="数据资源代码", examples=["MZ-HYDJ"])
    fields: list[str] = Field(..., min_length=1, description="申请的字段代码")
    purpose: str = Field(..., max_length=300, description="用途")
    legal_basis: str = Field(..., max_length=300, description="法律依据")
    valid_from: dt.date = Field(..., description="使用期限自（不早于今天）")
    valid_until: dt.date = Field(..., description="使用期限至（最长3年）")
    daily_volume: int = Field(100, ge=1, description="预计日调用量")
    system_id: int | None = Field(
        None, description="工作人员申请时可限定本部门的一个接入系统；接入系统申请时即为其自身"
    )


class RequestOut(Schema):
    id: int
    resource: str
    resource_name: str
    provider: str
    department_id: int
    system_id: int | None
    status: str
    status_label: str
    fields: list[str]
    approved_fields: list[str]
    purpose: str
    legal_basis: str
    valid_from: dt.date
    valid_until: dt.date
    daily_volume: int
    requested_at: dt.datetime
    due_on: dt.date = Field(..., description="提供部门的审核期限（2个工作日）")
    overdue: bool
    decided_at: dt.datetime | None
    reason: str
    grant_id: int | None


class GrantOut(Schema):
    id: int
    resource: str
    resource_name: str
    provider: str
    system_id: int | None = Field(None, description="限定的接入系统；为空则本部门全部接入系统和工作人员可用")
    fields: list[str]
    unmasked_fields: list[str] = Field(..., description="明文提供的敏感字段；其余敏感字段脱敏")
    purpose: str
    valid_from: dt.date
    valid_until: dt.date
    daily_quota: int


class GrantPage(Schema):
    count: int
    page: int
    pages: int
    items: list[GrantOut]


class PageQuery(Schema):
    page: int = Field(1, ge=1)


def _system(request: HttpRequest):
    return getattr(request, "exchange_system", None)


def _request_out(row: AccessRequest) -> dict:
    grant = getattr(row, "grant", None)
    return {
        "id": row.pk,
        "resource": row.resource.code,
        "resource_name": row.resource.name,
        "provider": row.resource.provider.name,
        "department_id": row.department_id,
        "system_id": row.system_id,
        "status": row.status,
        "status_label": row.get_status_display(),
        "fields": row.fields,
        "approved_fields": row.approved_fields,
        "purpose": row.purpose,
        "legal_basis": row.legal_basis,
        "valid_from": row.valid_from,
        "valid_until": row.valid_until,
        "daily_volume": row.daily_volume,
        "requested_at": row.requested_at,
        "due_on": row.due_on,
        "overdue": access.request_is_overdue(row),
        "decided_at": row.decided_at,
        "reason": row.reason,
        "grant_id": grant.pk if grant else None,
    }


def _grant_out(grant: Grant) -> dict:
    return {
        "id": grant.pk,
        "resource": grant.resource.code,
        "resource_name": grant.resource.name,
        "provider": grant.resource.provider.name,
        "system_id": grant.system_id,
        "fields": grant.fields,
        "unmasked_fields": grant.unmasked_fields,
        "purpose": grant.purpose,
        "valid_from": grant.valid_from,
        "valid_until": grant.valid_until,
        "daily_quota": grant.daily_quota,
    }


@router.post(
    "/requests",
    response={201: RequestOut},
    summary="提出共享申请",
    description="无条件共享资源立即批准并授权（敏感字段脱敏）；有条件共享资源待提供部门在2个工作日内审核；"
    "不予共享资源返回 403 及不予共享依据。",
)
def request_create(request, payload: RequestIn):
    system = _system(request)
    created = access.access_request(
        actor=None if system is not None else request.user,
        via_system=system,
        resource_code=payload.resource,
        fields=payload.fields,
        purpose=payload.purpose,
        legal_basis=payload.legal_basis,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        daily_volume=payload.daily_volume,
        system_id=payload.system_id,
    )
    shown = access.request_get(actor=request.user if system is None else None, request_id=created.pk, system=system)
    return Status(201, _request_out(shown))


@router.get("/requests/{request_id}", response=RequestOut, summary="查看共享申请")
def request_detail(request, request_id: int):
    system = _system(request)
    shown = access.request_get(actor=request.user if system is None else None, request_id=request_id, system=system)
    return _request_out(shown)


@router.get("/grants", response=GrantPage, summary="调用方当前有效的共享授权")
def grants(request, query: Query[PageQuery]):
    system = _system(request)
    page = access.grants_live_for_caller(actor=request.user if system is None else None, system=system, page=query.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": [_grant_out(grant) for grant in page.object_list],
    }
