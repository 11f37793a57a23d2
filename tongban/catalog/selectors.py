"""Reads of the catalogue. The public sees published versions only."""

from dataclasses import dataclass
from functools import lru_cache

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from tongban.catalog import search

# The item's form (forms_engine): the contexts that render and check it read it through here.
from tongban.catalog.forms_engine import (
    FieldSpec as FieldSpec,
    form_prefill as form_prefill,
    form_spec as form_spec,
    form_validate as form_validate,
    rule_applies as rule_applies,
)
from tongban.catalog.models import Item, ItemType, ItemVersion, LifeEvent, SearchToken, Theme, VersionMaterial
from tongban.catalog.search_index import IndexedVersion, search_index
from tongban.core.errors import NotFound
from tongban.core.scope import DataScope

PAGE_SIZE = 20


def published_versions() -> QuerySet[ItemVersion]:
    return (
        ItemVersion.objects.filter(status=ItemVersion.PUBLISHED)
        .select_related("item__department", "item_type")
        .prefetch_related("themes")
    )


@dataclass(frozen=True)
class SearchResult:
    page: Page
    did_you_mean: str = ""  # a better query when the one typed found nothing


def item_search(
    *,
    query: str = "",
    department_id: int | None = None,
    theme: str = "",
    item_type: str = "",
    audience: str = "",
    life_event: str = "",
    page: int | str = 1,
    page_size: int = PAGE_SIZE,
) -> SearchResult:
    """Published items matching every term of the query (words, pinyin, initials, codes) and the
    filters, ranked by where the query matched (name, keywords, elsewhere) and then by use."""
    filters = {
        "department_id": department_id,
        "theme": theme,
        "item_type": item_type,
        "audience": audience,
        "life_event": life_event,
    }
    versions = _filtered(**filters)
    size = min(max(page_size, 1), 100)
    query = query.strip()
    # Rank ids — from the in-memory index when there are words to look up — then load only the
    # page's versions whole.
    matches = _matching_in_memory(query, **filters) if query else _all_ranked(versions)
    result = Paginator(matches, size).get_page(page)
    by_id = published_versions().in_bulk(list(result.object_list))
    result.object_list = [by_id[pk] for pk in result.object_list if pk in by_id]
    if query.strip() and not result.paginator.count:
        suggestion = _suggestion(versions, query)
        return SearchResult(page=result, did_you_mean=suggestion)
    return SearchResult(page=result)


def _filtered(*, department_id, theme, item_type, audience, life_event="") -> QuerySet[ItemVersion]:
    versions = ItemVersion.objects.filter(status=ItemVersion.PUBLISHED)
    if life_event:
        # A subquery, not a join: a version in two of the event's themes is still one result.
        themed = ItemVersion.themes.through.objects.filter(theme__life_events__code=life_event)
        versions = versions.filter(pk__in=themed.values("itemversion_id"))
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
    return versions


def _all_ranked(versions: QuerySet[ItemVersion]) -> list[int]:
    return list(versions.order_by("-item__popularity", "name", "id").values_list("id", flat=True))


def _matching_in_memory(query: str, *, department_id, theme, item_type, audience, life_event) -> list[int]:
    """Ids of the published versions matching every term of the query and the filters (the same
    filters as `_filtered`), ranked by where the query matched (name, then the common name, then
    other keywords) and then by use."""
    index = search_index()
    candidates: set[int] | None = None
    for term in search.query_terms(query):
        found = index.ids_with_prefix(term)
        candidates = found if candidates is None else candidates & found
        if not candidates:
            return []
    event_themes = index.life_events.get(life_event, frozenset()) if life_event else None

    def wanted(v: IndexedVersion) -> bool:
        return (
            (not department_id or v.department_id == department_id)
            and (not theme or theme in v.themes)
            and (not item_type or v.item_type_id == item_type)
            and (audience != Theme.PERSON or v.for_persons)
            and (audience != Theme.LEGAL or v.for_legal_persons)
            and (event_themes is None or bool(v.themes & event_themes))
        )

    rows = [(pk, index.versions[pk]) for pk in candidates or () if pk in index.versions]
    rows = [(pk, v) for pk, v in rows if wanted(v)]
    rows.sort(key=lambda row: (-_rank(query, row[1].name, row[1].keywords), -row[1].popularity, row[1].name, row[0]))
    return [pk for pk, _rank in rows]


def _rank(query: str, name: str, keywords: str) -> int:
    if name == query:
        return 5
    if name.startswith(query):
        return 4
    if query in name:
        return 3
    if keywords.startswith(query):
        return 2  # the first keyword is the item's common name
    return 1 if query in keywords else 0


def _tokens_starting(term: str) -> QuerySet:
    return SearchToken.objects.filter(token__startswith=term).values("version_id")


def _suggestion(versions: QuerySet[ItemVersion], query: str) -> str:
    """For a query that found nothing: the words it probably meant, found by pinyin (营叶执照 →
    营业执照), or else the name of the best item that pinyin finds; empty when nothing sounds alike."""
    pinyin = search.query_pinyin(query)
    if not pinyin or pinyin == query.lower():
        return ""
    best = versions.filter(pk__in=_tokens_starting(pinyin)).order_by("-item__popularity", "name").first()
    if best is None:
        return ""
    return search.phrase_sounding_like(pinyin, [best.name, *best.keywords.split()]) or best.name


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
        raise NotFound(_("该事项不存在或已停止办理。"), code="item_not_found")
    return version


def version_is_current(version_id: int) -> bool:
    """Whether new applications may be filed under this version (it is its item's published one)."""
    return ItemVersion.objects.filter(pk=version_id, status=ItemVersion.PUBLISHED).exists()


def version_current_for_item(item_id: int) -> ItemVersion:
    """The version new applications for the item are filed under, with all its parts."""
    published = ItemVersion.objects.filter(item_id=item_id, status=ItemVersion.PUBLISHED).order_by()
    version_id = next(iter(published.values_list("pk", flat=True)[:1]), None)  # one per item: no ORDER BY
    if version_id is None:
        raise NotFound(_("该事项不存在或已停止办理。"), code="item_not_found")
    return version_for_case(version_id)


@lru_cache(maxsize=4096)
def version_for_case(version_id: int) -> ItemVersion:
    """A version with every part case handling reads (flow, materials, form, special procedures).
    A case pins its version and a filed version's parts never change, so each process keeps it."""
    version = (
        ItemVersion.objects.select_related("item", "item__department__region", "item_type")
        .prefetch_related(
            "steps__department__region",
            "form_fields",
            "special_procedures",
            "fees",
            Prefetch("materials", queryset=VersionMaterial.objects.select_related("standard")),
        )
        .filter(pk=version_id)
        .exclude(status=ItemVersion.DRAFT)
        .first()
    )
    if version is None:
        raise NotFound(_("该事项版本不存在或尚未发布。"), code="version_not_found")
    return version


def item_situations(item: Item) -> QuerySet[ItemVersion]:
    """The published handling items (新设/变更/延续/注销) under an item."""
    return published_versions().filter(item__parent=item).order_by("item__situation")


def life_events(audience: str = "") -> QuerySet[LifeEvent]:
    events = LifeEvent.objects.all()
    return events.filter(audience=audience) if audience else events


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
        raise NotFound(_("事项不存在。"), code="item_not_found")
    return item


def versions_for_staff(*, scope: DataScope, status: str = "", query: str = "", page: int | str = 1) -> Page:
    """Every version (drafts included) of the items whose implementing department is in the scope."""
    versions = ItemVersion.objects.filter(item__department__region__code__startswith=scope.region_prefix)
    if scope.department_ids is not None:
        versions = versions.filter(item__department_id__in=scope.department_ids)
    if status:
        versions = versions.filter(status=status)
    for term in search.query_terms(query):
        versions = versions.filter(pk__in=_tokens_starting(term))
    versions = versions.select_related("item__department", "item_type").prefetch_related("themes")
    return Paginator(versions.order_by("-created_at", "-id"), PAGE_SIZE).get_page(page)


@dataclass(frozen=True)
class SourceUse:
    version_id: int
    item_id: int
    item_name: str
    department_name: str
    materials: list[str]


def versions_using_source(*, shared_prefix: str, licence_type_code: str = "", limit: int = 500) -> list[SourceUse]:
    """Published versions with a material supplied by a data resource: shared-data materials whose
    reference starts with `shared_prefix` ("<resource code>.") or e-licence materials of
    `licence_type_code`; each with the names of those materials (one query)."""
    supplied = Q(source="shared", source_ref__startswith=shared_prefix)
    if licence_type_code:
        supplied |= Q(source="licence", source_ref=licence_type_code)
    rows = (
        VersionMaterial.objects.filter(supplied, version__status=ItemVersion.PUBLISHED)
        .order_by("version__name", "version_id", "order", "id")
        .values_list(
            "version_id",
            "version__item_id",
            "version__name",
            "version__item__department__name",
            "name",
            "standard__name",
            "source_ref",
        )
    )
    uses: dict[int, SourceUse] = {}
    for version_id, item_id, item_name, department_name, name, standard_name, ref in rows:
        if version_id not in uses:
            if len(uses) >= limit:
                break
            uses[version_id] = SourceUse(version_id, item_id, item_name, department_name, [])
        uses[version_id].materials.append(f"{name or standard_name}（{ref}）")
    return list(uses.values())
