import datetime as dt
from typing import Literal

from ninja import Field, Router, Schema
from ninja.security import django_auth

from tongban.accounts import selectors, services
from tongban.core.errors import PermissionDenied
from tongban.core.masking import mask

router = Router(auth=django_auth)


class MeOut(Schema):
    username: str
    kind: str
    display_name: str
    id_number: str
    phone: str
    posts: list[str]
    scope_region: str | None


class PersonOut(Schema):
    id: int
    real_name: str
    id_number: str
    sex: str
    birth_date: dt.date
    phone: str
    region_id: str | None

    @staticmethod
    def resolve_id_number(person) -> str:
        return mask("id_number", person.id_number)

    @staticmethod
    def resolve_phone(person) -> str:
        return mask("phone", person.phone)


class PersonPage(Schema):
    count: int
    page: int
    pages: int
    items: list[PersonOut]


class RevealIn(Schema):
    field: Literal["id_number", "phone"]
    basis: str = Field(..., description="查看依据：case（数据范围内涉及此人的办件），或 purpose（配置的用途）")
    reference: str = Field("", max_length=60, description="依据为 case 时为办件编号；为 purpose 时为用途代码")
    note: str = Field("", max_length=200, description="备注；依据为 purpose 时必填，写明具体事由")


class RevealOut(Schema):
    field: str
    value: str


@router.get("/me", response=MeOut, summary="当前登录用户（个人信息已脱敏）")
def me(request):
    user = request.user
    staff = selectors.staff_of(user)
    person = user.person
    return MeOut(
        username=user.username,
        kind=user.kind,
        display_name=user.display_name,
        id_number=mask("id_number", person.id_number) if person else "",
        phone=mask("phone", person.phone) if person else "",
        posts=[post.code for post in staff.posts.all()] if staff else [],
        scope_region=staff.scope_region_id if staff else None,
    )


def _require_staff(request) -> None:
    if selectors.staff_of(request.user) is None:
        raise PermissionDenied("仅工作人员可以查询自然人信息。", code="staff_only")


@router.get("/persons", response=PersonPage, summary="数据范围内的自然人（脱敏）")
def list_persons(request, q: str = "", page: int = 1):
    _require_staff(request)
    result = selectors.person_search(actor=request.user, query=q, page=page)
    return PersonPage(
        count=result.paginator.count,
        page=result.number,
        pages=result.paginator.num_pages,
        items=list(result.object_list),
    )


@router.get("/persons/{person_id}", response=PersonOut, summary="自然人详情（脱敏）")
def get_person(request, person_id: int):
    _require_staff(request)
    return selectors.person_get(actor=request.user, person_id=person_id)


@router.post(
    "/persons/{person_id}/reveal",
    response=RevealOut,
    summary="查看完整证件号或手机号：须有可核验的依据，每人每小时有上限（记入审计）",
    openapi_extra={"x-throttled": True},
)
def reveal_person_field(request, person_id: int, payload: RevealIn):
    _require_staff(request)
    value = services.person_reveal(
        actor=request.user,
        person_id=person_id,
        field=payload.field,
        basis=payload.basis,
        reference=payload.reference,
        note=payload.note,
    )
    return RevealOut(field=payload.field, value=value)
