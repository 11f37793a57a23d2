"""The governed query interface (查询接口): a consuming department (a clerk or one of its systems)
reads fields of a resource by key, within its grant.

`exchange_lookup` checks, in order: the resource is published and shared; the caller holds a live
grant; every field asked for is granted; the batch is not too large; the grant's daily quota is not
spent. Then it reads each key where the resource is served from (hosted rows, the population or
legal-entity base of accounts merged with the extension rows a provider imported, or the provider's
own endpoint), returns only the granted fields, masks the sensitive ones the grant does not
release, and writes an audit entry for every unmasked sensitive read.

Every call is logged, one CallLog row per key, refused and failed calls included: the lookup
decides its outcome first and writes the log outside any transaction of its own, so a refusal it
raises does not take its log row with it; `calllog_write` explains how the rows also survive the
caller's transaction rolling back. A refusal of the
whole call raises (PermissionDenied `not_granted` / `field_not_granted` / `not_shared`, OverQuota
429, ValidationFailed); a batch is otherwise answered per key (found, not found, bad key, provider
down), and raises only when every key failed for the same reason (all keys malformed, or the
provider down), so that a single-key caller gets an error it can act on.
"""

import hashlib
import hmac
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.signals import request_finished
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts import selectors as accounts
from tongban.core.audit import audit_record
from tongban.core.counters import counter_add, counter_sub
from tongban.core.errors import NotFound, PermissionDenied, TongbanError, Unavailable, ValidationFailed
from tongban.core.identifiers import parse_id_number, parse_uscc
from tongban.core.masking import mask
from tongban.exchange import access, providers
from tongban.exchange.models import CallLog, DataResource, Grant, RegistryRecord, ResourceField

log = logging.getLogger(__name__)


class OverQuota(TongbanError):
    status = 429
    code = "over_quota"


@dataclass(frozen=True)
class Caller:
    """Who is asking: a department, through one of its systems or one of its staff."""

    department_id: int
    system_id: int | None
    staff_user_id: int | None
    region_code: str


@dataclass
class KeyResult:
    key_masked: str
    outcome: str  # CallLog.OK, NOT_FOUND, BAD_KEY or PROVIDER_DOWN
    record: dict = field(default_factory=dict)  # granted fields, masked as granted
    message: str = ""  # why a key failed, in Chinese

    @property
    def found(self) -> bool:
        return self.outcome == CallLog.OK


@dataclass
class LookupResult:
    resource: DataResource
    grant: Grant
    fields: list[str]
    results: list[KeyResult]


# ---------------------------------------------------------------- the lookup


def exchange_lookup(
    *, caller: Caller, resource_code: str, keys: list[str], fields: list[str], purpose: str, case_number: str = ""
) -> LookupResult:
    started = time.monotonic()
    resource = _resource_for(resource_code)
    call = _Call(caller=caller, resource=resource, keys=list(keys), purpose=purpose.strip(), case_number=case_number)
    try:
        fields = _fields_checked(resource, fields)
        _shape_checked(call, fields)
        grant = _grant_checked(call, fields)
        _quota_spend(grant, len(call.keys))
    except TongbanError as error:
        call.refused(error, started)
        raise
    results = _answers(call, grant, fields)
    call.answered(results, fields, started)
    _audit_unmasked(call, grant, fields, results)
    _raise_if_all_failed(results)
    return LookupResult(resource=resource, grant=grant, fields=fields, results=results)


def _resource_for(code: str) -> DataResource:
    resource = DataResource.objects.select_related("provider").filter(code=(code or "").strip()).first()
    if resource is None:
        # Not logged: the log row names a resource, and this one does not exist.
        raise NotFound(
            _("数据资源“%(code)s”不存在，请核对资源代码。") % {"code": code},
            code="resource_not_found",
            field="resource",
        )
    return resource


def _fields_checked(resource: DataResource, fields: list[str]) -> list[str]:
    if not resource.is_active:
        raise PermissionDenied(
            _("数据资源“%(resource_name)s”已停止发布，不能查询。") % {"resource_name": resource.name},
            code="resource_inactive",
        )
    if resource.sharing == DataResource.NOT_SHARED:
        reason = f"（{resource.not_shared_reason}）" if resource.not_shared_reason else ""
        raise PermissionDenied(
            _("数据资源“%(resource_name)s”不予共享%(reason)s。") % {"resource_name": resource.name, "reason": reason},
            code="not_shared",
        )
    wanted = list(dict.fromkeys(name.strip() for name in fields if name and name.strip()))
    if not wanted:
        raise ValidationFailed(_("请指定要查询的字段。"), code="fields_required", field="fields")
    unknown = [name for name in wanted if name not in _resource_fields(resource)]
    if unknown:
        raise ValidationFailed(
            _("数据资源“%(resource_name)s”没有字段：%(join_unknown)s。")
            % {"resource_name": resource.name, "join_unknown": "、".join(unknown)},
            code="unknown_field",
            field="fields",
        )
    return wanted


def _resource_fields(resource: DataResource) -> dict[str, ResourceField]:
    if not hasattr(resource, "_field_map"):
        resource._field_map = {f.name: f for f in resource.fields.all()}
    return resource._field_map


def _shape_checked(call: "_Call", fields: list[str]) -> None:
    if not call.purpose:
        raise ValidationFailed(_("请说明查询用途。"), code="purpose_required", field="purpose")
    if not call.keys:
        raise ValidationFailed(_("请至少提供一个查询主键。"), code="keys_required", field="keys")
    limit = settings.TONGBAN_EXCHANGE_BATCH_MAX
    if len(call.keys) > limit:
        raise ValidationFailed(
            _("一次最多查询%(limit)s个主键，本次为%(len_call_keys)s个，请分批查询。")
            % {"limit": limit, "len_call_keys": len(call.keys)},
            code="batch_too_large",
            field="keys",
        )


def _grant_checked(call: "_Call", fields: list[str]) -> Grant:
    grant = access.grant_for(
        department_id=call.caller.department_id,
        system_id=call.caller.system_id,
        resource_id=call.resource.pk,
        today=timezone.localdate(),
    )
    if grant is None:
        raise PermissionDenied(
            _("本部门没有数据资源“%(call_resource_name)s”的有效共享授权，请先提出共享申请。")
            % {"call_resource_name": call.resource.name},
            code="not_granted",
        )
    access.grant_fields_check(grant, fields)
    return grant


QUOTA_TTL = 2 * 24 * 3600  # a day's counter outlives its day, whatever the cache's clock


def _quota_key(grant: Grant) -> str:
    return f"exchange:quota:{grant.pk}:{timezone.localdate():%Y%m%d}"


def quota_used(grant: Grant) -> int:
    return cache.get(_quota_key(grant), 0)


def _quota_spend(grant: Grant, count: int) -> None:
    """Count keys against the grant's daily quota in the shared cache: one increment per call, no
    table scan of the log. A call that would pass the quota is refused whole and spends nothing."""
    key = _quota_key(grant)
    used = counter_add(key, count, timeout=QUOTA_TTL)
    if used > grant.daily_quota:
        counter_sub(key, count)
        raise OverQuota(
            f"本授权今日调用已达上限（{grant.daily_quota}次），请明日再试或申请提高调用量。", code="over_quota"
        )


# ---------------------------------------------------------------- answering each key


def _answers(call: "_Call", grant: Grant, fields: list[str]) -> list[KeyResult]:
    parsed, results = {}, {}
    for index, raw in enumerate(call.keys):
        try:
            parsed[index] = key_normalised(call.resource.key_kind, raw)
        except ValidationFailed as error:
            results[index] = KeyResult(
                key_masked=key_masked(call.resource.key_kind, raw), outcome=CallLog.BAD_KEY, message=error.message
            )
    records = _records(call.resource, sorted(set(parsed.values())), fields, results, parsed)
    for index, key in parsed.items():
        if index in results:
            continue
        record = records.get(key)
        masked = key_masked(call.resource.key_kind, key)
        if record is None:
            results[index] = KeyResult(key_masked=masked, outcome=CallLog.NOT_FOUND, message="未查到该主键的记录。")
        else:
            results[index] = KeyResult(
                key_masked=masked, outcome=CallLog.OK, record=_shown(call.resource, grant, fields, record)
            )
    return [results[index] for index in range(len(call.keys))]


# Records served by another context's library, by `served_by`: the e-licence library registers
# its own (licences depends on the exchange, never the other way round).
RecordSource = Callable[..., dict[str, dict]]
_record_sources: dict[str, RecordSource] = {}


def record_source_register(served_by: str, source: RecordSource) -> None:
    """Register `source(keys, *, key_kind) -> {key: record}` for the resources `served_by` names."""
    _record_sources[served_by] = source


def _records(resource: DataResource, keys: list[str], fields: list[str], results: dict, parsed: dict) -> dict:
    if not keys:
        return {}
    if resource.served_by in _record_sources:
        return _record_sources[resource.served_by](keys, key_kind=resource.key_kind)
    match resource.served_by:
        case DataResource.POPULATION:
            return _population_records(resource, keys)
        case DataResource.LEGAL_ENTITY:
            return _legal_entity_records(resource, keys)
        case DataResource.REMOTE:
            return _remote_records(resource, keys, fields, results, parsed)
    return _hosted_records(resource, keys)


def _hosted_records(resource: DataResource, keys: list[str]) -> dict[str, dict]:
    rows = RegistryRecord.objects.filter(resource=resource, key__in=keys).values_list("key", "data")
    return dict(rows)


def _population_records(resource: DataResource, keys: list[str]) -> dict[str, dict]:
    extensions = _hosted_records(resource, keys)
    records = {}
    for person in accounts.persons_by_id_numbers(keys):
        base = {
            "name": person.real_name,
            "id_number": person.id_number,
            "sex": person.sex,
            "birth_date": person.birth_date.isoformat(),
            "region_code": person.region_id or "",
            "region_name": person.region.name if person.region_id else "",
            "phone": person.phone,
        }
        records[person.id_number] = {**extensions.get(person.id_number, {}), **base}  # the base has the last word
    return records


def _legal_entity_records(resource: DataResource, keys: list[str]) -> dict[str, dict]:
    extensions = _hosted_records(resource, keys)
    records = {}
    for legal in accounts.legal_persons_by_usccs(keys):
        base = {
            "name": legal.name,
            "uscc": legal.uscc,
            "kind": legal.kind,
            "legal_representative": legal.legal_representative.real_name,
            "address": legal.address,
            "established_on": legal.established_on.isoformat() if legal.established_on else "",
            "region_code": legal.region_id or "",
            "region_name": legal.region.name if legal.region_id else "",
        }
        records[legal.uscc] = {**extensions.get(legal.uscc, {}), **base}
    return records


def _remote_records(resource: DataResource, keys: list[str], fields: list[str], results: dict, parsed: dict) -> dict:
    """One provider call per key, in order; once the provider is down (or its breaker opens) the
    remaining keys fail at once instead of each waiting out the timeout."""
    records, down = {}, None
    for key in keys:
        if down is None:
            try:
                record = providers.provider_fetch(resource, key, fields)
            except Unavailable as error:
                down = error
            else:
                if record is not None:
                    records[key] = record
                continue
        for index, value in parsed.items():
            if value == key:
                results[index] = KeyResult(
                    key_masked=key_masked(resource.key_kind, key), outcome=CallLog.PROVIDER_DOWN, message=down.message
                )
    return records


# ---------------------------------------------------------------- keys and masking


KEY_MAX = 100  # an e-licence identifier (GB/T 36904) runs to about 70 characters


def key_normalised(key_kind: str, raw: str) -> str:
    """The key in its canonical form (checked by its checksum where it has one)."""
    match key_kind:
        case "id_number":
            return _checked(lambda: parse_id_number(raw, field="keys").value)
        case "uscc":
            return _checked(lambda: parse_uscc(raw, field="keys").value)
    value = (raw or "").strip()
    if not value or len(value) > KEY_MAX:
        raise ValidationFailed(
            _("查询主键不能为空，且不超过%(KEY_MAX)s个字符。") % {"KEY_MAX": KEY_MAX}, code="bad_key", field="keys"
        )
    return value.upper() if key_kind == "licence" else value  # licence numbers ignore case, as their digest does


def _checked(parse: Callable[[], str]) -> str:
    try:
        return parse()
    except ValidationFailed as error:
        raise ValidationFailed(error.message, code="bad_key", field="keys") from None


def key_digest(key: str) -> str:
    """HMAC-SHA256 of the normalised key under the site's secret: finds a person's lookups without
    storing their number (a plain hash of an ID number is reversible by enumeration)."""
    return hmac.new(settings.SECRET_KEY.encode(), key.strip().upper().encode(), hashlib.sha256).hexdigest()


def key_masked(key_kind: str, key: str) -> str:
    key = (key or "").strip()[:64]
    match key_kind:
        case "id_number":
            return mask("id_number", key.upper())
        case "uscc":
            return key.upper()
    return key[:2] + "*" * max(len(key) - 4, 0) + key[-2:] if len(key) > 4 else "*" * len(key)


def _shown(resource: DataResource, grant: Grant, fields: list[str], record: dict) -> dict:
    field_map = _resource_fields(resource)
    shown = {}
    for name in fields:
        value = record.get(name)
        spec = field_map[name]
        if spec.sensitivity == ResourceField.SENSITIVE and name not in grant.unmasked_fields:
            value = value_masked(spec, value)
        shown[name] = value
    return shown


def value_masked(spec: ResourceField, value):
    """A sensitive value as a grant without clear text sees it: ID numbers and phones keep their
    ends, names their family name, dates their year, other text its first character."""
    if value is None or value == "":
        return value
    text = str(value)
    if spec.type == "id_number":
        return mask("id_number", text)
    if spec.type == "uscc":
        return mask("uscc", text)
    if spec.type == "date":
        return text[:4]
    if _phone_like(spec):
        return mask("phone", text)
    if _name_like(spec):
        return mask("name", text)
    return text[0] + "*" * (len(text) - 1)


def _phone_like(spec: ResourceField) -> bool:
    return any(part in spec.name for part in ("phone", "mobile", "tel")) or any(
        word in spec.label for word in ("电话", "手机")
    )


def _name_like(spec: ResourceField) -> bool:
    return spec.name == "name" or spec.name.endswith("_name") or spec.label.endswith(("姓名", "名字"))


def _audit_unmasked(call: "_Call", grant: Grant, fields: list[str], results: list[KeyResult]) -> None:
    field_map = _resource_fields(call.resource)
    clear = [n for n in fields if field_map[n].sensitivity == ResourceField.SENSITIVE and n in grant.unmasked_fields]
    found = [r.key_masked for r in results if r.found]
    if not clear or not found:
        return
    audit_record(
        action="exchange.unmasked_read",
        obj=call.resource,
        actor=_staff_user(call.caller),
        region_code=call.caller.region_code,
        detail={
            "grant": grant.pk,
            "fields": clear,
            "keys": found,
            "department": call.caller.department_id,
            "system": call.caller.system_id,
            "purpose": call.purpose,
            "case_number": call.case_number,
        },
    )


def _staff_user(caller: Caller):
    return None if caller.staff_user_id is None else get_user_model().objects.get(pk=caller.staff_user_id)


def _raise_if_all_failed(results: list[KeyResult]) -> None:
    outcomes = {r.outcome for r in results}
    if outcomes == {CallLog.BAD_KEY}:
        raise ValidationFailed(results[0].message, code="bad_key", field="keys", problems=[r.message for r in results])
    if outcomes == {CallLog.PROVIDER_DOWN}:
        raise Unavailable(results[0].message, code="provider_down")


# ---------------------------------------------------------------- the call log


@dataclass
class _Call:
    caller: Caller
    resource: DataResource
    keys: list[str]
    purpose: str
    case_number: str

    def _row(self, raw_key: str, **values) -> CallLog:
        kind = self.resource.key_kind
        try:
            normalised = key_normalised(kind, raw_key)
        except ValidationFailed:
            normalised = (raw_key or "").strip()[:64]
        return CallLog(
            region_code=self.caller.region_code,
            called_at=timezone.now(),
            resource_id=self.resource.pk,
            provider_id=self.resource.provider_id,
            department_id=self.caller.department_id,
            system_id=self.caller.system_id,
            staff_user_id=self.caller.staff_user_id,
            purpose=self.purpose[:300] or "（未说明）",
            case_number=(self.case_number or "")[:40],
            key_digest=key_digest(normalised),
            key_masked=key_masked(kind, normalised),
            **values,
        )

    def refused(self, error: TongbanError, started: float) -> None:
        outcome = CallLog.OVER_QUOTA if error.code == "over_quota" else CallLog.REFUSED
        latency = _elapsed_ms(started)
        # An oversized batch is logged up to the limit: the rest were never looked at.
        keys = self.keys[: settings.TONGBAN_EXCHANGE_BATCH_MAX] or [""]
        calllog_write([self._row(k, outcome=outcome, error_code=error.code, latency_ms=latency) for k in keys])

    def answered(self, results: list[KeyResult], fields: list[str], started: float) -> None:
        latency = _elapsed_ms(started)
        rows = []
        for raw, result in zip(self.keys, results, strict=True):
            found = result.found
            rows.append(
                self._row(
                    raw,
                    outcome=result.outcome,
                    error_code="" if result.outcome in (CallLog.OK, CallLog.NOT_FOUND) else result.outcome,
                    fields=fields if found else [],
                    result_count=1 if found else 0,
                    latency_ms=latency,
                )
            )
        calllog_write(rows)


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


_local = threading.local()  # Django's connections are per thread, and so are the pending batches


@dataclass(eq=False)
class _Batch:
    rows: list[CallLog]
    outermost: object  # the outermost atomic block open when the rows were written
    committed: bool = False

    def mark_committed(self) -> None:
        self.committed = True


def calllog_write(rows: list[CallLog]) -> None:
    """Append call-log rows so that they outlive the caller's transaction.

    Outside a transaction the rows commit at once (autocommit). Inside one — a case submission
    asking for its exempted materials, which rolls back when a material is still missing — the
    lookups happened all the same and must stay on record. A second connection cannot help on SQLite
    (one writer, and the caller's transaction holds the lock), so the rows are written in the
    caller's transaction and kept in memory until it commits; if it rolls back (Django then drops
    the on-commit callback), `calllog_flush` writes them again once the connection is out of that
    transaction: at the end of the request, or at the next log write of the thread.
    """
    calllog_flush()
    _insert(rows)


def _insert(rows: list[CallLog]) -> None:
    if not rows:
        return
    CallLog.objects.bulk_create(rows)
    if connection.in_atomic_block:
        batch = _Batch(rows, outermost=connection.atomic_blocks[0])
        transaction.on_commit(batch.mark_committed)
        _pending().append(batch)


def _pending() -> list[_Batch]:
    if not hasattr(_local, "batches"):
        _local.batches = []
    return _local.batches


def calllog_flush() -> int:
    """Write again the pending batches whose transaction rolled back; returns the rows written."""
    batches = _pending()
    if not batches:
        return 0
    waiting = {id(func.__self__) for _sids, func, *_rest in connection.run_on_commit if hasattr(func, "__self__")}
    lost = [b for b in batches if not b.committed and id(b) not in waiting and not _test_ended(b)]
    _local.batches = [b for b in batches if not b.committed and id(b) in waiting]
    rows = [row for batch in lost for row in batch.rows]
    for row in rows:  # the rolled-back ids may be taken by now: insert as new rows
        row.pk = None
        row._state.adding = True
    _insert(rows)
    return len(rows)


def _test_ended(batch: _Batch) -> bool:
    # A test case wraps each test in a transaction it rolls back by design: rows written under it
    # end with the test, and must not reappear in the next one. (Django marks those blocks.)
    return batch.outermost._from_testcase and batch.outermost not in connection.atomic_blocks


# ---------------------------------------------------------------- uses outside the interface


def resource_serving(served_by: str) -> DataResource | None:
    """The resource a built-in base is registered as, keyed by licence identifier (served_by
    "licences": the e-licence library), the published one first; None when the catalogue has none."""
    resources = DataResource.objects.filter(served_by=served_by, key_kind="licence")
    return resources.order_by("-is_active", "code").first()


def calllog_use_write(
    *,
    served_by: str,
    key: str,
    department_id: int,
    region_code: str,
    purpose: str,
    staff_user_id: int | None = None,
    case_number: str = "",
    fields: list[str] | None = None,
) -> bool:
    """Log one use of a record of a built-in base made outside the query interface — a licence
    opened under its holder's authorisation, or reused in the holder's own application — as a
    successful call of that base's resource, keyed by the same digest as a lookup of that key, so
    the holder finds it with the lookups. The row survives the caller's transaction like any log
    row (calllog_write). False, and nothing written, when no resource serves the base: the caller
    keeps the use on record another way."""
    resource = resource_serving(served_by)
    if resource is None:
        return False
    caller = Caller(department_id=department_id, system_id=None, staff_user_id=staff_user_id, region_code=region_code)
    call = _Call(caller=caller, resource=resource, keys=[key], purpose=purpose.strip(), case_number=case_number)
    row = call._row(key, fields=list(fields or []), result_count=1, outcome=CallLog.OK)
    calllog_write([row])
    return True


def _flush_after_request(**kwargs) -> None:
    try:
        calllog_flush()
    except DatabaseError:  # never fail a finished response over the log; the next write retries
        log.exception("call log flush failed")


request_finished.connect(_flush_after_request, dispatch_uid="exchange-calllog-flush")
