"""Reads of the catalogue. The public sees published versions only."""

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet

from tongban.catalog.models import Item, ItemType, ItemVersion, Theme, VersionMaterial
from tongban.core.errors import NotFound

PAGE_SIZE = 20


def published_versions() -> QuerySet[ItemVersion]:
    return (
        ItemVersion.objects.filter(status=ItemVersion.PUBLISHED)
        .select_related("item__department", "item_type")
        .prefetch_related("themes")
    )


def item_search(
    *,
    query: str = "",
    department_id: int | None = None,
    theme: str = "",
    item_type: str = "",
    audience: str = "",
    page: int | str = 1,
    page_size: int = PAGE_SIZE,
) -> Page:
    """Published items filtered by words in the name, keywords or code, department, theme, type and
    audience; the most used first."""
    versions = published_versions()
    for word in query.split():
        versions = versions.filter(
            Q(name__icontains=word)
            | Q(keywords__icontains=word)
            | Q(implementation_code__iexact=word)
            | Q(item__basic_code__iexact=word)
        )
    if department_id:
        versions = versions.filter(item__department_id=department_id)
    if theme:
        versions = versions.filter(themes__code=theme)
    if item_type:
        versions = versions.filter(item_type_id=item_type)
    if audience == Theme.PERSON:
        versions = versions.filter(for_persons=True)
    elif audience == Theme.LEGAL:
        versions = versions.filter(for_legal_persons=True)
    versions = versions.order_by("-item__popularity", "name", "id")
    return Paginator(versions, min(max(page_size, 1), 100)).get_page(page)


def item_guide(item_id: int) -> ItemVersion:
    """Everything a citizen needs about an item: its current published version with all parts."""
    version = (
        published_versions()
        .select_related("hall", "item__parent")
        .prefetch_related(
            "co_departments",
            "steps__department",
            "fees",
            Prefetch("materials", queryset=VersionMaterial.objects.select_related("standard")),
        )
        .filter(item_id=item_id)
        .first()
    )
    if version is None:
        raise NotFound("该事项不存在或已停止办理。", code="item_not_found")
    return version


def item_situations(item: Item) -> QuerySet[ItemVersion]:
    """The published handling items (新设/变更/延续/注销) under an item."""
    return published_versions().filter(item__parent=item).order_by("item__situation")


def themes(audience: str = "") -> QuerySet[Theme]:
    return Theme.objects.filter(audience=audience) if audience else Theme.objects.all()


def item_types() -> QuerySet[ItemType]:
    return ItemType.objects.all()


def departments_with_items() -> list[tuple[int, str, int]]:
    """(department id, name, number of published items) of every department that offers items."""
    from django.db.models import Count

    rows = (
        published_versions()
        .values("item__department_id", "item__department__name")
        .annotate(items=Count("id"))
        .order_by("item__department__region_id", "item__department__name")
    )
    return [(row["item__department_id"], row["item__department__name"], row["items"]) for row in rows]


def version_diff(old: ItemVersion, new: ItemVersion) -> list[tuple[str, str, str]]:
    """(field label, old value, new value) for every field that differs between two versions."""
    changes = []
    for field in ItemVersion._meta.concrete_fields:
        if field.name in {"id", "number", "status", "created_at", "published_at", "published_by", "retired_at"}:
            continue
        before, after = field.value_from_object(old), field.value_from_object(new)
        if before != after:
            changes.append((str(field.verbose_name), _shown(before), _shown(after)))
    for name in ("themes", "co_departments"):
        before = sorted(str(x) for x in getattr(old, name).all())
        after = sorted(str(x) for x in getattr(new, name).all())
        if before != after:
            changes.append((str(ItemVersion._meta.get_field(name).verbose_name), "、".join(before), "、".join(after)))
    changes += _parts_diff("申请材料", old.materials.all(), new.materials.all(), lambda m: m.display_name)
    changes += _parts_diff("办理环节", old.steps.all(), new.steps.all(), lambda s: f"{s.name}（{s.budget_days}日）")
    return changes


def _parts_diff(label: str, old, new, describe) -> list[tuple[str, str, str]]:
    before, after = [describe(x) for x in old], [describe(x) for x in new]
    return [(label, "、".join(before), "、".join(after))] if before != after else []


def _shown(value) -> str:
    if value is True:
        return "是"
    if value is False:
        return "否"
    return "" if value in (None, "") else str(value)


def item_get(item_id: int) -> Item:
    item = Item.objects.select_related("department", "current").filter(pk=item_id).first()
    if item is None:
        raise NotFound("事项不存在。", code="item_not_found")
    return item
