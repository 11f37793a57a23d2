"""/api/v1/exchange: the governed query interface, providers' feeds and access requests.

Callers are a department's system (X-Api-Key: the caller is the system's department, through that
system) or a logged-in staff member (the caller is their department, with their user on record).
Answers carry only granted fields, masked as granted; refusals are TongbanErrors, mapped once to
application/problem+json (403 not granted, 422 bad key, 429 over quota, 503 provider down)."""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.security import django_auth

from tongban.accounts import selectors as accounts
from tongban.core.errors import NotFound, PermissionDenied
from tongban.exchange import stats
from tongban.exchange.api_access import router as access_router
from tongban.exchange.api_feeds import router as feeds_router
from tongban.exchange.api_resources import router as resources_router
from tongban.exchange.auth import SystemKeyAuth
from tongban.exchange.models import CallLog
from tongban.exchange.query import Caller, LookupResult, exchange_lookup
from tongban.org import selectors as org

router = Router()
router.add_router("/feeds", feeds_router)
router.add_router("/access", access_router)
router.add_router("/resources", resources_router)

CALLERS = [SystemKeyAuth(), django_auth]


# ---------------------------------------------------------------- schemas


class LookupIn(Schema):
    resource: str = Field(..., max_length=40, description="数据资源代码", examples=["MZ-HYDJ"])
    keys: list[str] = Field(
        ..., min_length=1, description="查询主键（按资源的主键类型：身份证号码、统一社会信用代码等）"
    )
    fields: list[str] = Field(..., min_length=1, description="要查询的字段代码，须在授权范围内")
    purpose: str = Field(..., min_length=1, max_length=300, description="查询用途")
    case_number: str = Field("", max_length=40, description="关联办件编号")


class FieldOut(Schema):
    name: str
    label: str
    masked: bool = Field(..., description="该字段按授权脱敏返回")


class KeyOut(Schema):
    key: str = Field(..., description="主键（脱敏）")
    found: bool
    outcome: str = Field(..., description="ok / not_found / bad_key / provider_down")
    message: str = ""
    record: dict | None = None


class LookupOut(Schema):
    resource: str
    resource_name: str
    provider: str
    fields: list[FieldOut]
    results: list[KeyOut]


class RecordOut(Schema):
    resource: str
    key: str
    fields: list[FieldOut]
    record: dict


class CallOut(Schema):
    called_at: dt.datetime
    resource: str
    resource_name: str
    provider_id: int
    provider: str
    department_id: int
    department: str
    system_id: int | None
    staff_user_id: int | None
    purpose: str
    case_number: str
    key: str = Field(..., description="主键（脱敏）")
    fields: list[str]
    result_count: int
    latency_ms: int
    outcome: str
    error_code: str


class CallPageOut(Schema):
    page: int
    has_next: bool
    items: list[CallOut]


class CallQuery(Schema):
    page: int = Field(1, ge=1)
    since: dt.date | None = None
    until: dt.date | None = None
    resource: str = ""
    consumer_id: int | None = None
    outcome: str = Field("", pattern="^(|ok|not_found|refused|provider_down|over_quota|bad_key)$")
    case_number: str = ""


# ---------------------------------------------------------------- the caller


def caller_of(request: HttpRequest) -> Caller:
    system = getattr(request, "exchange_system", None)
    if system is not None:
        department = org.department_by_id(system.department_id)
        return Caller(
            department_id=department.pk, system_id=system.pk, staff_user_id=None, region_code=department.region_id
        )
    staff = accounts.staff_of(request.user)
    if staff is None:
        raise PermissionDenied("只有工作人员或已登记的接入系统可以查询共享数据。", code="staff_required")
    return Caller(
        department_id=staff.department_id,
        system_id=None,
        staff_user_id=request.user.pk,
        region_code=staff.department.region_id,
    )


def _fields_out(result: LookupResult) -> list[dict]:
    specs = {spec.name: spec for spec in result.resource.fields.all()}
    return [
        {
            "name": name,
            "label": specs[name].label,
            "masked": specs[name].sensitivity == "sensitive" and name not in result.grant.unmasked_fields,
        }
        for name in result.fields
    ]


# ---------------------------------------------------------------- endpoints


@router.post("/lookup", auth=CALLERS, response=LookupOut, summary="按主键批量查询共享数据")
def lookup(request, payload: LookupIn):
    result = exchange_lookup(
        caller=caller_of(request),
        resource_code=payload.resource,
        keys=payload.keys,
        fields=payload.fields,
        purpose=payload.purpose,
        case_number=payload.case_number,
    )
    return {
        "resource": result.resource.code,
        "resource_name": result.resource.name,
        "provider": result.resource.provider.name,
        "fields": _fields_out(result),
        "results": [
            {
                "key": r.key_masked,
                "found": r.found,
                "outcome": r.outcome,
                "message": r.message,
                "record": r.record if r.found else None,
            }
            for r in result.results
        ],
    }


@router.get("/resources/{code}/records/{key}", auth=CALLERS, response=RecordOut, summary="按主键查询一条共享数据")
def record(request, code: str, key: str, fields: str, purpose: str, case_number: str = ""):
    result = exchange_lookup(
        caller=caller_of(request),
        resource_code=code,
        keys=[key],
        fields=[name for name in fields.split(",") if name.strip()],
        purpose=purpose,
        case_number=case_number,
    )
    (answer,) = result.results
    if not answer.found:
        raise NotFound("未查到该主键的记录。", code="record_not_found")
    return {
        "resource": result.resource.code,
        "key": answer.key_masked,
        "fields": _fields_out(result),
        "record": answer.record,
    }


@router.get("/calls", auth=CALLERS, response=CallPageOut, summary="调用日志（本部门的调用与对本部门数据的调用）")
def calls(request, filters: Query[CallQuery]):
    system = getattr(request, "exchange_system", None)
    if system is not None:
        visible = stats.calls_for_department(system.department_id)
    elif accounts.staff_of(request.user) is not None:
        visible = stats.calls_for_staff(request.user)
    else:
        raise PermissionDenied("只有工作人员或已登记的接入系统可以查看调用日志。", code="staff_required")
    criteria = stats.CallFilter(
        since=filters.since,
        until=filters.until,
        resource=filters.resource,
        consumer_id=filters.consumer_id,
        outcome=filters.outcome,
        case_number=filters.case_number,
    )
    page = stats.calls_page(stats.calls_filtered(visible, criteria), filters.page)
    return {"page": page.number, "has_next": page.has_next, "items": [_call_out(row) for row in page.rows]}


def _call_out(row: CallLog) -> dict:
    return {
        "called_at": row.called_at,
        "resource": row.resource.code,
        "resource_name": row.resource.name,
        "provider_id": row.provider_id,
        "provider": row.resource.provider.name,
        "department_id": row.department_id,
        "department": row.department_name,
        "system_id": row.system_id,
        "staff_user_id": row.staff_user_id,
        "purpose": row.purpose,
        "case_number": row.case_number,
        "key": row.key_masked,
        "fields": row.fields,
        "result_count": row.result_count,
        "latency_ms": row.latency_ms,
        "outcome": row.outcome,
        "error_code": row.error_code,
    }
