"""The licence API (/api/v1/licences): public verification for machines (no auth), the holder's
licences, and for issuing staff: search, issue, lifecycle acts, renew, change."""

import datetime as dt
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.security import django_auth

from tongban.accounts import selectors as accounts
from tongban.licences import selectors, services
from tongban.licences.api_imports import router as imports_router
from tongban.licences.api_wallet import router as wallet_router
from tongban.licences.models import Licence

router = Router(auth=django_auth)
router.add_router("", wallet_router)  # authorisations, uses, shared licences (api_wallet.py)
router.add_router("/imports", imports_router)  # imports of historical licences (api_imports.py)


class VerifyOut(Schema):
    identifier: str
    type_code: str
    type_name: str
    status: str = Field(
        description="GB/T 36904 状态代码：01 有效 02 暂扣 03 撤销 04 注销 05 失效 06 转出 07 吊销 99 其他"
    )
    status_name: str
    status_since: dt.datetime
    holder_name: str = Field(description="已脱敏")
    holder_id: str = Field(description="已脱敏")
    issuer_name: str
    issuer_uscc: str
    issued_on: dt.date
    valid_from: dt.date
    valid_until: dt.date | None
    version: int
    signature_valid: bool = Field(description="按存储内容重算规范化摘要并验证颁发机构签章")
    algorithm: str
    key_id: str
    trusted: bool = Field(description="签章有效且状态为 01 有效")


class LicenceOut(Schema):
    id: int
    identifier: str
    type_code: str
    type_short_code: str
    type_name: str
    status: str
    status_name: str
    holder_name: str
    holder_id: str = Field(description="已脱敏")
    issuer_name: str
    issued_on: dt.date
    valid_from: dt.date
    valid_until: dt.date | None
    version: int
    previous: str
    case_number: str
    data: dict


class LicencePage(Schema):
    count: int
    page: int
    pages: int
    items: list[LicenceOut]


class LicenceIssueIn(Schema):
    type_code: str = Field(description="证照类型代码（21位）或事项清单代码（如 YYZZ）")
    issuer_department_id: int
    holder_person_id: int | None = None
    holder_legal_person_id: int | None = None
    data: dict = Field(default_factory=dict)
    case_number: str = ""
    valid_from: dt.date | None = None


class LicenceActIn(Schema):
    act: Literal["suspend", "restore", "revoke", "cancel", "transfer_out", "revoke_penalty"]
    reason: str


class ChangeIn(Schema):
    data: dict
    reason: str


class RenewIn(Schema):
    reason: str = "延续"


def _out(licence: Licence) -> dict:
    return {
        "id": licence.pk,
        "identifier": licence.identifier,
        "type_code": licence.type.code,
        "type_short_code": licence.type.short_code,
        "type_name": licence.type.name,
        "status": licence.status,
        "status_name": licence.get_status_display(),
        "holder_name": licence.holder_name_masked,
        "holder_id": licence.holder_id_masked,
        "issuer_name": licence.issuer_name,
        "issued_on": licence.issued_on,
        "valid_from": licence.valid_from,
        "valid_until": licence.valid_until,
        "version": licence.version,
        "previous": licence.previous.identifier if licence.previous_id else "",
        "case_number": licence.case_number,
        "data": licence.data,
    }


@router.get(
    "/verify/{identifier}",
    auth=None,
    response=VerifyOut,
    summary="核验电子证照（无需登录）：状态实时读取，签章按存储内容重新验证",
)
def licence_verify(request, identifier: str, response: HttpResponse):
    verification = selectors.licence_verify_public(identifier)
    licence = verification.licence
    response["Cache-Control"] = "no-store"
    return {
        "identifier": licence.identifier,
        "type_code": licence.type.code,
        "type_name": licence.type.name,
        "status": licence.status,
        "status_name": licence.get_status_display(),
        "status_since": licence.status_changed_at,
        "holder_name": licence.holder_name_masked,
        "holder_id": licence.holder_id_masked,
        "issuer_name": licence.issuer_name,
        "issuer_uscc": licence.issuer_uscc,
        "issued_on": licence.issued_on,
        "valid_from": licence.valid_from,
        "valid_until": licence.valid_until,
        "version": licence.version,
        "signature_valid": verification.signature_valid,
        "algorithm": licence.algorithm,
        "key_id": licence.key_id,
        "trusted": verification.trusted,
    }


def _page(found) -> dict:
    return {
        "count": found.paginator.count,
        "page": found.number,
        "pages": found.paginator.num_pages,
        "items": [_out(licence) for licence in found.object_list],
    }


@router.get("", response=LicencePage, summary="证照列表：持证人看本人及所代表单位的证照；工作人员检索数据范围内的证照")
def licence_list(request, q: str = "", status: str = "", type_code: str = "", page: int = 1):
    if accounts.staff_of(request.user) is not None:
        return _page(
            selectors.licence_search(actor=request.user, query=q, status=status, type_code=type_code, page=page)
        )
    return _page(selectors.licences_of_holder_page(request.user, page=page))


@router.get("/{int:licence_id}", response=LicenceOut, summary="一张证照（持证人或数据范围内的工作人员）")
def licence_detail(request, licence_id: int):
    return _out(selectors.licence_for_reader(actor=request.user, licence_id=licence_id))


@router.post("", response={201: LicenceOut}, summary="颁发电子证照（发证或审批岗位，颁发机构在数据范围内）")
def licence_issue(request, payload: LicenceIssueIn):
    licence = services.licence_issue(actor=request.user, **payload.dict())
    return Status(201, _out(selectors.licence_get(actor=request.user, licence_id=licence.pk)))


@router.post("/{int:licence_id}/acts", response=LicenceOut, summary="证照状态变更：暂扣、恢复、撤销、注销、转出、吊销")
def licence_act(request, licence_id: int, payload: LicenceActIn):
    services.licence_act(actor=request.user, licence_id=licence_id, act=payload.act, reason=payload.reason)
    return _out(selectors.licence_get(actor=request.user, licence_id=licence_id))


@router.post("/{int:licence_id}/change", response={201: LicenceOut}, summary="变更：签发新版本，原版本失效")
def licence_change(request, licence_id: int, payload: ChangeIn):
    licence = services.licence_change(
        actor=request.user, licence_id=licence_id, data=payload.data, reason=payload.reason
    )
    return Status(201, _out(selectors.licence_get(actor=request.user, licence_id=licence.pk)))


@router.post("/{int:licence_id}/renew", response={201: LicenceOut}, summary="延续：签发新版本，自原版本届满次日起有效")
def licence_renew(request, licence_id: int, payload: RenewIn):
    licence = services.licence_renew(actor=request.user, licence_id=licence_id, reason=payload.reason)
    return Status(201, _out(selectors.licence_get(actor=request.user, licence_id=licence.pk)))
