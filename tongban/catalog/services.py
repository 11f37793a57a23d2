"""Every write to the catalogue. Drafts are edited by catalogue administrators of the implementing
department's scope; publishing runs the consistency rules; a published version never changes."""

from django.db import transaction
from django.utils import timezone

from tongban.accounts import selectors as accounts_selectors
from tongban.catalog import search, workflow
from tongban.catalog.models import (
    Item,
    ItemVersion,
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


def _require_catalogue_admin(actor, department) -> None:
    """Catalogue administrators (post 管理) act on the items of departments in their scope."""
    if actor is None or actor.is_superuser:
        return  # the seed and imports run as the system; superusers administer every department
    if not accounts_selectors.staff_has_post(actor, "admin"):
        raise PermissionDenied("只有事项管理员可以维护事项清单。", code="not_catalogue_admin")
    if not accounts_selectors.staff_scope(actor).covers_department(department.pk, department.region_id):
        raise PermissionDenied(f"“{department.name}”不在您的管理范围内。", code="department_out_of_scope")


def _version_for_update(version_id: int) -> ItemVersion:
    version = (
        ItemVersion.objects.select_for_update(of=("self",))
        .select_related("item__department")
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        raise NotFound("事项版本不存在。", code="version_not_found")
    return version


def _assign(version: ItemVersion, fields: dict) -> None:
    unknown = set(fields) - VERSION_FIELDS - set(VERSION_RELATIONS)
    if unknown:
        raise ValidationFailed(f"不能修改这些字段：{'、'.join(sorted(unknown))}。", code="field_not_editable")
    for name, value in fields.items():
        if name not in VERSION_RELATIONS:
            setattr(version, name, value)


def _reindex(version: ItemVersion) -> None:
    """Keep the search column in step with what it indexes (name, keywords, codes)."""
    version.search_text = search.index_text(
        name=version.name,
        keywords=version.keywords,
        codes=(version.implementation_code, version.handling_code, version.item.basic_code),
    )


def _assign_relations(version: ItemVersion, fields: dict) -> None:
    for name in VERSION_RELATIONS:
        if name in fields:
            getattr(version, name).set(fields[name])


@transaction.atomic
def item_create(
    *,
    actor,
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
        raise ValidationFailed("请填写事项基本编码。", code="basic_code_required", field="basic_code")
    if (kind == Item.MAIN) != (parent_id is None):
        raise ValidationFailed("主项没有上级事项；子项和业务办理项须指定上级事项。", code="item_parent", field="parent")
    if kind == Item.HANDLING and not situation:
        raise ValidationFailed("业务办理项须注明办理情形（新设、变更、延续或注销）。", code="situation_required")
    if Item.objects.filter(department=department, basic_code=basic_code, situation=situation).exists():
        raise Conflict("该实施主体已有相同基本编码和情形的事项。", code="item_exists", field="basic_code")
    item = Item.objects.create(
        basic_code=basic_code, kind=kind, parent_id=parent_id, situation=situation, department=department
    )
    version = ItemVersion(item=item, number=1)
    _assign(version, fields)
    _reindex(version)
    version.save()
    _assign_relations(version, fields)
    audit_record(
        action="item.create", obj=item, actor=actor, detail={"name": version.name}, region_code=department.region_id
    )
    return version


@transaction.atomic
def version_update(*, actor, version_id: int, **fields) -> ItemVersion:
    version = _version_for_update(version_id)
    _require_catalogue_admin(actor, version.item.department)
    if not version.editable:
        raise Conflict("已发布的版本不能修改；请新建版本，修改后再发布。", code="version_immutable")
    _assign(version, fields)
    _reindex(version)
    version.save(update_fields=[*(name for name in fields if name not in VERSION_RELATIONS), "search_text"])
    _assign_relations(version, fields)
    audit_record(action="version.update", obj=version, actor=actor, detail={"fields": sorted(fields)})
    return version


@transaction.atomic
def version_parts_replace(
    *,
    actor,
    version_id: int,
    steps: list[dict] | None = None,
    materials: list[dict] | None = None,
    fees: list[dict] | None = None,
    form_fields: list[dict] | None = None,
    special_procedures: list[dict] | None = None,
) -> ItemVersion:
    """Replace a draft's steps, materials, fees, form fields or special procedures (each list given
    replaces the old one whole)."""
    version = _version_for_update(version_id)
    _require_catalogue_admin(actor, version.item.department)
    if not version.editable:
        raise Conflict("已发布的版本不能修改；请新建版本，修改后再发布。", code="version_immutable")
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
def version_publish(*, actor, version_id: int) -> ItemVersion:
    """Publish a draft after every consistency rule passes; the version it replaces is superseded."""
    version = _version_for_update(version_id)
    _require_catalogue_admin(actor, version.item.department)
    target = workflow.version_next_status(version, "publish")
    problems = version_problems(version)
    if problems:
        raise ValidationFailed(
            f"不能发布：共有{len(problems)}处不符合事项要素一致性要求，请逐条修改。",
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
    audit_record(
        action="version.publish",
        obj=version,
        actor=actor,
        detail={"item": item.pk, "number": version.number},
        region_code=item.department.region_id,
    )
    return version


@transaction.atomic
def version_draft_new(*, actor, item_id: int) -> ItemVersion:
    """A new draft copied from the current published version, with its parts."""
    item = Item.objects.select_for_update().select_related("department").filter(pk=item_id).first()
    if item is None:
        raise NotFound("事项不存在。", code="item_not_found")
    _require_catalogue_admin(actor, item.department)
    if item.versions.filter(status=ItemVersion.DRAFT).exists():
        raise Conflict("该事项已有一个草稿版本，请继续编辑它。", code="draft_exists")
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
    _assign_relations(draft, relations)
    for rows in parts:
        for row in rows:
            row.pk, row.version = None, draft
        if rows:
            type(rows[0]).objects.bulk_create(rows)
    return draft


@transaction.atomic
def version_withdraw(*, actor, version_id: int, reason: str) -> ItemVersion:
    """Take a published version off the catalogue (the item is no longer offered)."""
    if not reason.strip():
        raise ValidationFailed("请填写撤销原因。", code="reason_required", field="reason")
    version = _version_for_update(version_id)
    _require_catalogue_admin(actor, version.item.department)
    version.status = workflow.version_next_status(version, "withdraw")
    version.retired_at = timezone.now()
    version.save(update_fields=["status", "retired_at"])
    Item.objects.filter(pk=version.item_id, current=version).update(current=None)
    audit_record(action="version.withdraw", obj=version, actor=actor, detail={"reason": reason.strip()})
    return version
