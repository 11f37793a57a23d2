"""Access governance of the exchange (共享授权): consumer systems and their API keys, access requests
decided by the provider (workflow.py), field-level grants, and the overdue sweep.

Services and selectors of this one sub-domain live together here, in two marked halves, because
they share its permission rules (who is a data officer of which department) and the query side
(another part of the exchange) needs both `grant_for` and `grant_fields_check` from one place.
The split still holds inside the module: functions under "services" are the only ones that write
(each one locks its row, checks the table and the actor, writes, then appends the audit entry and
the outbox event in the same transaction); functions under "selectors" only read, always within
the actor's data scope.

Who may act (post codes are accounts.Post's, stable strings):
- consumer systems and keys: staff holding `data` or `admin` whose data scope covers the system's
  department;
- requests and withdrawals: staff holding `data` in the consuming department (or a consumer system
  itself, authenticated by its key);
- decisions and revocations: staff holding `data` in the provider department (a consuming
  department's data officer may also give up its own grant);
- overdue requests are flagged to staff holding `supervise` whose scope covers the provider.

An API key is shown once, when issued; only its prefix and SHA-256 are stored, and neither the key
nor its digest is ever written to the audit log.
"""

import datetime as dt
import secrets
from dataclasses import dataclass
from statistics import mean

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts import selectors as accounts
from tongban.accounts.types import Actor
from tongban.core.audit import audit_record
from tongban.core.calendar import add_working_days, today, working_days_between
from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.core.events import event_record
from tongban.exchange import workflow
from tongban.exchange.auth import api_key_new
from tongban.exchange.models import AccessRequest, ApiKey, ConsumerSystem, DataResource, Grant, ResourceField
from tongban.org import selectors as org

DATA_POST, ADMIN_POST, SUPERVISE_POST = "data", "admin", "supervise"
TOPIC = "exchange.access_changed"
DECISION_WORKING_DAYS = 2  # the provider decides within 2 working days (Qiqihar)
MAX_PERIOD_YEARS = 3
MAX_DAILY_VOLUME = 1_000_000
MAX_GRACE_DAYS = 30
PAGE_SIZE = 20


@dataclass(frozen=True)
class IssuedKey:
    """A freshly issued key: `key` is the secret to hand over once; it is stored nowhere."""

    system: ConsumerSystem
    api_key: ApiKey
    key: str


# ================================================================ permissions


def _staff(actor: Actor):
    staff = accounts.staff_of(actor) if actor is not None else None
    if staff is None:
        raise PermissionDenied(_("请使用工作人员账号登录。"), code="staff_required")
    return staff


def _covers(actor: Actor, department) -> bool:
    return accounts.staff_scope(actor).covers_department(department.pk, department.region_id)


def may_manage_systems(actor: Actor, department) -> bool:
    """Data officers and administrators whose scope covers the department."""
    if actor is None or accounts.staff_of(actor) is None:
        return False
    has_post = accounts.staff_has_post(actor, DATA_POST) or accounts.staff_has_post(actor, ADMIN_POST)
    return has_post and _covers(actor, department)


def is_data_officer_of(actor: Actor, department_id: int) -> bool:
    """Staff holding `data` in this very department (a department speaks for its own data)."""
    staff = accounts.staff_of(actor) if actor is not None else None
    return staff is not None and staff.department_id == department_id and accounts.staff_has_post(actor, DATA_POST)


def _systems_check(actor: Actor, department) -> None:
    _staff(actor)
    if not may_manage_systems(actor, department):
        raise PermissionDenied(
            _("只有持有“数据”或“管理”岗位、且数据范围覆盖该部门的工作人员可以管理接入系统。"),
            code="systems_not_permitted",
        )


def _data_officer_check(actor: Actor, department_id: int, doing: str) -> None:
    _staff(actor)
    if not is_data_officer_of(actor, department_id):
        raise PermissionDenied(
            _("只有本部门持有“数据”岗位的工作人员可以%(doing)s。") % {"doing": doing}, code="data_post_required"
        )


# ================================================================ services: systems and keys


def _key_issue(system: ConsumerSystem) -> tuple[ApiKey, str]:
    key, prefix, digest = api_key_new()
    return ApiKey.objects.create(system=system, prefix=prefix, secret_hash=digest), key


@transaction.atomic
def system_register(*, actor: Actor, department_id: int, name: str) -> IssuedKey:
    """A consumer system of the department and its first API key (the key is returned once)."""
    department = org.department_by_id(department_id)
    _systems_check(actor, department)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写系统名称。"), code="system_name_required", field="name")
    if len(name) > 100:
        raise ValidationFailed(_("系统名称不能超过100个字。"), code="system_name_too_long", field="name")
    if ConsumerSystem.objects.filter(department_id=department.pk, name=name, is_active=True).exists():
        raise Conflict(
            _("本部门已有名为“%(name)s”的接入系统。") % {"name": name}, code="system_name_taken", field="name"
        )
    system = ConsumerSystem.objects.create(department=department, name=name, client_id=_client_id())
    api_key, key = _key_issue(system)
    audit_record(
        action="exchange.system_register",
        obj=system,
        actor=actor,
        region_code=department.region_id,
        detail={"department_id": department.pk, "name": name, "client_id": system.client_id, "key": api_key.prefix},
    )
    return IssuedKey(system, api_key, key)


def _client_id() -> str:
    while ConsumerSystem.objects.filter(client_id=(client_id := f"sys-{secrets.token_hex(6)}")).exists():
        pass  # 48 random bits: a collision is all but impossible, but a unique key must not fail
    return client_id


def _system_for_update(system_id: int) -> ConsumerSystem:
    system = ConsumerSystem.objects.select_for_update().filter(pk=system_id).first()
    if system is None:
        raise NotFound(_("未找到该接入系统。"), code="system_not_found")
    return system


@transaction.atomic
def api_key_rotate(*, actor: Actor, system_id: int, grace_days: int = 7) -> IssuedKey:
    """A new key; the system's other live keys keep working for `grace_days` (0: stop now), so the
    system can switch over without an outage."""
    system = _system_for_update(system_id)
    department = org.department_by_id(system.department_id)
    _systems_check(actor, department)
    if not system.is_active:
        raise Conflict(_("该接入系统已停用，不能再签发密钥。"), code="system_inactive")
    if not 0 <= grace_days <= MAX_GRACE_DAYS:
        raise ValidationFailed(
            _("旧密钥的过渡期应为0到%(MAX_GRACE_DAYS)s天。") % {"MAX_GRACE_DAYS": MAX_GRACE_DAYS},
            code="grace_days_invalid",
            field="grace_days",
        )
    now = timezone.now()
    until = now + dt.timedelta(days=grace_days)
    # Keys already due to expire sooner keep their earlier end.
    old = _live_keys(system, now).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=until))
    old_prefixes = list(old.values_list("prefix", flat=True))
    old.update(expires_at=until)
    api_key, key = _key_issue(system)
    audit_record(
        action="exchange.api_key_rotate",
        obj=system,
        actor=actor,
        region_code=department.region_id,
        detail={"key": api_key.prefix, "old_keys": old_prefixes, "old_expire_at": until.isoformat()},
    )
    return IssuedKey(system, api_key, key)


def _live_keys(system: ConsumerSystem, now: dt.datetime) -> QuerySet[ApiKey]:
    return system.keys.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


@transaction.atomic
def api_key_revoke(*, actor: Actor, key_id: int) -> ApiKey:
    """Stop one key at once (lost or leaked)."""
    api_key = ApiKey.objects.select_for_update().select_related("system").filter(pk=key_id).first()
    if api_key is None:
        raise NotFound(_("未找到该密钥。"), code="api_key_not_found")
    department = org.department_by_id(api_key.system.department_id)
    _systems_check(actor, department)
    if api_key.revoked_at is not None:
        raise Conflict(_("该密钥已吊销。"), code="api_key_revoked")
    api_key.revoked_at = timezone.now()
    api_key.save(update_fields=["revoked_at"])
    audit_record(
        action="exchange.api_key_revoke",
        obj=api_key.system,
        actor=actor,
        region_code=department.region_id,
        detail={"key": api_key.prefix},
    )
    return api_key


@transaction.atomic
def system_deactivate(*, actor: Actor, system_id: int, reason: str = "") -> ConsumerSystem:
    """Stop the system: its keys no longer authenticate (auth checks `is_active`), its live keys
    are revoked so that re-enabling never revives a forgotten key."""
    system = _system_for_update(system_id)
    department = org.department_by_id(system.department_id)
    _systems_check(actor, department)
    if not system.is_active:
        raise Conflict(_("该接入系统已停用。"), code="system_inactive")
    now = timezone.now()
    revoked = list(_live_keys(system, now).values_list("prefix", flat=True))
    system.keys.filter(revoked_at__isnull=True).update(revoked_at=now)
    system.is_active = False
    system.save(update_fields=["is_active"])
    audit_record(
        action="exchange.system_deactivate",
        obj=system,
        actor=actor,
        region_code=department.region_id,
        detail={"reason": reason.strip()[:300], "revoked_keys": revoked},
    )
    return system


# ================================================================ services: requests and grants


def _resource_by_code(code: str) -> DataResource:
    resource = DataResource.objects.select_related("provider").filter(code=(code or "").strip()).first()
    if resource is None or not resource.is_active:
        raise NotFound(
            _("数据资源“%(code)s”不存在或未发布。") % {"code": code}, code="resource_not_found", field="resource_code"
        )
    return resource


def _fields_check(resource: DataResource, fields) -> list[str]:
    """The requested field names, de-duplicated in the resource's order; unknown names refused."""
    wanted = [str(name).strip() for name in (fields or []) if str(name).strip()]
    if not wanted:
        raise ValidationFailed(_("请至少选择一个申请字段。"), code="fields_required", field="fields")
    known = list(resource.fields.order_by("order", "id").values_list("name", flat=True))
    unknown = [name for name in dict.fromkeys(wanted) if name not in known]
    if unknown:
        raise ValidationFailed(
            _("数据资源“%(resource_name)s”没有这些字段：%(join_unknown)s。请按资源目录中的字段申请。")
            % {"resource_name": resource.name, "join_unknown": "、".join(unknown)},
            code="unknown_fields",
            field="fields",
            problems=unknown,
        )
    return [name for name in known if name in wanted]


def _text(value: str, label: str, field: str, *, max_length: int = 300) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(_("请填写%(label)s。") % {"label": label}, code=f"{field}_required", field=field)
    if len(value) > max_length:
        raise ValidationFailed(
            _("%(label)s不能超过%(max_length)s个字。") % {"label": label, "max_length": max_length},
            code=f"{field}_too_long",
            field=field,
        )
    return value


def years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _period_check(valid_from: dt.date, valid_until: dt.date) -> None:
    if valid_from is None or valid_until is None:
        raise ValidationFailed(_("请填写使用期限的起止日期。"), code="period_required", field="valid_from")
    if valid_from < today():
        raise ValidationFailed(_("使用期限不能早于今天开始。"), code="period_in_past", field="valid_from")
    if valid_until < valid_from:
        raise ValidationFailed(_("使用期限的截止日期不能早于开始日期。"), code="period_reversed", field="valid_until")
    if valid_until > years_later(valid_from, MAX_PERIOD_YEARS):
        raise ValidationFailed(
            _("使用期限最长%(MAX_PERIOD_YEARS)s年，期满后可重新申请。") % {"MAX_PERIOD_YEARS": MAX_PERIOD_YEARS},
            code="period_too_long",
            field="valid_until",
        )


def _volume_check(value: int, field: str, label: str) -> int:
    if value is None or not 1 <= int(value) <= MAX_DAILY_VOLUME:
        raise ValidationFailed(f"{label}应为1到{MAX_DAILY_VOLUME:,}之间的整数。", code=f"{field}_invalid", field=field)
    return int(value)


def _requesting_system(department_id: int, system_id: int | None) -> ConsumerSystem | None:
    if system_id is None:
        return None
    system = ConsumerSystem.objects.filter(pk=system_id, department_id=department_id, is_active=True).first()
    if system is None:
        raise ValidationFailed(_("所选接入系统不属于本部门或已停用。"), code="system_not_yours", field="system_id")
    return system


@transaction.atomic
def access_request(
    *,
    actor: Actor,
    resource_code: str,
    fields,
    purpose: str,
    legal_basis: str,
    valid_from: dt.date,
    valid_until: dt.date,
    daily_volume: int,
    system_id: int | None = None,
    via_system: ConsumerSystem | None = None,
) -> AccessRequest:
    """A consuming department asks for fields of a resource. Unconditional resources are granted at
    once (sensitive fields masked); conditional ones wait for the provider, due in 2 working days.

    `actor` is a data officer of the consuming department; or None with `via_system`, the consumer
    system authenticated by its API key, asking for itself."""
    if via_system is not None:
        if actor is not None or (system_id is not None and system_id != via_system.pk):
            raise PermissionDenied(_("接入系统只能为自身提出申请。"), code="system_acts_for_itself")
        department_id, system_id = via_system.department_id, via_system.pk
    else:
        staff = _staff(actor)
        department_id = staff.department_id
        _data_officer_check(actor, department_id, "提出共享申请")
    system = _requesting_system(department_id, system_id)
    resource = _resource_by_code(resource_code)
    if resource.sharing == DataResource.NOT_SHARED:
        raise PermissionDenied(
            _("数据资源“%(resource_name)s”为不予共享，依据：%(resource_not_shared_reason)s")
            % {"resource_name": resource.name, "resource_not_shared_reason": resource.not_shared_reason},
            code="resource_not_shared",
            field="resource_code",
        )
    if resource.provider_id == department_id:
        raise ValidationFailed(_("这是本部门提供的资源，无需申请共享。"), code="own_resource", field="resource_code")
    fields = _fields_check(resource, fields)
    purpose = _text(purpose, "用途", "purpose")
    legal_basis = _text(legal_basis, "法律依据", "legal_basis")
    _period_check(valid_from, valid_until)
    daily_volume = _volume_check(daily_volume, "daily_volume", "预计日调用量")
    _pending_duplicate_check(resource, department_id, system)
    status = workflow.INITIAL[resource.sharing]
    now = timezone.now()
    request = AccessRequest(
        resource=resource,
        department_id=department_id,
        system=system,
        requested_by=actor,
        purpose=purpose,
        legal_basis=legal_basis,
        fields=fields,
        valid_from=valid_from,
        valid_until=valid_until,
        daily_volume=daily_volume,
        status=status,
        requested_at=now,
        due_on=add_working_days(today(), DECISION_WORKING_DAYS) if status == workflow.PENDING else today(),
    )
    grant, replaced = None, []
    if status == workflow.APPROVED:
        request.decided_at, request.approved_fields = now, fields
        request.reason = "无条件共享资源，自动批准；敏感字段脱敏提供。"
    request.save()
    if status == workflow.APPROVED:
        grant, replaced = _grant_create(request, fields=fields, unmasked=[], daily_quota=daily_volume, actor=None)
    _record(request, act="request", actor=actor, grant=grant, replaced=replaced, system=via_system)
    return request


def _pending_duplicate_check(resource: DataResource, department_id: int, system: ConsumerSystem | None) -> None:
    pending = AccessRequest.objects.filter(
        resource=resource, department_id=department_id, system=system, status=workflow.PENDING
    )
    if pending.exists():
        raise Conflict(
            _("本部门对该资源已有一份待审核的申请，请等待提供部门审核，或撤回后重新申请。"),
            code="access_request_pending_exists",
        )


def _request_for_update(request_id: int) -> AccessRequest:
    request = (
        AccessRequest.objects.select_for_update(of=("self",))
        .select_related("resource", "resource__provider", "department")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise NotFound(_("未找到该共享申请。"), code="access_request_not_found")
    return request


def _decide_open(request: AccessRequest, act: str, actor: Actor) -> None:
    transition = workflow.WORKFLOW.check(request.status, act)
    if transition.actor == workflow.PROVIDER:
        _data_officer_check(actor, request.resource.provider_id, "审核本部门资源的共享申请")
    else:
        _data_officer_check(actor, request.department_id, "撤回本部门的共享申请")


@transaction.atomic
def access_approve(
    *,
    actor: Actor,
    request_id: int,
    fields=None,
    unmasked_fields=(),
    daily_quota: int | None = None,
    reason: str = "",
) -> Grant:
    """The provider grants the requested fields or fewer (saying why), chooses which sensitive
    fields go in full, and may cap the daily calls. The new grant replaces a live one of the same
    consumer for the same resource, so one grant at a time answers "may they read this field"."""
    request = _request_for_update(request_id)
    _decide_open(request, "approve", actor)
    approved = request.fields if fields is None else _subset(fields, request.fields)
    reason = (reason or "").strip()
    if len(approved) < len(request.fields) and not reason:
        raise ValidationFailed(_("批准的字段少于申请的字段时，请说明理由。"), code="reason_required", field="reason")
    if len(reason) > 300:
        raise ValidationFailed(_("审核意见不能超过300个字。"), code="reason_too_long", field="reason")
    unmasked = _unmasked_check(request.resource, approved, unmasked_fields)
    quota = _volume_check(request.daily_volume if daily_quota is None else daily_quota, "daily_quota", "日调用上限")
    if request.valid_until < today():
        raise ValidationFailed(
            _("该申请的使用期限已过，不能再批准，请拒绝并请申请部门重新申请。"), code="period_expired"
        )
    request.status = workflow.APPROVED
    request.decided_by, request.decided_at = actor, timezone.now()
    request.approved_fields, request.reason = approved, reason
    request.save(update_fields=["status", "decided_by", "decided_at", "approved_fields", "reason"])
    grant, replaced = _grant_create(request, fields=approved, unmasked=unmasked, daily_quota=quota, actor=actor)
    _record(request, act="approve", actor=actor, grant=grant, replaced=replaced)
    return grant


def _subset(fields, requested: list[str]) -> list[str]:
    chosen = {str(name).strip() for name in fields if str(name).strip()}
    if not chosen:
        raise ValidationFailed(
            _("请至少批准一个字段；全部不同意时请拒绝申请。"), code="fields_required", field="fields"
        )
    extra = sorted(chosen - set(requested))
    if extra:
        raise ValidationFailed(
            _("只能在申请的字段中批准，这些字段未申请：%(join_extra)s。") % {"join_extra": "、".join(extra)},
            code="fields_not_requested",
            field="fields",
            problems=extra,
        )
    return [name for name in requested if name in chosen]


def _unmasked_check(resource: DataResource, approved: list[str], unmasked) -> list[str]:
    chosen = list(dict.fromkeys(str(name).strip() for name in unmasked or () if str(name).strip()))
    if not chosen:
        return []
    sensitive = set(
        resource.fields.filter(sensitivity=ResourceField.SENSITIVE, name__in=approved).values_list("name", flat=True)
    )
    wrong = [name for name in chosen if name not in sensitive]
    if wrong:
        raise ValidationFailed(
            _("明文提供只能选择已批准的敏感字段，这些字段不符合：%(join_wrong)s。") % {"join_wrong": "、".join(wrong)},
            code="unmasked_fields_invalid",
            field="unmasked_fields",
            problems=wrong,
        )
    return [name for name in approved if name in chosen]


def _grant_create(
    request: AccessRequest, *, fields, unmasked, daily_quota: int, actor: Actor
) -> tuple[Grant, list[int]]:
    """The grant of an approved request, and the ids of the live grants it replaces."""
    now = timezone.now()
    superseded = Grant.objects.select_for_update().filter(
        resource_id=request.resource_id,
        department_id=request.department_id,
        system_id=request.system_id,
        revoked_at__isnull=True,
    )
    replaced = list(superseded.values_list("pk", flat=True))
    if replaced:
        superseded.update(revoked_at=now, revoked_by=actor, revoke_reason=f"由共享申请 {request.pk} 的新授权替代")
    grant = Grant.objects.create(
        resource_id=request.resource_id,
        department_id=request.department_id,
        system_id=request.system_id,
        request=request,
        fields=list(fields),
        unmasked_fields=list(unmasked),
        purpose=request.purpose,
        valid_from=request.valid_from,
        valid_until=request.valid_until,
        daily_quota=daily_quota,
        created_at=now,
    )
    return grant, replaced


@transaction.atomic
def access_refuse(*, actor: Actor, request_id: int, reason: str) -> AccessRequest:
    request = _request_for_update(request_id)
    _decide_open(request, "refuse", actor)
    reason = _text(reason, "拒绝理由", "reason")
    request.status = workflow.REFUSED
    request.decided_by, request.decided_at, request.reason = actor, timezone.now(), reason
    request.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    _record(request, act="refuse", actor=actor)
    return request


@transaction.atomic
def access_withdraw(*, actor: Actor, request_id: int, reason: str = "") -> AccessRequest:
    request = _request_for_update(request_id)
    _decide_open(request, "withdraw", actor)
    request.status = workflow.WITHDRAWN
    request.reason = (reason or "").strip()[:300]
    request.save(update_fields=["status", "reason"])
    _record(request, act="withdraw", actor=actor)
    return request


@transaction.atomic
def grant_revoke(*, actor: Actor, grant_id: int, reason: str) -> Grant:
    """End a grant at once: `grant_for` reads `revoked_at`, so the next call is refused. The
    provider revokes; the consuming department may give up its own grant."""
    grant = (
        Grant.objects.select_for_update(of=("self",)).select_related("resource", "request").filter(pk=grant_id).first()
    )
    if grant is None:
        raise NotFound(_("未找到该共享授权。"), code="grant_not_found")
    _staff(actor)
    if not (is_data_officer_of(actor, grant.resource.provider_id) or is_data_officer_of(actor, grant.department_id)):
        raise PermissionDenied(
            _("只有提供部门或使用部门持有“数据”岗位的工作人员可以撤销该授权。"), code="data_post_required"
        )
    if grant.revoked_at is not None:
        raise Conflict(_("该授权已撤销，请刷新页面查看。"), code="grant_revoked")
    reason = _text(reason, "撤销原因", "reason")
    grant.revoked_at, grant.revoked_by, grant.revoke_reason = timezone.now(), actor, reason
    grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    region_code = org.department_by_id(grant.department_id).region_id
    audit_record(
        action="exchange.grant_revoke",
        obj=grant,
        actor=actor,
        region_code=region_code,
        detail={"resource": grant.resource.code, "department_id": grant.department_id, "reason": reason},
    )
    event_record(
        topic=TOPIC,
        region_code=region_code,
        payload={
            **(_payload_base(grant.request, grant.resource) if grant.request else _grant_payload(grant)),
            "act": "revoke",
            "grant_id": grant.pk,
            "reason": reason[:200],
        },
    )
    return grant


def _grant_payload(grant: Grant) -> dict:
    return {
        "request_id": None,
        "resource_code": grant.resource.code,
        "resource_name": grant.resource.name,
        "provider_id": grant.resource.provider_id,
        "department_id": grant.department_id,
        "requested_by_id": None,
        "status": "",
    }


def _payload_base(request: AccessRequest, resource: DataResource) -> dict:
    return {
        "request_id": request.pk,
        "resource_code": resource.code,
        "resource_name": resource.name,
        "provider_id": resource.provider_id,
        "department_id": request.department_id,
        "requested_by_id": request.requested_by_id,
        "status": request.status,
    }


def _record(
    request: AccessRequest, *, act: str, actor: Actor, grant: Grant | None = None, replaced=(), system=None
) -> None:
    """The audit entry and the outbox event of one act on a request."""
    resource = request.resource
    region_code = request.department.region_id
    detail = {
        "resource": resource.code,
        "department_id": request.department_id,
        "status": request.status,
        "fields": request.approved_fields if act == "approve" else request.fields,
        "reason": request.reason,
    }
    if grant is not None:
        detail.update(grant=grant.pk, unmasked=grant.unmasked_fields, quota=grant.daily_quota)
        detail["replaced_grants"] = list(replaced)
    if system is not None:
        detail["system"] = system.client_id
    audit_record(action=f"exchange.access_{act}", obj=request, actor=actor, region_code=region_code, detail=detail)
    event_record(
        topic=TOPIC,
        region_code=region_code,
        payload={
            **_payload_base(request, resource),
            "act": act,
            "grant_id": grant.pk if grant else None,
            "due_on": request.due_on.isoformat(),
            "reason": request.reason[:200],
        },
    )


def access_overdue_flag() -> int:
    """The periodic job: pending requests past their due date are flagged to supervisors, once
    each (`flagged_at` is set with the event in one transaction; the listener's notifications are
    keyed by the event). Returns how many were flagged."""
    flagged = 0
    overdue = AccessRequest.objects.filter(status=workflow.PENDING, due_on__lt=today(), flagged_at__isnull=True)
    for request_id in overdue.order_by("due_on", "pk").values_list("pk", flat=True):
        if _overdue_flag_one(request_id):
            flagged += 1
    return flagged


@transaction.atomic
def _overdue_flag_one(request_id: int) -> bool:
    request = (
        AccessRequest.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("resource", "department")
        .filter(pk=request_id, status=workflow.PENDING, flagged_at__isnull=True)
        .first()
    )
    if request is None:  # decided, withdrawn or flagged since the query, or being handled now
        return False
    request.flagged_at = timezone.now()
    request.save(update_fields=["flagged_at"])
    overdue_days = working_days_between(request.due_on, today())
    audit_record(
        action="exchange.access_overdue",
        obj=request,
        region_code=request.department.region_id,
        detail={"resource": request.resource.code, "due_on": request.due_on.isoformat(), "days": overdue_days},
    )
    event_record(
        topic=TOPIC,
        region_code=request.department.region_id,
        payload={
            **_payload_base(request, request.resource),
            "act": "overdue",
            "grant_id": None,
            "due_on": request.due_on.isoformat(),
            "reason": "",
            "overdue_days": overdue_days,
        },
    )
    return True


# ================================================================ selectors


def grant_for(*, department_id: int, system_id: int | None, resource_id: int, today: dt.date) -> Grant | None:
    """The live grant that lets this department (through this system, or its staff when None) read
    the resource today, or None. A grant naming a system serves only that system; one naming
    none serves the department's staff and all its systems. The system's own grant wins."""
    live = Grant.objects.filter(
        resource_id=resource_id,
        department_id=department_id,
        revoked_at__isnull=True,
        valid_from__lte=today,
        valid_until__gte=today,
    )
    live = live.filter(Q(system__isnull=True) | Q(system_id=system_id)) if system_id else live.filter(system=None)
    return live.order_by(F("system_id").desc(nulls_last=True), "-created_at").first()


def grant_fields_check(grant: Grant | None, fields) -> None:
    """Refuse fields the grant does not cover, naming each one; None (no grant) refuses all."""
    if grant is None:
        raise PermissionDenied(_("本部门尚未获得该数据资源的有效共享授权，请先提出共享申请。"), code="no_grant")
    ungranted = [name for name in dict.fromkeys(fields) if name not in grant.fields]
    if not ungranted:
        return
    labels = dict(
        ResourceField.objects.filter(resource_id=grant.resource_id, name__in=ungranted).values_list("name", "label")
    )
    named = "、".join(f"{labels[name]}（{name}）" if name in labels else name for name in ungranted)
    raise PermissionDenied(
        _("以下字段未获共享授权：%(named)s。请只查询已授权字段，或先提出共享申请。") % {"named": named},
        code="field_not_granted",
        field="fields",
        problems=ungranted,
    )


def _paginate(queryset: QuerySet, page) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(page)


def _requests() -> QuerySet[AccessRequest]:
    return AccessRequest.objects.select_related(
        "resource", "resource__provider", "department", "system", "requested_by", "decided_by", "grant"
    )


def _my_data_department(actor: Actor) -> int:
    staff = _staff(actor)
    if not (accounts.staff_has_post(actor, DATA_POST) or accounts.staff_has_post(actor, ADMIN_POST)):
        raise PermissionDenied(_("共享授权仅供持有“数据”或“管理”岗位的工作人员查看。"), code="data_post_required")
    return staff.department_id


def requests_of_department(*, actor: Actor, status: str = "", page=1) -> Page:
    """My department's requests, newest first."""
    requests = _requests().filter(department_id=_my_data_department(actor))
    if status:
        requests = requests.filter(status=status)
    return _paginate(requests.order_by("-requested_at", "-pk"), page)


def requests_inbox(*, actor: Actor, status: str = workflow.PENDING, page=1) -> Page:
    """Requests for the resources my department provides; pending ones by due date."""
    requests = _requests().filter(resource__provider_id=_my_data_department(actor))
    if status:
        requests = requests.filter(status=status)
    order = ("due_on", "requested_at", "pk") if status == workflow.PENDING else ("-requested_at", "-pk")
    return _paginate(requests.order_by(*order), page)


def request_get(*, actor: Actor = None, request_id: int, system: ConsumerSystem | None = None) -> AccessRequest:
    """One request, for its department's data staff, the provider's, or the system that filed it.
    Outside them it is "not found", so its existence does not leak."""
    request = _requests().filter(pk=request_id).first()
    if request is None or not request_may_see(actor, request, system=system):
        raise NotFound(_("未找到该共享申请。"), code="access_request_not_found")
    return request


def request_may_see(actor: Actor, request: AccessRequest, *, system: ConsumerSystem | None = None) -> bool:
    """The system that filed it or one of its department's; data and admin staff of the two
    departments; supervisors whose scope covers the provider (they are told of overdue ones)."""
    if system is not None:
        return request.department_id == system.department_id
    staff = accounts.staff_of(actor) if actor is not None else None
    if staff is None:
        return False
    if accounts.staff_has_post(actor, SUPERVISE_POST) and _covers(actor, request.resource.provider):
        return True
    if staff.department_id not in (request.department_id, request.resource.provider_id):
        return False
    return accounts.staff_has_post(actor, DATA_POST) or accounts.staff_has_post(actor, ADMIN_POST)


def _grants() -> QuerySet[Grant]:
    return Grant.objects.select_related("resource", "resource__provider", "department", "system", "request")


def grants_of_department(*, actor: Actor, live_only: bool = False, page=1) -> Page:
    grants = _grants().filter(department_id=_my_data_department(actor))
    if live_only:
        grants = _live(grants, today())
    return _paginate(grants.order_by("-created_at", "-pk"), page)


def grants_given(*, actor: Actor, live_only: bool = True, page=1) -> Page:
    """Grants of the resources my department provides (what the provider may revoke)."""
    grants = _grants().filter(resource__provider_id=_my_data_department(actor))
    if live_only:
        grants = _live(grants, today())
    return _paginate(grants.order_by("-created_at", "-pk"), page)


def _live(grants: QuerySet[Grant], day: dt.date) -> QuerySet[Grant]:
    return grants.filter(revoked_at__isnull=True, valid_from__lte=day, valid_until__gte=day)


def grants_live_for_caller(*, actor: Actor = None, system: ConsumerSystem | None = None, page=1) -> Page:
    """The caller's live grants: a system sees its own and its department's general ones; staff of
    a department see the department's general ones."""
    day = today()
    if system is not None:
        grants = (
            _live(_grants(), day)
            .filter(department_id=system.department_id)
            .filter(Q(system__isnull=True) | Q(system=system))
        )
    else:
        grants = _live(_grants(), day).filter(department_id=_staff(actor).department_id, system__isnull=True)
    return _paginate(grants.order_by("resource__code", "-created_at"), page)


def grant_get(*, actor: Actor, grant_id: int) -> Grant:
    grant = _grants().filter(pk=grant_id).first()
    staff = accounts.staff_of(actor) if actor is not None else None
    if grant is None or staff is None or staff.department_id not in (grant.department_id, grant.resource.provider_id):
        raise NotFound(_("未找到该共享授权。"), code="grant_not_found")
    return grant


def systems_of_department(*, actor: Actor, department_id: int | None = None) -> tuple[object, QuerySet[ConsumerSystem]]:
    """The department's systems (default: the actor's own) with their keys, newest key first."""
    department = org.department_by_id(department_id or _staff(actor).department_id)
    _systems_check(actor, department)
    systems = (
        ConsumerSystem.objects.filter(department=department)
        .prefetch_related("keys")
        .order_by("-is_active", "name", "pk")
    )
    return department, systems


def systems_for_requests(*, actor: Actor) -> QuerySet[ConsumerSystem]:
    """The active systems a data officer may name in a request (their own department's)."""
    staff = _staff(actor)
    return ConsumerSystem.objects.filter(department_id=staff.department_id, is_active=True).order_by("name")


def resources_requestable(*, actor: Actor) -> QuerySet[DataResource]:
    """Published resources of other departments one may ask for (not_shared ones are listed too,
    so that their legal reason shows)."""
    return (
        DataResource.objects.filter(is_active=True)
        .exclude(provider_id=_staff(actor).department_id)
        .select_related("provider")
        .prefetch_related("fields")
        .order_by("code")
    )


def resource_by_code(code: str) -> DataResource:
    return _resource_by_code(code)


def request_is_overdue(request: AccessRequest, day: dt.date | None = None) -> bool:
    return request.status == workflow.PENDING and request.due_on < (day or today())


@dataclass(frozen=True)
class Turnaround:
    provider_id: int
    provider_name: str
    decided: int
    average_days: float
    max_days: int
    late: int  # decided after the due date


def grant_turnaround(*, since: dt.date) -> list[Turnaround]:
    """Working days from request to decision, per provider department, for requests decided by a
    person (unconditional ones are granted at once and would only flatter the figures) since a
    day. Slowest providers first."""
    decided = (
        AccessRequest.objects.filter(
            status__in=[workflow.APPROVED, workflow.REFUSED],
            decided_by__isnull=False,
            decided_at__date__gte=since,
        )
        .values_list("resource__provider_id", "resource__provider__name", "requested_at", "decided_at", "due_on")
        .order_by("resource__provider_id")
    )
    zone = timezone.get_current_timezone()
    rows: dict[int, tuple[str, list[int], int]] = {}
    for provider_id, name, requested_at, decided_at, due_on in decided:
        decided_on = timezone.localtime(decided_at, zone).date()
        days = working_days_between(timezone.localtime(requested_at, zone).date(), decided_on)
        _name, spans, late = rows.setdefault(provider_id, (name, [], 0))
        spans.append(days)
        rows[provider_id] = (name, spans, late + (decided_on > due_on))
    report = [
        Turnaround(pid, name, len(spans), round(mean(spans), 2), max(spans), late)
        for pid, (name, spans, late) in rows.items()
    ]
    return sorted(report, key=lambda row: (-row.average_days, row.provider_name))


def supervisor_ids_for(department_id: int) -> list[int]:
    """Users holding `supervise` whose data scope covers the department."""
    department = org.department_by_id(department_id)
    return accounts.officer_ids_covering(department.pk, department.region_id, SUPERVISE_POST)


def data_officer_ids_of(department_id: int) -> list[int]:
    """Users holding `data` in the department (who hear of its new requests and decisions)."""
    return accounts.officer_ids_in(department_id, DATA_POST)
