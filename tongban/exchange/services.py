"""Every write to the data-resource catalogue and the hosted registries.

Who may write: the data officers (post `data`) of the resource's provider department, and
administrators (post `admin`) whose data scope covers it (selectors.resource_may_manage). A
provider's own systems push incremental changes with their API key (registry_feed_apply). Each
write is audited in the same transaction.

Access governance (consumer systems, keys, requests, grants) lives in access.py.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts import selectors as accounts
from tongban.accounts.types import Actor
from tongban.core.audit import audit_record
from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.exchange import imports, selectors
from tongban.exchange.models import ConsumerSystem, DataResource, ImportBatch, RegistryRecord, ResourceField
from tongban.exchange.query import (
    calllog_use_write as calllog_use_write,  # for other contexts
    record_source_register as record_source_register,  # for other contexts
)
from tongban.org import selectors as org

RESOURCE_CODE = re.compile(r"^[a-z][a-z0-9_-]{1,39}$", re.IGNORECASE)
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
SHARING = dict(DataResource.SHARING)
SERVED_BY = dict(DataResource.SERVED_BY)
KEY_KINDS = dict(DataResource.KEYS)
FREQUENCIES = dict(DataResource.FREQUENCIES)
FIELD_TYPES = dict(ResourceField.TYPES)
SENSITIVITIES = dict(ResourceField.SENSITIVITY)
UPLOAD_SUFFIXES = (".csv", ".xlsx")


# ---------------------------------------------------------------- the catalogue


def _may_manage_department(actor: Actor, department) -> bool:
    staff = accounts.staff_of(actor)
    if staff is None:
        return False
    if staff.department_id == department.pk and accounts.staff_has_post(actor, selectors.DATA_POST):
        return True
    return accounts.staff_has_post(actor, selectors.ADMIN_POST) and accounts.staff_scope(actor).covers_department(
        department.pk, department.region_id
    )


def _resource_for_update(actor: Actor, code: str) -> DataResource:
    resource = DataResource.objects.select_for_update().select_related("provider").filter(code=code).first()
    if resource is None or accounts.staff_of(actor) is None:
        raise NotFound(_("未找到该数据资源。"), code="resource_not_found")
    if not selectors.resource_may_manage(actor, resource):
        raise PermissionDenied(
            _("只有提供部门的数据管理员（或范围内的系统管理员）可以管理该数据资源。"), code="resource_not_yours"
        )
    return resource


def _fields_clean(fields: list[dict]) -> list[dict]:
    """The field list, checked as a whole: every problem is reported at once."""
    if not fields:
        raise ValidationFailed(_("数据资源至少要有一个字段。"), code="resource_without_fields", field="fields")
    problems, seen, cleaned = [], set(), []
    for position, raw in enumerate(fields, start=1):
        name = str(raw.get("name", "")).strip()
        label = str(raw.get("label", "")).strip()
        kind = raw.get("type") or "string"
        sensitivity = raw.get("sensitivity") or ResourceField.INTERNAL
        if not FIELD_NAME.match(name) or len(name) > 40:
            problems.append(
                f"第{position}个字段的代码“{name}”无效：应以小写字母开头，只含小写字母、数字和下划线，最长40位"
            )
        elif name in seen:
            problems.append(f"字段代码“{name}”重复")
        seen.add(name)
        if not label or len(label) > 60:
            problems.append(f"第{position}个字段（{name}）须有名称，最长60个字")
        if kind not in FIELD_TYPES:
            problems.append(f"第{position}个字段（{name}）的类型“{kind}”无效，可选：{_choices(FIELD_TYPES)}")
        if sensitivity not in SENSITIVITIES:
            problems.append(
                f"第{position}个字段（{name}）的敏感级别“{sensitivity}”无效，可选：{_choices(SENSITIVITIES)}"
            )
        cleaned.append(
            {
                "name": name,
                "label": label,
                "type": kind,
                "sensitivity": sensitivity,
                "required": bool(raw.get("required", False)),
                "order": position,
            }
        )
    if problems:
        raise ValidationFailed(
            "字段定义有误：" + "；".join(problems) + "。", code="resource_bad_fields", problems=problems
        )
    return cleaned


def _choices(choices: dict[str, str]) -> str:
    return "、".join(f"{code}（{label}）" for code, label in choices.items())


def _attributes_check(values: dict, fields: list[dict]) -> None:
    problems = []
    if values["sharing"] not in SHARING:
        problems.append(f"共享类型“{values['sharing']}”无效")
    if values["sharing"] == DataResource.NOT_SHARED and not values["not_shared_reason"].strip():
        problems.append("不予共享的资源须写明法律、行政法规或党中央、国务院政策依据")
    if values["served_by"] not in SERVED_BY:
        problems.append(f"提供方式“{values['served_by']}”无效")
    if values["served_by"] == DataResource.REMOTE:
        try:
            URLValidator(schemes=["http", "https"])(values["endpoint_url"])
        except DjangoValidationError:
            problems.append("由部门接口提供的资源须填写有效的接口地址（http或https）")
    if values["key_kind"] not in KEY_KINDS:
        problems.append(f"查询主键“{values['key_kind']}”无效")
    elif not any(f["name"] == values["key_kind"] or f["type"] == values["key_kind"] for f in fields):
        problems.append(f"须有与查询主键对应的字段（字段代码为“{values['key_kind']}”）")
    if values["frequency"] not in FREQUENCIES:
        problems.append(f"更新周期“{values['frequency']}”无效")
    if not values["name"].strip() or len(values["name"]) > 100:
        problems.append("资源名称必填，最长100个字")
    if not 100 <= int(values["timeout_ms"]) <= 60_000:
        problems.append("接口超时应在100至60000毫秒之间")
    if problems:
        raise ValidationFailed(
            "数据资源信息有误：" + "；".join(problems) + "。", code="resource_invalid", problems=problems
        )


def _fields_write(resource: DataResource, fields: list[dict]) -> None:
    """Replace the resource's fields by the list: kept by name, the rest removed."""
    existing = {f.name: f for f in resource.fields.all()}
    wanted = {f["name"] for f in fields}
    ResourceField.objects.filter(resource=resource).exclude(name__in=wanted).delete()
    changed, new = [], []
    for spec in fields:
        current = existing.get(spec["name"])
        if current is None:
            new.append(ResourceField(resource=resource, **spec))
            continue
        for name, value in spec.items():
            setattr(current, name, value)
        changed.append(current)
    ResourceField.objects.bulk_create(new)
    ResourceField.objects.bulk_update(changed, ["label", "type", "sensitivity", "required", "order"])


EDITABLE = (
    "name",
    "description",
    "sharing",
    "not_shared_reason",
    "frequency",
    "key_kind",
    "served_by",
    "licence_type_code",
    "endpoint_url",
    "timeout_ms",
)


def resource_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    provider_id: int,
    fields: list[dict],
    description: str = "",
    sharing: str = DataResource.CONDITIONAL,
    not_shared_reason: str = "",
    frequency: str = "daily",
    key_kind: str = "id_number",
    served_by: str = DataResource.HOSTED,
    licence_type_code: str = "",
    endpoint_url: str = "",
    timeout_ms: int = 2000,
    is_active: bool = False,
) -> DataResource:
    """Register a resource of the provider department (unpublished unless `is_active`)."""
    code = code.strip()
    if not RESOURCE_CODE.match(code):
        raise ValidationFailed(
            _(
                "资源代码应以字母开头，只含字母、数字、下划线和连字符，2至40位（不能含“.”：材料以“资源代码.字段代码”引用）。"
            ),
            code="resource_bad_code",
            field="code",
        )
    provider = org.department_by_id(provider_id)
    if not _may_manage_department(actor, provider):
        raise PermissionDenied(
            _("只有该部门的数据管理员（或范围内的系统管理员）可以登记其数据资源。"), code="resource_not_yours"
        )
    values = {
        "name": name.strip(),
        "description": description.strip(),
        "sharing": sharing,
        "not_shared_reason": not_shared_reason.strip(),
        "frequency": frequency,
        "key_kind": key_kind,
        "served_by": served_by,
        "licence_type_code": licence_type_code.strip(),
        "endpoint_url": endpoint_url.strip(),
        "timeout_ms": timeout_ms,
    }
    cleaned = _fields_clean(fields)
    _attributes_check(values, cleaned)
    try:
        with transaction.atomic():
            now = timezone.now()
            resource = DataResource.objects.create(
                code=code, provider=provider, is_active=is_active, created_at=now, updated_at=now, **values
            )
            _fields_write(resource, cleaned)
            audit_record(
                action="resource.create",
                obj=resource,
                actor=actor,
                region_code=provider.region_id,
                detail={"code": code, "fields": [f["name"] for f in cleaned], "published": is_active},
            )
    except IntegrityError:
        raise Conflict(
            _("资源代码“%(code)s”已被使用，请换一个。") % {"code": code}, code="resource_code_taken", field="code"
        ) from None
    return resource


def resource_update(*, actor: Actor, code: str, fields: list[dict] | None = None, **changes) -> DataResource:
    """Change a resource's attributes (any of EDITABLE) and/or replace its field list."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationFailed(
            _("不能修改这些项：%(join_unknown)s。") % {"join_unknown": "、".join(unknown)}, code="resource_not_editable"
        )
    with transaction.atomic():
        resource = _resource_for_update(actor, code)
        values = {name: getattr(resource, name) for name in EDITABLE}
        values.update({k: v.strip() if isinstance(v, str) else v for k, v in changes.items()})
        cleaned = _fields_clean(fields) if fields is not None else _fields_clean(_current_fields(resource))
        _attributes_check(values, cleaned)
        before = {name: getattr(resource, name) for name in changes}
        for name, value in values.items():
            setattr(resource, name, value)
        resource.updated_at = timezone.now()
        resource.save(update_fields=[*EDITABLE, "updated_at"])
        if fields is not None:
            _fields_write(resource, cleaned)
        audit_record(
            action="resource.update",
            obj=resource,
            actor=actor,
            region_code=resource.provider.region_id,
            detail={
                "code": code,
                "changed": {k: [str(before[k]), str(values[k])] for k in changes if before[k] != values[k]},
                "fields": [f["name"] for f in cleaned] if fields is not None else None,
            },
        )
    return resource


def _current_fields(resource: DataResource) -> list[dict]:
    return [
        {"name": f.name, "label": f.label, "type": f.type, "sensitivity": f.sensitivity, "required": f.required}
        for f in resource.fields.all()
    ]


def resource_publish(*, actor: Actor, code: str) -> DataResource:
    return _publication_set(actor, code, active=True)


def resource_withdraw(*, actor: Actor, code: str) -> DataResource:
    """Take a resource out of the published catalogue (its rows and grants stay)."""
    return _publication_set(actor, code, active=False)


def _publication_set(actor: Actor, code: str, *, active: bool) -> DataResource:
    with transaction.atomic():
        resource = _resource_for_update(actor, code)
        if resource.is_active == active:
            state = "已发布" if active else "未发布"
            raise Conflict(_("该数据资源已是“%(state)s”状态。") % {"state": state}, code="resource_already")
        resource.is_active, resource.updated_at = active, timezone.now()
        resource.save(update_fields=["is_active", "updated_at"])
        audit_record(
            action="resource.publish" if active else "resource.withdraw",
            obj=resource,
            actor=actor,
            region_code=resource.provider.region_id,
            detail={"code": code},
        )
    return resource


# ---------------------------------------------------------------- bulk import


def import_start(*, actor: Actor, resource_code: str, upload) -> ImportBatch:
    """Queue an import of an uploaded CSV or xlsx file into a resource the actor manages; the work
    runs after commit (tasks.import_dispatch). Returns the pending batch."""
    filename = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1]
    if not filename.lower().endswith(UPLOAD_SUFFIXES):
        raise ValidationFailed(_("请上传CSV（UTF-8编码）或xlsx文件。"), code="import_bad_type", field="file")
    if upload.size > settings.TONGBAN_EXCHANGE_IMPORT_MAX_BYTES:
        limit = settings.TONGBAN_EXCHANGE_IMPORT_MAX_BYTES // (1024 * 1024)
        raise ValidationFailed(
            _("文件过大：最大%(limit)s MB，请拆分后分批导入。") % {"limit": limit},
            code="import_too_large",
            field="file",
        )
    if upload.size == 0:
        raise ValidationFailed(_("上传的文件是空的。"), code="import_empty", field="file")
    from tongban.exchange import tasks  # tasks import this module: imported here to avoid a cycle

    with transaction.atomic():
        resource = _resource_for_update(actor, resource_code)
        imports.Schema.of(resource)  # a remote resource or one without a key field cannot be imported
        batch = ImportBatch(resource=resource, filename=filename[:200], started_by=actor)
        batch.file.save(filename, upload, save=False)
        batch.save()
        audit_record(
            action="registry.import_start",
            obj=batch,
            actor=actor,
            region_code=resource.provider.region_id,
            detail={"resource": resource.code, "filename": filename, "bytes": upload.size},
        )
        transaction.on_commit(lambda: tasks.import_dispatch(batch.pk))
    return batch


# ---------------------------------------------------------------- incremental feeds


@dataclass(frozen=True)
class FeedResult:
    inserted: int
    updated: int
    unchanged: int
    deleted: int


def registry_feed_apply(*, system: ConsumerSystem, resource_code: str, rows: list[dict], deleted_keys=()) -> FeedResult:
    """Apply a provider system's push: upserts (rows as {field name: value}) and deletions by key.
    Validated like an import and all-or-nothing: one bad row and nothing is written."""
    resource = selectors.resource_by_code(resource_code)
    if resource is None:
        raise NotFound(
            _("数据资源“%(resource_code)s”不存在。") % {"resource_code": resource_code}, code="resource_not_found"
        )
    if system.department_id != resource.provider_id:
        raise PermissionDenied(_("只有提供部门的接入系统可以向该数据资源推送数据。"), code="feed_not_provider")
    deleted_keys = list(deleted_keys)
    limit = settings.TONGBAN_EXCHANGE_FEED_MAX_ROWS
    if not rows and not deleted_keys:
        raise ValidationFailed(_("推送内容为空：rows与deleted_keys至少要有一项。"), code="feed_empty")
    if len(rows) + len(deleted_keys) > limit:
        raise ValidationFailed(
            _("一次最多推送%(limit)s条（含删除），请分批推送。") % {"limit": limit}, code="feed_too_many"
        )
    schema = imports.Schema.of(resource)
    valid, deleting, problems = _feed_rows_check(schema, rows, deleted_keys)
    if problems:
        raise ValidationFailed(
            f"有{len(problems)}条记录未通过校验，本次推送未写入任何数据：" + "；".join(problems[:20]) + "。",
            code="feed_rejected",
            problems=problems,
        )
    source = f"接口推送 {system.name}"[:100]
    try:
        with transaction.atomic():
            # One writer per resource at a time: an import's merge holds the same lock.
            DataResource.objects.select_for_update().filter(pk=resource.pk).exists()
            inserted, updated = imports.records_upsert(resource, valid, source=source, now=timezone.now())
            deleted, _by_model = RegistryRecord.objects.filter(resource=resource, key__in=deleting).delete()
            audit_record(
                action="registry.feed_apply",
                obj=resource,
                acting_for=f"接入系统 {system.client_id}",
                region_code=resource.provider.region_id,
                detail={
                    "system": system.pk,
                    "inserted": inserted,
                    "updated": updated,
                    "deleted": deleted,
                    "rows": len(valid),
                },
            )
    except IntegrityError:  # another push inserted the same new key at the same moment
        raise Conflict(_("同一主键的数据正被另一次推送写入，请稍后重试。"), code="feed_concurrent") from None
    return FeedResult(inserted=inserted, updated=updated, unchanged=len(valid) - inserted - updated, deleted=deleted)


def _feed_rows_check(schema: imports.Schema, rows: list, deleted_keys: list) -> tuple[list, list[str], list[str]]:
    """(valid rows as (key, data), normalised keys to delete, problems)."""
    valid, deleting, problems, seen = [], [], [], {}
    key_check = schema.converter(schema.key)
    for position, row in enumerate(rows, start=1):
        checked = schema.mapping_check(row)
        if isinstance(checked, list):
            problems.append(f"第{position}条：" + "，".join(checked))
            continue
        key, data = checked
        if key in seen:
            problems.append(f"第{position}条：主键与第{seen[key]}条重复")
            continue
        seen[key] = position
        valid.append((key, data))
    for position, raw in enumerate(deleted_keys, start=1):
        try:
            key = key_check(str(raw).strip(), schema.key.label)
        except imports.RowRejected as reason:
            problems.append(f"删除的第{position}个主键：{reason}")
            continue
        if key in seen:
            problems.append(f"删除的第{position}个主键同时出现在写入的记录中")
            continue
        deleting.append(key)
    return valid, deleting, problems
