"""Every write to the catalogue. Drafts are edited by catalogue administrators of the implementing
department's scope; publishing runs the consistency rules; a published version never changes."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts import selectors as accounts_selectors
from tongban.accounts.types import Actor
from tongban.catalog import search, workflow
from tongban.catalog.models import (
    CatalogueGeneration,
    Item,
    ItemVersion,
    SearchToken,
    StandardMaterial,
    VersionFee,
    VersionFormField,
    VersionMaterial,
    VersionSpecialProcedure,
    VersionStep,
)
from tongban.catalog.rules import version_problems
from tongban.core.audit import audit_record
from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.org import selectors as org_selectors

# Fields a draft may change; the rest (item, number, status, publication) belong to the services.
VERSION_FIELDS = frozenset(
    f.name
    for f in ItemVersion._meta.get_fields()
    if f.concrete
    and not f.many_to_many
    and f.name not in {"id", "item", "number", "status", "created_at", "published_at", "published_by", "retired_at"}
) | {"item_type_id", "hall_id"}
VERSION_RELATIONS = ("co_departments", "themes")
PART_RELATIONS = ("steps", "materials", "fees", "form_fields", "special_procedures")  # copied into a new draft


def _require_catalogue_admin(actor: Actor, department) -> None:
    """System administrators (post 系统管理) act on the items of departments in their scope."""
    if actor is None:
        return  # the seed and imports run as the system
    if not accounts_selectors.staff_has_post(actor, workflow.CATALOGUE_ADMIN):
        raise PermissionDenied(_("只有事项管理员可以维护事项清单。"), code="not_catalogue_admin")
    if not accounts_selectors.staff_scope(actor).covers_department(department.pk, department.region_id):
        raise PermissionDenied(
            _("“%(department_name)s”不在您的管理范围内。") % {"department_name": department.name},
            code="department_out_of_scope",
        )


def _version_for_update(version_id: int) -> ItemVersion:
    version = (
        ItemVersion.objects.select_for_update(of=("self",))
        .select_related("item__department")
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        raise NotFound(_("事项版本不存在。"), code="version_not_found")
    return version


def _draft_for_update(*, actor: Actor, version_id: int) -> ItemVersion:
    """A draft, locked, after checking the actor may edit it: a published version never changes."""
    version = _version_for_update(version_id)
    _require_catalogue_admin(actor, version.item.department)
    if not version.editable:
        raise Conflict(_("已发布的版本不能修改；请新建版本，修改后再发布。"), code="version_immutable")
    return version


def _assign(version: ItemVersion, fields: dict) -> None:
    unknown = set(fields) - VERSION_FIELDS - set(VERSION_RELATIONS)
    if unknown:
        raise ValidationFailed(
            _("不能修改这些字段：%(join_sorted_unknown)s。") % {"join_sorted_unknown": "、".join(sorted(unknown))},
            code="field_not_editable",
        )
    for name, value in fields.items():
        if name not in VERSION_RELATIONS:
            setattr(version, name, value)


def _catalogue_changed() -> None:
    """Tell every process's in-memory search index that the published catalogue changed."""
    CatalogueGeneration.objects.get_or_create(pk=1)
    CatalogueGeneration.objects.filter(pk=1).update(number=F("number") + 1, changed_at=timezone.now())


def _version_tokens(version: ItemVersion, basic_code: str) -> list[str]:
    return search.index_tokens(
        name=version.name,
        keywords=version.keywords,
        codes=(version.implementation_code, version.handling_code, basic_code),
    )


def _reindex(version: ItemVersion) -> None:
    """Keep the search tokens in step with what they index (name, keywords, codes)."""
    tokens = _version_tokens(version, version.item.basic_code)
    version.search_text = " ".join(tokens)
    SearchToken.objects.filter(version=version).delete()
    SearchToken.objects.bulk_create([SearchToken(version=version, token=token) for token in tokens])


def _assign_relations(version: ItemVersion, fields: dict) -> None:
    for name in VERSION_RELATIONS:
        if name in fields:
            getattr(version, name).set(fields[name])


@transaction.atomic
def item_create(
    *,
    actor: Actor,
    department_id: int,
    basic_code: str,
    kind: str = Item.MAIN,
    parent_id: int | None = None,
    situation: str = "",
    **fields,
) -> ItemVersion:
    """A new item with its first draft version."""
    department = org_selectors.department_by_id(department_id)
    _require_catalogue_admin(actor, department)
    basic_code = basic_code.strip().upper()
    if not basic_code:
        raise ValidationFailed(_("请填写事项基本编码。"), code="basic_code_required", field="basic_code")
    if (kind == Item.MAIN) != (parent_id is None):
        raise ValidationFailed(
            _("主项没有上级事项；子项和业务办理项须指定上级事项。"), code="item_parent", field="parent"
        )
    if kind == Item.HANDLING and not situation:
        raise ValidationFailed(_("业务办理项须注明办理情形（新设、变更、延续或注销）。"), code="situation_required")
    if Item.objects.filter(department=department, basic_code=basic_code, situation=situation).exists():
        raise Conflict(_("该实施主体已有相同基本编码和情形的事项。"), code="item_exists", field="basic_code")
    item = Item.objects.create(
        basic_code=basic_code, kind=kind, parent_id=parent_id, situation=situation, department=department
    )
    version = ItemVersion(item=item, number=1)
    _assign(version, fields)
    version.save()
    _reindex(version)
    version.save(update_fields=["search_text"])
    _assign_relations(version, fields)
    audit_record(
        action="item.create", obj=item, actor=actor, detail={"name": version.name}, region_code=department.region_id
    )
    return version


@transaction.atomic
def version_update(*, actor: Actor, version_id: int, **fields) -> ItemVersion:
    version = _draft_for_update(actor=actor, version_id=version_id)
    _assign(version, fields)
    _reindex(version)
    version.save(update_fields=[*(name for name in fields if name not in VERSION_RELATIONS), "search_text"])
    _assign_relations(version, fields)
    audit_record(action="version.update", obj=version, actor=actor, detail={"fields": sorted(fields)})
    return version


@transaction.atomic
def version_parts_replace(
    *,
    actor: Actor,
    version_id: int,
    steps: list[dict] | None = None,
    materials: list[dict] | None = None,
    fees: list[dict] | None = None,
    form_fields: list[dict] | None = None,
    special_procedures: list[dict] | None = None,
) -> ItemVersion:
    """Replace a draft's steps, materials, fees, form fields or special procedures (each list given
    replaces the old one whole)."""
    version = _draft_for_update(actor=actor, version_id=version_id)
    parts = (
        (VersionStep, steps),
        (VersionMaterial, materials),
        (VersionFee, fees),
        (VersionFormField, form_fields),
        (VersionSpecialProcedure, special_procedures),
    )
    for model, rows in parts:
        if rows is not None:
            model.objects.filter(version=version).delete()
            model.objects.bulk_create([model(version=version, **row) for row in rows])
    audit_record(
        action="version.parts_replace",
        obj=version,
        actor=actor,
        detail={"parts": [model._meta.model_name for model, rows in parts if rows is not None]},
    )
    return version


@transaction.atomic
def version_publish(*, actor: Actor, version_id: int) -> ItemVersion:
    """Publish a draft after every consistency rule passes; the version it replaces is superseded."""
    version = _version_for_update(version_id)
    _require_catalogue_admin(actor, version.item.department)
    target = workflow.version_next_status(version, "publish")
    problems = version_problems(version)
    if problems:
        raise ValidationFailed(
            _("不能发布：共有%(len_problems)s处不符合事项要素一致性要求，请逐条修改。")
            % {"len_problems": len(problems)},
            code="version_inconsistent",
            problems=problems,
        )
    item = Item.objects.select_for_update().get(pk=version.item_id)
    now = timezone.now()
    if item.current_id:
        previous = ItemVersion.objects.select_for_update().get(pk=item.current_id)
        previous.status = workflow.version_next_status(previous, "supersede")
        previous.retired_at = now
        previous.save(update_fields=["status", "retired_at"])
    version.status, version.published_at = target, now
    version.published_by = actor.get_username() if actor else "system"
    version.save(update_fields=["status", "published_at", "published_by"])
    item.current = version
    item.save(update_fields=["current"])
    _catalogue_changed()
    audit_record(
        action="version.publish",
        obj=version,
        actor=actor,
        detail={"item": item.pk, "number": version.number},
        region_code=item.department.region_id,
    )
    return version


@transaction.atomic
def version_draft_new(*, actor: Actor, item_id: int) -> ItemVersion:
    """A new draft copied from the current published version, with its parts."""
    item = Item.objects.select_for_update().select_related("department").filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("事项不存在。"), code="item_not_found")
    _require_catalogue_admin(actor, item.department)
    if item.versions.filter(status=ItemVersion.DRAFT).exists():
        raise Conflict(_("该事项已有一个草稿版本，请继续编辑它。"), code="draft_exists")
    source = item.versions.order_by("-number").first()
    draft = _version_copy(source, number=source.number + 1)
    audit_record(action="version.draft", obj=draft, actor=actor, detail={"from": source.number})
    return draft


def _version_copy(source: ItemVersion, *, number: int) -> ItemVersion:
    relations = {name: list(getattr(source, name).all()) for name in VERSION_RELATIONS}
    parts = [list(getattr(source, name).all()) for name in PART_RELATIONS]
    draft = ItemVersion.objects.get(pk=source.pk)
    draft.pk = None
    draft.number, draft.status = number, ItemVersion.DRAFT
    draft.published_at, draft.published_by, draft.retired_at = None, "", None
    draft.save()
    _reindex(draft)
    _assign_relations(draft, relations)
    for rows in parts:
        for row in rows:
            row.pk, row.version = None, draft
        if rows:
            type(rows[0]).objects.bulk_create(rows)
    return draft


@transaction.atomic
def version_withdraw(*, actor: Actor, version_id: int, reason: str) -> ItemVersion:
    """Take a published version off the catalogue (the item is no longer offered)."""
    if not reason.strip():
        raise ValidationFailed(_("请填写撤销原因。"), code="reason_required", field="reason")
    version = _version_for_update(version_id)
    _require_catalogue_admin(actor, version.item.department)
    version.status = workflow.version_next_status(version, "withdraw")
    version.retired_at = timezone.now()
    version.save(update_fields=["status", "retired_at"])
    Item.objects.filter(pk=version.item_id, current=version).update(current=None)
    _catalogue_changed()
    audit_record(action="version.withdraw", obj=version, actor=actor, detail={"reason": reason.strip()})
    return version


def catalogue_reindex() -> int:
    """Rebuild every version's search tokens (after a change to the tokenizer); returns how many."""
    count = 0
    versions = ItemVersion.objects.select_related("item").order_by("id")
    for version in versions.iterator(chunk_size=500):
        with transaction.atomic():
            _reindex(version)
            version.save(update_fields=["search_text"])
        count += 1
    with transaction.atomic():
        _catalogue_changed()
    return count


_BULK_ITEM_KEYS = frozenset({"department_id", "basic_code", "kind", "parent_id", "situation"})


@transaction.atomic
def item_bulk_publish(rows: list[dict], *, actor: Actor = None, batch_size: int = 2_000) -> list[ItemVersion]:
    """Create many items at once, each with its first version published and indexed for search;
    returns the versions in row order. A row holds what item_create and version_parts_replace take
    for one item: department_id, basic_code, optionally kind, parent_id and situation, the
    version's fields, themes and co_departments (primary keys), and any of PART_RELATIONS (lists
    of dicts).

    This service trusts its caller, as tongban.accounts.bulk does: no permission check, none of
    the consistency rules version_publish runs, no duplicate check beyond the database's
    constraints; at thousands of items the per-item checks would cost more than the load. Today the
    only caller is the demo catalogue (tongban.demo.catalogue), whose rows are generated variants of
    items that passed every rule; a real list must come in through item_create and version_publish.
    The load is one transaction with one audit entry for the whole load."""
    parts = {name: ItemVersion._meta.get_field(name).related_model for name in PART_RELATIONS}
    for row in rows:
        unknown = set(row) - _BULK_ITEM_KEYS - set(parts) - VERSION_FIELDS - set(VERSION_RELATIONS)
        if unknown:
            raise ValidationFailed(
                _("不能批量写入这些字段：%(join_sorted_unknown)s。")
                % {"join_sorted_unknown": "、".join(sorted(unknown))},
                code="field_not_editable",
            )
    now = timezone.now()
    items = Item.objects.bulk_create(
        [
            Item(
                department_id=row["department_id"],
                basic_code=row["basic_code"].strip().upper(),
                kind=row.get("kind", Item.MAIN),
                parent_id=row.get("parent_id"),
                situation=row.get("situation", ""),
            )
            for row in rows
        ],
        batch_size=batch_size,
    )
    versions, tokens = [], []
    for item, row in zip(items, rows, strict=True):
        version = ItemVersion(
            item=item,
            number=1,
            status=ItemVersion.PUBLISHED,
            published_at=now,
            published_by=actor.get_username() if actor else "system",
            **{name: value for name, value in row.items() if name in VERSION_FIELDS},
        )
        tokens.append(_version_tokens(version, item.basic_code))
        version.search_text = " ".join(tokens[-1])
        versions.append(version)
    ItemVersion.objects.bulk_create(versions, batch_size=batch_size)
    for item, version in zip(items, versions, strict=True):
        item.current = version
    Item.objects.bulk_update(items, ["current"], batch_size=batch_size)
    SearchToken.objects.bulk_create(
        [
            SearchToken(version=version, token=token)
            for version, found in zip(versions, tokens, strict=True)
            for token in found
        ],
        batch_size=batch_size,
    )
    for name in VERSION_RELATIONS:
        relation = ItemVersion._meta.get_field(name)
        through = relation.remote_field.through
        source, target = f"{relation.m2m_field_name()}_id", f"{relation.m2m_reverse_field_name()}_id"
        links = [
            through(**{source: version.pk, target: pk})
            for version, row in zip(versions, rows, strict=True)
            for pk in row.get(name, ())
        ]
        through.objects.bulk_create(links, batch_size=batch_size)
    for name, model in parts.items():
        made = [
            model(version=version, **part)
            for version, row in zip(versions, rows, strict=True)
            for part in row.get(name, ())
        ]
        model.objects.bulk_create(made, batch_size=batch_size)
    _catalogue_changed()
    audit_record(action="item.bulk_publish", object_type="catalog.item", detail={"rows": len(rows)}, actor=actor)
    return versions


@transaction.atomic
def standard_materials_add(*, rows: list[dict], actor: Actor = None) -> int:
    """Add entries to the standard-material dictionary (code, name, and optionally description,
    licence_type_code, shared_field); codes already present are left as they are. Returns how many
    were added."""
    present = set(StandardMaterial.objects.filter(code__in=[r["code"] for r in rows]).values_list("code", flat=True))
    missing = [StandardMaterial(**row) for row in rows if row["code"] not in present]
    StandardMaterial.objects.bulk_create(missing)
    if missing:
        audit_record(
            action="standard_material.add",
            object_type="catalog.standardmaterial",
            actor=actor,
            detail={"codes": [m.code for m in missing]},
        )
    return len(missing)
