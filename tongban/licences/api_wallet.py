"""The wallet API, mounted in the licence router (/api/v1/licences): the holder's side lists,
grants and revokes authorisations and reads the use log of a licence; staff list the licences
shared with their department or their cases. Opening a shared licence is a page or PDF download
(/workbench/licences/shared/<id>/), each one a logged use."""

import datetime as dt

from django.urls import reverse
from ninja import Field, Router, Schema, Status
from ninja.security import django_auth

from tongban.accounts import selectors as accounts
from tongban.core.errors import PermissionDenied
from tongban.licences import wallet
from tongban.licences.models import LicenceAuthorisation

router = Router(auth=django_auth)


class AuthorisationIn(Schema):
    department_id: int | None = Field(None, description="被授权部门；与 case_number 二者选一")
    case_number: str = Field("", description="被授权办件编号；经办该办件（在其数据范围内）的工作人员可使用")
    purpose: str = Field(..., description="用途，2至200字")
    valid_until: dt.date = Field(..., description="授权有效期至，今天至一年内")


class AuthorisationOut(Schema):
    id: int
    licence_id: int
    department_id: int | None
    department_name: str
    case_number: str
    purpose: str
    valid_until: dt.date
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    state: str = Field(description="live 有效、revoked 已撤回、expired 已过期")
    state_name: str


class UseOut(Schema):
    called_at: dt.datetime
    department: str = Field(description="使用部门")
    purpose: str
    case_number: str
    resource_name: str
    outcome: str
    outcome_name: str


class UsePage(Schema):
    page: int
    has_next: bool
    items: list[UseOut]


class SharedOut(Schema):
    authorisation: AuthorisationOut
    identifier: str
    type_name: str
    status: str
    status_name: str
    holder_name: str = Field(description="已脱敏")
    holder_id: str = Field(description="已脱敏")
    issuer_name: str
    valid_until: dt.date | None
    html_url: str = Field(description="查看（每次查看记为一次使用）")
    pdf_url: str = Field(description="下载 PDF（每次下载记为一次使用）")


class SharedPage(Schema):
    count: int
    page: int
    pages: int
    items: list[SharedOut]


def _authorisation_out(authorisation: LicenceAuthorisation) -> dict:
    state = wallet.authorisation_state(authorisation)
    return {
        "id": authorisation.pk,
        "licence_id": authorisation.licence_id,
        "department_id": authorisation.department_id,
        "department_name": authorisation.department.name if authorisation.department_id else "",
        "case_number": authorisation.case_number,
        "purpose": authorisation.purpose,
        "valid_until": authorisation.valid_until,
        "created_at": authorisation.created_at,
        "revoked_at": authorisation.revoked_at,
        "state": state,
        "state_name": wallet.STATES[state],
    }


def _shared_out(authorisation: LicenceAuthorisation) -> dict:
    licence = authorisation.licence
    return {
        "authorisation": _authorisation_out(authorisation),
        "identifier": licence.identifier,
        "type_name": licence.type.name,
        "status": licence.status,
        "status_name": licence.get_status_display(),
        "holder_name": licence.holder_name_masked,
        "holder_id": licence.holder_id_masked,
        "issuer_name": licence.issuer_name,
        "valid_until": licence.valid_until,
        "html_url": reverse("licwork:shared_detail", args=[authorisation.pk]),
        "pdf_url": reverse("licwork:shared_pdf", args=[authorisation.pk]),
    }


@router.get(
    "/{int:licence_id}/authorisations",
    response=list[AuthorisationOut],
    summary="证照授权列表（持证人或其所代表单位的经办人）",
)
def authorisation_list(request, licence_id: int):
    return [_authorisation_out(a) for a in wallet.licence_authorisations(actor=request.user, licence_id=licence_id)]


@router.post(
    "/{int:licence_id}/authorisations",
    response={201: AuthorisationOut},
    summary="授权一个部门或一个办件使用证照（持证人一方；证照须有效，授权最长一年）",
)
def authorisation_create(request, licence_id: int, payload: AuthorisationIn):
    authorisation = wallet.licence_authorise(actor=request.user, licence_id=licence_id, **payload.dict())
    return Status(201, _authorisation_out(authorisation))


@router.post(
    "/authorisations/{int:authorisation_id}/revoke",
    response=AuthorisationOut,
    summary="撤回证照授权（持证人一方；即时生效）",
)
def authorisation_revoke(request, authorisation_id: int):
    authorisation = wallet.licence_authorisation_revoke(actor=request.user, authorisation_id=authorisation_id)
    return _authorisation_out(authorisation)


@router.get(
    "/{int:licence_id}/uses",
    response=UsePage,
    summary="证照使用记录：授权使用、办件免提交调用和按证照标识的共享查询，最新的在前（持证人一方）",
)
def licence_uses(request, licence_id: int, page: int = 1):
    found = wallet.licence_uses_page(actor=request.user, licence_id=licence_id, page=page)
    items = [
        {
            "called_at": row.called_at,
            "department": row.department_name,
            "purpose": row.purpose,
            "case_number": row.case_number,
            "resource_name": row.resource.name,
            "outcome": row.outcome,
            "outcome_name": row.get_outcome_display(),
        }
        for row in found.rows
    ]
    return {"page": found.number, "has_next": found.has_next, "items": items}


@router.get(
    "/shared",
    response=SharedPage,
    summary="授权给本部门或本人经办办件的证照（工作人员；仅列有效授权）",
)
def shared_list(request, page: int = 1):
    if accounts.staff_of(request.user) is None:
        raise PermissionDenied("只有工作人员可以查看授权给本部门的证照。", code="staff_required")
    found = wallet.authorisations_shared_page(request.user, page=page)
    return {
        "count": found.paginator.count,
        "page": found.number,
        "pages": found.paginator.num_pages,
        "items": [_shared_out(a) for a in found.object_list],
    }
