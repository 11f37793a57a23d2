"""Reads of the data-resource catalogue and its registries.

Any staff member may browse the published catalogue (that is what a catalogue is for: departments
find what they may ask for); citizens may not. A resource that is not published is seen only by
those who manage it: the data officers (post `data`) of its provider department and
administrators (post `admin`) whose data scope covers the provider.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from tongban.accounts import selectors as accounts
from tongban.accounts.types import Actor
from tongban.catalog import selectors as catalog
from tongban.core.errors import NotFound, PermissionDenied
from tongban.exchange.models import DataResource, ImportBatch, RegistryRecord, ResourceField
from tongban.exchange.query import key_digest
from tongban.exchange.stats import CallPage, calls_of_keys, calls_page

PAGE_SIZE = 20
DATA_POST, ADMIN_POST = "data", "admin"  # accounts.Post.DATA / Post.ADMIN (codes are stable)


# ---------------------------------------------------------------- who manages what


def staff_required_for_catalogue(actor: Actor) -> None:
    if accounts.staff_of(actor) is None:
        raise PermissionDenied(_("数据资源目录仅供工作人员查阅，请使用工作人员账号登录。"), code="catalogue_staff_only")


def resource_may_manage(actor: Actor, resource: DataResource) -> bool:
    """A data officer of the provider department, or an administrator whose scope covers it."""
    staff = accounts.staff_of(actor)
    if staff is None:
        return False
    if staff.department_id == resource.provider_id and accounts.staff_has_post(actor, DATA_POST):
        return True
    if accounts.staff_has_post(actor, ADMIN_POST):
        return accounts.staff_scope(actor).covers_department(resource.provider_id, resource.provider.region_id)
    return False


def _managed(actor: Actor) -> Q:
    """The resources the actor manages, as a filter (no query of its own beyond the staff record)."""
    staff = accounts.staff_of(actor)
    if staff is None:
        return Q(pk__in=[])
    managed = Q(pk__in=[])
    if accounts.staff_has_post(actor, DATA_POST):
        managed |= Q(provider_id=staff.department_id)
    if accounts.staff_has_post(actor, ADMIN_POST):
        scope = accounts.staff_scope(actor)
        in_scope = Q(provider__region_id__startswith=scope.region_prefix)
        if scope.department_ids is not None:
            in_scope &= Q(provider_id__in=scope.department_ids)
        managed |= in_scope
    return managed


def _visible(actor: Actor) -> QuerySet[DataResource]:
    staff_required_for_catalogue(actor)
    return DataResource.objects.filter(Q(is_active=True) | _managed(actor))


# ---------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class CatalogueQuery:
    text: str = ""
    provider: int | None = None
    sharing: str = ""
    served_by: str = ""


def _filtered(actor: Actor, query: CatalogueQuery) -> QuerySet[DataResource]:
    resources = _visible(actor)
    text = query.text.strip()
    if text:
        labels = ResourceField.objects.filter(resource=OuterRef("pk"), label__icontains=text)
        resources = resources.filter(
            Q(name__icontains=text) | Q(code__icontains=text) | Q(description__icontains=text) | Exists(labels)
        )
    if query.provider:
        resources = resources.filter(provider_id=query.provider)
    if query.sharing:
        resources = resources.filter(sharing=query.sharing)
    if query.served_by:
        resources = resources.filter(served_by=query.served_by)
    return resources


def resources_search(
    *,
    actor: Actor,
    q: str = "",
    provider: int | None = None,
    sharing: str = "",
    served_by: str = "",
    page: int | str = 1,
) -> Page:
    """Resources matching the text (name, code, summary or a field's label) and the filters, by code;
    each carries `field_count`. Raises PermissionDenied for non-staff."""
    query = CatalogueQuery(text=q, provider=provider, sharing=sharing, served_by=served_by)
    resources = (
        _filtered(actor, query)
        .select_related("provider")
        .annotate(field_count=Count("fields", distinct=True))
        .order_by("code")
    )
    return Paginator(resources, PAGE_SIZE).get_page(page)


def resources_for_export(*, actor: Actor, query: CatalogueQuery) -> QuerySet[DataResource]:
    """Every matching resource with its fields (two queries), for the catalogue export."""
    return _filtered(actor, query).select_related("provider").prefetch_related("fields").order_by("code")


def catalogue_providers(*, actor: Actor) -> list[tuple[int, str]]:
    """The departments providing a visible resource, for the provider filter."""
    rows = _visible(actor).values_list("provider_id", "provider__name").distinct().order_by("provider__name")
    return list(rows)


def resource_detail(*, actor: Actor, code: str) -> DataResource:
    """One resource with its provider and fields; not found when absent or not visible."""
    resource = _visible(actor).select_related("provider__region").prefetch_related("fields").filter(code=code).first()
    if resource is None:
        raise NotFound(_("未找到该数据资源，或其尚未发布。"), code="resource_not_found")
    return resource


def resource_for_manager(*, actor: Actor, code: str) -> DataResource:
    """A resource the actor manages (for writes and imports); PermissionDenied otherwise."""
    resource = resource_detail(actor=actor, code=code)
    if not resource_may_manage(actor, resource):
        raise PermissionDenied(
            _("只有提供部门的数据管理员（或范围内的系统管理员）可以管理该数据资源。"), code="resource_not_yours"
        )
    return resource


def resource_by_code(code: str) -> DataResource | None:
    return DataResource.objects.select_related("provider__region").filter(code=code).first()


def resource_record_count(resource: DataResource) -> int:
    return RegistryRecord.objects.filter(resource=resource).count()


# ---------------------------------------------------------------- items using a resource


@dataclass(frozen=True)
class ItemUse:
    version_id: int
    item_id: int
    item_name: str
    department_name: str
    materials: tuple[str, ...]  # the materials this resource supplies, with the field used


def items_using_resource(code: str) -> list[ItemUse]:
    """Published catalogue items whose materials this resource supplies: shared-data materials
    referring to one of its fields (`<code>.<field>`) and e-licence materials of the licence type
    it stands in for."""
    resource = DataResource.objects.filter(code=code).only("code", "licence_type_code").first()
    if resource is None:
        return []
    uses = catalog.versions_using_source(
        shared_prefix=f"{resource.code}.", licence_type_code=resource.licence_type_code
    )
    return [
        ItemUse(
            version_id=use.version_id,
            item_id=use.item_id,
            item_name=use.item_name,
            department_name=use.department_name,
            materials=tuple(use.materials),
        )
        for use in uses
    ]


# ---------------------------------------------------------------- import batches


def import_batches(*, resource: DataResource, page: int | str = 1) -> Page:
    batches = (
        ImportBatch.objects.filter(resource=resource)
        .select_related("started_by")
        .defer("rejections")
        .order_by("-created_at", "-id")
    )
    return Paginator(batches, PAGE_SIZE).get_page(page)


def import_batch(*, actor: Actor, batch_id: int) -> ImportBatch:
    """A batch of a resource the actor manages."""
    batch = ImportBatch.objects.select_related("resource__provider__region", "started_by").filter(pk=batch_id).first()
    if batch is None or not resource_may_manage(actor, batch.resource):
        raise NotFound(_("未找到该导入批次。"), code="import_not_found")
    return batch


# ---------------------------------------------------------------- catalogue export

EXPORT_HEADER = [
    "资源代码",
    "资源名称",
    "提供部门",
    "共享类型",
    "不予共享依据",
    "更新周期",
    "查询主键",
    "提供方式",
    "已发布",
    "字段代码",
    "字段名称",
    "类型",
    "敏感级别",
    "必填",
]


def catalogue_rows(resources: Iterable[DataResource]) -> Iterator[list[str]]:
    """One row per field (a resource without fields gets one row with the field columns empty)."""
    for resource in resources:
        head = [
            resource.code,
            resource.name,
            resource.provider.name,
            resource.get_sharing_display(),
            resource.not_shared_reason,
            resource.get_frequency_display(),
            resource.get_key_kind_display(),
            resource.get_served_by_display(),
            "是" if resource.is_active else "否",
        ]
        fields = list(resource.fields.all())
        if not fields:
            yield [*head, "", "", "", "", ""]
        for item in fields:
            yield [
                *head,
                item.name,
                item.label,
                item.get_type_display(),
                item.get_sensitivity_display(),
                "是" if item.required else "否",
            ]


def catalogue_csv(resources: Iterable[DataResource]) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
    writer = csv.writer(out)
    writer.writerow(EXPORT_HEADER)
    writer.writerows(_safe_cells(row) for row in catalogue_rows(resources))
    return out.getvalue()


def catalogue_xlsx(resources: Iterable[DataResource]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = "数据资源目录"
    sheet.append(EXPORT_HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in catalogue_rows(resources):
        sheet.append(_safe_cells(row))
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJKLMN", (16, 24, 24, 12, 24, 10, 16, 12, 8, 18, 18, 14, 14, 6), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _safe_cells(row: list[str]) -> list[str]:
    """Cells starting with = + - @ are prefixed so a spreadsheet does not run them as formulas."""
    return ["'" + cell if cell[:1] in ("=", "+", "-", "@") else cell for cell in row]


def calls_of_key(key: str, *, page: int | str = 1) -> CallPage:
    """The call log's rows about one key (a licence's identifier …), newest first, a page at a
    time without counting the log; rows hold masked data only."""
    return calls_page(calls_of_keys([key_digest(key)]), page)
