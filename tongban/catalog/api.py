from ninja import Router, Schema
from ninja.security import django_auth

from tongban.accounts import selectors as accounts_selectors
from tongban.catalog import selectors
from tongban.core.errors import PermissionDenied
from tongban.core.money import yuan

router = Router()


class ItemSummary(Schema):
    item_id: int
    version: int
    name: str
    implementation_code: str
    item_type: str
    department: str
    themes: list[str]
    promised_limit_days: int
    visits: int
    online_depth: int

    @staticmethod
    def resolve_version(v) -> int:
        return v.number

    @staticmethod
    def resolve_item_type(v) -> str:
        return v.item_type.name

    @staticmethod
    def resolve_department(v) -> str:
        return v.item.department.name

    @staticmethod
    def resolve_themes(v) -> list[str]:
        return [theme.name for theme in v.themes.all()]


class ItemPage(Schema):
    count: int
    page: int
    pages: int
    did_you_mean: str
    items: list[ItemSummary]


class ItemMaterialOut(Schema):
    name: str
    standard_code: str
    required: bool
    condition: str
    original_count: int
    copy_count: int
    paper: bool
    electronic: bool
    source: str


class StepOut(Schema):
    order: int
    name: str
    post_code: str
    budget_days: int


class FeeOut(Schema):
    name: str
    amount_fen: int
    amount_yuan: str
    legal_basis: str


class ItemDetail(ItemSummary):
    legal_basis: str
    conditions: str
    legal_limit_days: int
    promise_kind: str
    review_kind: str
    visits_reason: str
    by_window: bool
    by_online: bool
    by_mail: bool
    charged: bool
    online_payment: bool
    result_type: str
    result_name: str
    result_licence_type: str
    hours: str
    consult_phone: str
    complaint_phone: str
    faq: list[dict]
    materials: list[ItemMaterialOut]
    steps: list[StepOut]
    fees: list[FeeOut]

    @staticmethod
    def resolve_materials(v) -> list[dict]:
        return [
            {
                "name": m.display_name,
                "standard_code": m.standard_id,
                "required": m.required,
                "condition": m.condition,
                "original_count": m.original_count,
                "copy_count": m.copy_count,
                "paper": m.paper,
                "electronic": m.electronic,
                "source": m.source,
            }
            for m in v.materials.all()
        ]

    @staticmethod
    def resolve_steps(v) -> list:
        return list(v.steps.all())

    @staticmethod
    def resolve_fees(v) -> list[dict]:
        return [
            {
                "name": f.name,
                "amount_fen": f.amount_fen,
                "amount_yuan": yuan(f.amount_fen),
                "legal_basis": f.legal_basis,
            }
            for f in v.fees.all()
        ]


class ThemeOut(Schema):
    code: str
    name: str
    audience: str


@router.get("/items", response=ItemPage, summary="已发布事项（可按关键词、部门、主题、类型、服务对象筛选）")
def list_items(
    request,
    q: str = "",
    department: int | None = None,
    theme: str = "",
    type: str = "",
    audience: str = "",
    event: str = "",
    page: int = 1,
    page_size: int = 20,
):
    result = selectors.item_search(
        query=q,
        department_id=department,
        theme=theme,
        item_type=type,
        audience=audience,
        life_event=event,
        page=page,
        page_size=page_size,
    )
    found = result.page
    return ItemPage(
        count=found.paginator.count,
        page=found.number,
        pages=found.paginator.num_pages,
        did_you_mean=result.did_you_mean,
        items=list(found.object_list),
    )


@router.get("/items/{item_id}", response=ItemDetail, summary="办事指南：事项的现行版本及材料、流程、收费")
def get_item(request, item_id: int):
    return selectors.item_guide(item_id)


@router.get("/themes", response=list[ThemeOut], summary="主题分类")
def list_themes(request, audience: str = ""):
    return list(selectors.themes(audience))


class VersionSummary(ItemSummary):
    status: str


class VersionPage(Schema):
    count: int
    page: int
    pages: int
    items: list[VersionSummary]


@router.get("/versions", response=VersionPage, auth=django_auth, summary="数据范围内事项的全部版本（含草稿，工作人员）")
def list_versions(request, status: str = "", q: str = "", page: int = 1):
    if accounts_selectors.staff_of(request.user) is None:
        raise PermissionDenied("仅工作人员可以查看事项草稿。", code="staff_only")
    found = selectors.versions_for_staff(
        scope=accounts_selectors.staff_scope(request.user), status=status, query=q, page=page
    )
    return VersionPage(
        count=found.paginator.count, page=found.number, pages=found.paginator.num_pages, items=list(found.object_list)
    )
