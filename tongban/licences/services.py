"""Every write to licences: issuance (with signing), the lifecycle acts of workflow.py, new
versions (变更, 延续), the import of historical licences and the expiry sweep.

Each service locks what it changes, checks the transition table and the actor's right, writes the
licence, appends the history row, the audit entry and the `licence.changed` outbox event — in one
transaction. The holder is told after commit by handlers.py, which listens to that event.

Versions: 变更 (licence_change) issues version n+1 with the new data and sets version n to 05
失效 at once (its content is no longer true). 延续 (licence_renew) issues version n+1 valid from the
day after version n ends; version n stays 01 until its own end, when the expiry sweep sets it 05.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts import selectors as accounts
from tongban.accounts.types import Actor
from tongban.core.audit import audit_record
from tongban.core.calendar import today
from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.core.events import event_record
from tongban.licences import documents, imports, permissions, seal, workflow
from tongban.licences.identifiers import licence_identifier, licence_type_code_check
from tongban.licences.models import VALID, Licence, LicenceImport, LicenceStatus, LicenceType
from tongban.licences.selectors import licence_type_get
from tongban.org import selectors as org

TOPIC = "licence.changed"


# ---------------------------------------------------------------- checks


def licence_data_check(licence_type: LicenceType, data: dict) -> dict:
    """The data as the type's schema wants it (dates ISO, integers int, text stripped); every
    problem is reported at once."""
    schema = {spec["name"]: spec for spec in licence_type.fields}
    problems = [f"照面信息项“{name}”不属于{licence_type.name}。" for name in data if name not in schema]
    clean = {}
    for name, spec in schema.items():
        raw = data.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if spec.get("required"):
                problems.append(f"“{spec['label']}”为必填项。")
            continue
        try:
            clean[name] = _value_check(spec, raw)
        except ValueError as error:
            problems.append(f"“{spec['label']}”{error}")
    if problems:
        raise ValidationFailed(problems[0], code="licence_data_invalid", field="data", problems=problems)
    return clean


def _value_check(spec: dict, raw):
    kind = spec.get("type", "text")
    if kind == "date":
        if isinstance(raw, dt.date):
            return raw.isoformat()
        try:
            return dt.date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise ValueError("应为日期，格式如 2026-01-05。") from None
    if kind == "integer":
        if isinstance(raw, bool) or not str(raw).strip().lstrip("-").isdigit():
            raise ValueError("应为整数。")
        return int(str(raw).strip())
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        if str(raw).strip() in {"是", "true", "1"}:
            return True
        if str(raw).strip() in {"否", "false", "0"}:
            return False
        raise ValueError("应为“是”或“否”。")
    text = str(raw).strip()
    if len(text) > 500:
        raise ValueError("不能超过500个字符。")
    return text


def _valid_until(licence_type: LicenceType, valid_from: dt.date) -> dt.date | None:
    """N years from `valid_from`, the day before the anniversary (open-ended when N is empty)."""
    if not licence_type.validity_years:
        return None
    year = valid_from.year + licence_type.validity_years
    day = min(valid_from.day, 28) if valid_from.month == 2 and valid_from.day == 29 else valid_from.day
    return valid_from.replace(year=year, day=day) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Holder:
    person_id: int | None
    legal_person_id: int | None
    name: str
    id_number: str


def _holder(licence_type: LicenceType, person_id: int | None, legal_person_id: int | None) -> Holder:
    if bool(person_id) == bool(legal_person_id):
        raise ValidationFailed(_("请指定一个持证主体：自然人或法人，二者选一。"), code="licence_holder_required")
    if licence_type.holder_kind == LicenceType.NATURAL:
        if not person_id:
            raise ValidationFailed(
                _("%(licence_type_name)s的持证主体应为自然人。") % {"licence_type_name": licence_type.name},
                code="licence_holder_kind",
            )
        person = accounts.person_by_id(person_id)
        return Holder(person.pk, None, person.real_name, person.id_number)
    if not legal_person_id:
        raise ValidationFailed(
            _("%(licence_type_name)s的持证主体应为法人或其他组织。") % {"licence_type_name": licence_type.name},
            code="licence_holder_kind",
        )
    legal = accounts.legal_person_by_id(legal_person_id)
    return Holder(None, legal.pk, legal.name, legal.uscc)


def _serial_next(type_code: str, issuer_uscc: str) -> str:
    """The next serial of this type at this issuer: one upsert on the counter row, so concurrent
    issuances never share a serial (as cases' _case_number)."""
    table = connection.ops.quote_name("licences_licencecounter")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, value) VALUES (%s, 1) "
            f"ON CONFLICT (key) DO UPDATE SET value = {table}.value + 1 RETURNING value",
            [f"{type_code}{issuer_uscc}"],
        )
        (value,) = cursor.fetchone()
    return f"{value:08d}"


def _issuer_checked(actor: Actor, licence_type: LicenceType, department_id: int):
    department = org.department_by_id(department_id)
    if actor is not None:  # None: the platform itself (issuance on case completion, data migration)
        permissions.require_issuer_staff(actor, department_id=department.pk, region_code=department.region_id)
    if not licence_type.active:
        raise ValidationFailed(
            _("证照类型“%(licence_type_name)s”已停用，不能颁发。") % {"licence_type_name": licence_type.name},
            code="licence_type_inactive",
        )
    if not licence_type.issuing_departments.filter(pk=department.pk).exists():
        raise _not_registered(licence_type, department)
    return department


def _not_registered(licence_type: LicenceType, department) -> PermissionDenied:
    return PermissionDenied(
        _("%(department_name)s不是%(licence_type_name)s的颁发机构，请由证照类型中登记的颁发机构发证。")
        % {"department_name": department.name, "licence_type_name": licence_type.name},
        code="licence_issuer_not_registered",
    )


# ---------------------------------------------------------------- recording


def _actor_name(actor: Actor) -> str:
    return actor.display_name if actor is not None else "系统"


def _record(licence: Licence, *, act: str, actor: Actor, reason: str = "", detail: dict | None = None) -> LicenceStatus:
    """The history row, the audit entry and the event of one act on a licence."""
    row = LicenceStatus.objects.create(
        licence=licence, act=act, code=licence.status, reason=reason, actor=actor, actor_name=_actor_name(actor)
    )
    audit_record(
        action=f"licence.{act}",
        obj=licence,
        actor=actor,
        region_code=licence.region_code,
        detail={"identifier": licence.identifier, "status": licence.status, "reason": reason[:200], **(detail or {})},
    )
    event_record(
        topic=TOPIC,
        region_code=licence.region_code,
        payload={
            "licence_id": licence.pk,
            "identifier": licence.identifier,
            "act": act,
            "status": licence.status,
            "type_name": licence.type.name,
            "holder_person_id": licence.holder_person_id,
            "holder_legal_person_id": licence.holder_legal_person_id,
            "valid_until": licence.valid_until.isoformat() if licence.valid_until else "",
            "reason": reason[:200],
        },
    )
    return row


def _create(
    *,
    licence_type: LicenceType,
    department,
    holder: Holder,
    data: dict,
    serial: str,
    version: int,
    issued_on: dt.date,
    valid_from: dt.date,
    valid_until: dt.date | None,
    case_number: str = "",
    previous: Licence | None = None,
) -> Licence:
    licence = Licence(
        identifier=licence_identifier(licence_type.code, department.uscc, serial, version),
        type=licence_type,
        issuer=department,
        issuer_name=department.name,
        issuer_uscc=department.uscc,
        region_code=department.region_id,
        holder_person_id=holder.person_id,
        holder_legal_person_id=holder.legal_person_id,
        holder_name=holder.name,
        holder_id_number=holder.id_number,
        data=data,
        serial=serial,
        version=version,
        issued_on=issued_on,
        valid_from=valid_from,
        valid_until=valid_until,
        status=VALID,
        previous=previous,
        case_number=case_number,
    )
    canonical = seal.licence_canonical(licence)
    licence.digest = seal.sm3_hex(canonical)
    licence.signature, licence.key_id, licence.algorithm = seal.seal_sign(department.pk, canonical)
    licence.save()
    return licence


# ---------------------------------------------------------------- types


@transaction.atomic
def licence_type_define(
    *,
    actor: Actor,
    short_code: str,
    code: str,
    name: str,
    defining_department_id: int,
    issuing_department_ids: list[int],
    holder_kind: str,
    fields: list[dict],
    validity_years: int | None = None,
    template: str = "",
    registers_holder: bool = False,
) -> LicenceType:
    """Create or update a licence type (platform administrators; actor=None for the seed). The
    short code is the catalogue's code (YYZZ) that item versions and materials refer to;
    `registers_holder`: the licence is the registration of a new entity (营业执照), applied for by
    its founders and issued to the entity, never to whoever applied."""
    if actor is not None and not accounts.staff_has_post(actor, "admin"):
        raise PermissionDenied(_("只有系统管理员可以维护证照类型。"), code="licence_type_forbidden")
    code = licence_type_code_check(code)
    short_code = (short_code or "").strip().upper()
    if not short_code.isalnum():
        raise ValidationFailed(
            _("事项清单代码应为字母和数字，如 YYZZ。"), code="licence_type_short_code", field="short_code"
        )
    if holder_kind not in dict(LicenceType.HOLDER_KINDS):
        raise ValidationFailed(_("持证主体应为自然人或法人。"), code="licence_type_holder_kind", field="holder_kind")
    _fields_check(fields)
    if template and template not in documents.LAYOUTS:
        raise ValidationFailed(
            _("版式模板“%(template)s”不存在，可选：%(join_documents_LAYOUTS)s。")
            % {"template": template, "join_documents_LAYOUTS": "、".join(documents.LAYOUTS)},
            code="licence_type_template",
            field="template",
        )
    if LicenceType.objects.filter(code=code).exclude(short_code=short_code).exists():
        raise Conflict(_("证照类型代码“%(code)s”已被其他类型使用。") % {"code": code}, code="licence_type_code_taken")
    defining = org.department_by_id(defining_department_id)
    licence_type, created = LicenceType.objects.update_or_create(
        short_code=short_code,
        defaults={
            "code": code,
            "name": name.strip(),
            "defining_department": defining,
            "holder_kind": holder_kind,
            "fields": fields,
            "validity_years": validity_years or None,
            "template": template,
            "registers_holder": registers_holder,
        },
    )
    licence_type.issuing_departments.set(issuing_department_ids or [defining.pk])
    audit_record(
        action="licence.type_define",
        obj=licence_type,
        actor=actor,
        region_code=defining.region_id,
        detail={"short_code": short_code, "code": code, "created": created},
    )
    return licence_type


def _fields_check(fields: list[dict]) -> None:
    names = set()
    for spec in fields:
        if not {"name", "label"} <= set(spec) or spec.get("type", "text") not in LicenceType.FIELD_TYPES:
            raise ValidationFailed(
                _("照面信息项应含 name、label，type 为 text、date、integer 或 boolean。"), code="licence_type_fields"
            )
        if spec["name"] in names or spec["name"] in imports.IMPORT_FIXED_COLUMNS:
            raise ValidationFailed(
                _("照面信息项“%(spec_name)s”重复或与保留列同名。") % {"spec_name": spec["name"]},
                code="licence_type_fields",
            )
        names.add(spec["name"])


# ---------------------------------------------------------------- issuance


@transaction.atomic
def licence_issue(
    *,
    actor: Actor,
    type_code: str,
    data: dict,
    issuer_department_id: int,
    holder_person_id: int | None = None,
    holder_legal_person_id: int | None = None,
    case_number: str = "",
    valid_from: dt.date | None = None,
    previous_id: int | None = None,
) -> Licence:
    """Issue a new licence (version 001, a fresh serial), signed by the issuer's seal, status 01.
    `actor=None` is the platform itself (a completed case, the demo seed): pages and the API always
    pass the logged-in user, whose post and scope are checked."""
    licence_type = licence_type_get(type_code)
    department = _issuer_checked(actor, licence_type, issuer_department_id)
    holder = _holder(licence_type, holder_person_id, holder_legal_person_id)
    clean = licence_data_check(licence_type, data or {})
    previous = Licence.objects.filter(pk=previous_id).first() if previous_id else None
    if previous_id and previous is None:
        raise NotFound(_("关联证照不存在。"), code="licence_not_found", field="previous_id")
    start = valid_from or today()
    licence = _create(
        licence_type=licence_type,
        department=department,
        holder=holder,
        data=clean,
        serial=_serial_next(licence_type.code, department.uscc),
        version=1,
        issued_on=today(),
        valid_from=start,
        valid_until=_valid_until(licence_type, start),
        case_number=case_number,
        previous=previous,
    )
    _record(licence, act="issue", actor=actor, detail={"type": licence_type.short_code, "case_number": case_number})
    return licence


def _new_version(
    *,
    actor: Actor,
    previous: Licence,
    data: dict,
    valid_from: dt.date,
    valid_until: dt.date | None,
    act: str,
    reason: str,
) -> Licence:
    if previous.successors.exists():
        raise Conflict(_("该证照已有新版本，请对最新版本操作。"), code="licence_has_successor")
    if previous.version >= 999:
        raise Conflict(_("该证照版本号已用尽（999），请注销后重新颁发。"), code="licence_version_exhausted")
    holder = Holder(
        previous.holder_person_id, previous.holder_legal_person_id, previous.holder_name, previous.holder_id_number
    )
    licence = _create(
        licence_type=previous.type,
        department=org.department_by_id(previous.issuer_id),
        holder=holder,
        data=data,
        serial=previous.serial,
        version=previous.version + 1,
        issued_on=today(),
        valid_from=valid_from,
        valid_until=valid_until,
        case_number=previous.case_number,
        previous=previous,
    )
    _record(licence, act="issue", actor=actor, reason=reason, detail={"as": act, "previous": previous.identifier})
    return licence


def _locked(licence_id: int) -> Licence:
    licence = Licence.objects.select_for_update().filter(pk=licence_id).first()
    if licence is None:
        raise NotFound(_("未找到该证照。"), code="licence_not_found")
    return licence


def _reason_checked(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationFailed(
            _("请填写原因（至少2个字），它会记入证照的状态记录并告知持证人。"), code="reason_required"
        )
    return reason[:1000]


@transaction.atomic
def licence_change(*, actor: Actor, licence_id: int, data: dict, reason: str, case_number: str = "") -> Licence:
    """变更: a new version with the changed data; the previous version becomes 05 at once."""
    previous = _locked(licence_id)
    permissions.require_issuer_staff(actor, department_id=previous.issuer_id, region_code=previous.region_code)
    reason = _reason_checked(reason)
    workflow.WORKFLOW.check(previous.status, "supersede")
    clean = licence_data_check(previous.type, {**previous.data, **(data or {})})
    if clean == previous.data:
        raise ValidationFailed(_("照面信息没有变化，无需变更。"), code="licence_change_nothing")
    start = today()
    licence = _new_version(
        actor=actor,
        previous=previous,
        data=clean,
        valid_from=start,
        valid_until=previous.valid_until,
        act="change",
        reason=reason,
    )
    if case_number:
        Licence.objects.filter(pk=licence.pk).update(case_number=case_number)  # not signed: only a pointer
    _set_status(previous, act="supersede", actor=actor, reason=f"已变更为新版本 {licence.identifier}：{reason}")
    return licence


@transaction.atomic
def licence_renew(*, actor: Actor, licence_id: int, reason: str = "延续") -> Licence:
    """延续: a new version of the same data for another validity period, starting the day after the
    current version ends (today when it has no end or has ended); the current version stays valid
    until then."""
    previous = _locked(licence_id)
    permissions.require_issuer_staff(actor, department_id=previous.issuer_id, region_code=previous.region_code)
    if previous.status != VALID:
        raise Conflict(
            _("只有有效的证照可以延续，该证照状态为“%(previous_get_status_display)s”。")
            % {"previous_get_status_display": previous.get_status_display()},
            code="licence_renew_not_valid",
        )
    if not previous.type.validity_years:
        raise ValidationFailed(
            _("%(previous_type_name)s长期有效，无需延续。") % {"previous_type_name": previous.type.name},
            code="licence_renew_open_ended",
        )
    start = max(today(), previous.valid_until + dt.timedelta(days=1)) if previous.valid_until else today()
    return _new_version(
        actor=actor,
        previous=previous,
        data=previous.data,
        valid_from=start,
        valid_until=_valid_until(previous.type, start),
        act="renew",
        reason=_reason_checked(reason),
    )


# ---------------------------------------------------------------- lifecycle


def _set_status(licence: Licence, *, act: str, actor: Actor, reason: str) -> Licence:
    transition = workflow.WORKFLOW.check(licence.status, act)
    before = licence.status
    licence.status = transition.target
    licence.status_changed_at = timezone.now()
    licence.save(update_fields=["status", "status_changed_at"])
    _record(licence, act=act, actor=actor, reason=reason, detail={"from": before})
    return licence


def _transition(*, actor: Actor, licence_id: int, act: str, reason: str) -> Licence:
    licence = _locked(licence_id)
    transition = workflow.WORKFLOW.check(licence.status, act)
    if transition.actor == workflow.SYSTEM:
        if actor is not None:
            raise PermissionDenied(_("该操作由系统按有效期自动执行。"), code="licence_system_only")
    else:
        permissions.require_issuer_staff(actor, department_id=licence.issuer_id, region_code=licence.region_code)
    return _set_status(licence, act=act, actor=actor, reason=_reason_checked(reason))


@transaction.atomic
def licence_suspend(*, actor: Actor, licence_id: int, reason: str) -> Licence:
    """02 暂扣."""
    return _transition(actor=actor, licence_id=licence_id, act="suspend", reason=reason)


@transaction.atomic
def licence_restore(*, actor: Actor, licence_id: int, reason: str) -> Licence:
    """02 暂扣 → 01 有效 (暂扣期满或纠正)."""
    return _transition(actor=actor, licence_id=licence_id, act="restore", reason=reason)


@transaction.atomic
def licence_revoke(*, actor: Actor, licence_id: int, reason: str) -> Licence:
    """03 撤销 (the licensing decision is withdrawn)."""
    return _transition(actor=actor, licence_id=licence_id, act="revoke", reason=reason)


@transaction.atomic
def licence_cancel(*, actor: Actor, licence_id: int, reason: str) -> Licence:
    """04 注销."""
    return _transition(actor=actor, licence_id=licence_id, act="cancel", reason=reason)


@transaction.atomic
def licence_expire(*, licence_id: int, reason: str = "有效期届满") -> Licence:
    """05 失效, by the system when the validity period has ended."""
    return _transition(actor=None, licence_id=licence_id, act="expire", reason=reason)


@transaction.atomic
def licence_transfer_out(*, actor: Actor, licence_id: int, reason: str) -> Licence:
    """06 转出 (the holder moved to another jurisdiction)."""
    return _transition(actor=actor, licence_id=licence_id, act="transfer_out", reason=reason)


@transaction.atomic
def licence_revoke_penalty(*, actor: Actor, licence_id: int, reason: str) -> Licence:
    """07 吊销 (an administrative penalty)."""
    return _transition(actor=actor, licence_id=licence_id, act="revoke_penalty", reason=reason)


LIFECYCLE = {
    "suspend": licence_suspend,
    "restore": licence_restore,
    "revoke": licence_revoke,
    "cancel": licence_cancel,
    "transfer_out": licence_transfer_out,
    "revoke_penalty": licence_revoke_penalty,
}


def licence_act(*, actor: Actor, licence_id: int, act: str, reason: str) -> Licence:
    """One staff lifecycle act by name (pages and API)."""
    service = LIFECYCLE.get(act)
    if service is None:
        raise ValidationFailed(_("没有“%(act)s”这种证照操作。") % {"act": act}, code="licence_act_unknown", field="act")
    return service(actor=actor, licence_id=licence_id, reason=reason)


# ---------------------------------------------------------------- expiry sweep


@dataclass
class SweepReport:
    expired: int = 0
    reminded: int = 0


def licence_expiry_sweep(*, on: dt.date | None = None) -> SweepReport:
    """Set 05 on valid licences whose period has ended, and remind holders once, REMIND_DAYS ahead.
    Idempotent: a second run finds nothing more to do."""
    day = on or today()
    report = SweepReport()
    due = Licence.objects.filter(status=VALID, valid_until__lt=day).values_list("pk", flat=True)
    for licence_id in list(due):
        try:
            licence_expire(licence_id=licence_id)
        except Conflict:  # changed by someone else since the query: nothing to expire
            continue
        report.expired += 1
    horizon = day + dt.timedelta(days=settings.TONGBAN_LICENCE_REMIND_DAYS)
    soon = Licence.objects.filter(
        status=VALID, valid_until__gte=day, valid_until__lte=horizon, reminded_at__isnull=True
    ).values_list("pk", flat=True)
    for licence_id in list(soon):
        report.reminded += _remind(licence_id)
    return report


@transaction.atomic
def _remind(licence_id: int) -> int:
    licence = _locked(licence_id)
    if licence.reminded_at is not None or licence.status != VALID:
        return 0
    licence.reminded_at = timezone.now()
    licence.save(update_fields=["reminded_at"])
    audit_record(
        action="licence.remind",
        obj=licence,
        region_code=licence.region_code,
        detail={"identifier": licence.identifier, "valid_until": licence.valid_until.isoformat()},
    )
    event_record(
        topic=TOPIC,
        region_code=licence.region_code,
        payload={
            "licence_id": licence.pk,
            "identifier": licence.identifier,
            "act": "remind",
            "status": licence.status,
            "type_name": licence.type.name,
            "holder_person_id": licence.holder_person_id,
            "holder_legal_person_id": licence.holder_legal_person_id,
            "valid_until": licence.valid_until.isoformat(),
            "reason": "",
        },
    )
    return 1


# ---------------------------------------------------------------- import of historical licences


def licence_import_start(*, actor: Actor, department_id: int, upload) -> LicenceImport:
    """Queue an import of historical licences (存量证照入库) for an issuing department from a CSV
    (UTF-8, BOM allowed) or xlsx file: type_code (national or catalogue code), holder_id (ID number
    or credit code), issued_on, valid_until (may be empty), then one column per data field (code
    or label). Checked at once, before anything is stored: the actor is issuing staff of that
    department, the file's type (by its content), size and encoding, and its header. The rows are
    issued after commit in the background (imports.licence_import_run), each by licence_import_row
    in its own transaction: a bad row is rejected with its line and reason and the others go in.
    Returns the pending batch."""
    from tongban.licences import tasks  # tasks import this module: the one edge back, taken at commit

    department = org.department_by_id(department_id)
    permissions.require_issuer_staff(actor, department_id=department.pk, region_code=department.region_id)
    filename = imports.upload_checked(upload)
    imports.header_checked(upload, filename, department_id=department.pk)
    with transaction.atomic():
        batch = LicenceImport(department_id=department.pk, filename=filename[:200], started_by=actor)
        batch.file.save(filename, upload, save=False)
        batch.save()
        transaction.on_commit(lambda: tasks.import_dispatch(batch.pk))
    return batch


def _date(raw: str, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat((raw or "").strip())
    except ValueError:
        raise ValidationFailed(
            _("%(label)s“%(raw)s”不是有效日期，格式应为 2020-01-31。") % {"label": label, "raw": raw},
            code="licence_import_date",
        ) from None


@transaction.atomic
def licence_import_row(actor: Actor, department, row: dict) -> Licence:
    """Issue one row of an import (its cells by column: imports.import_columns) as a signed
    licence, in its own transaction; a refusal says what is wrong with the row."""
    licence_type = licence_type_get(row.get("type_code", ""))
    if not licence_type.issuing_departments.filter(pk=department.pk).exists():
        raise _not_registered(licence_type, department)
    holder = _import_holder(actor, licence_type, (row.get("holder_id") or "").strip().upper())
    issued_on = _date(row.get("issued_on", ""), "颁发日期")
    valid_until = _date(row["valid_until"], "有效期至") if (row.get("valid_until") or "").strip() else None
    if valid_until is not None and valid_until < issued_on:
        raise ValidationFailed(_("有效期至早于颁发日期。"), code="licence_import_dates")
    data = licence_data_check(licence_type, _import_data(licence_type, row))
    # The serial first: its counter row stays locked until this row commits, so a batch importing
    # the same row at the same time waits here, then finds this one in its duplicate check.
    serial = _serial_next(licence_type.code, department.uscc)
    _import_duplicate_check(licence_type, department, holder, issued_on, data)
    licence = _create(
        licence_type=licence_type,
        department=department,
        holder=holder,
        data=data,
        serial=serial,
        version=1,
        issued_on=issued_on,
        valid_from=issued_on,
        valid_until=valid_until,
    )
    _record(licence, act="import", actor=actor, reason="历史证照入库")
    if valid_until is not None and valid_until < today():
        _set_status(licence, act="expire", actor=None, reason="导入时有效期已届满")
    return licence


def _import_data(licence_type: LicenceType, row: dict) -> dict:
    """The row's data cells by field name. A column names a field by its code or its label; an
    empty cell of a column that is not a field of this type is left out, so one file may carry
    licences of several types."""
    names = {spec["label"]: spec["name"] for spec in licence_type.fields}
    names.update({spec["name"]: spec["name"] for spec in licence_type.fields})
    data = {}
    for column, value in row.items():
        if column is None or column in imports.IMPORT_FIXED_COLUMNS:
            continue
        if column in names or (value or "").strip():
            data[names.get(column, column)] = value
    return data


def _import_duplicate_check(licence_type: LicenceType, department, holder: Holder, issued_on: dt.date, data: dict):
    """A row already imported (same type, issuer, holder, issue date and data) is refused, so a
    file submitted again, or a fixed file that still holds its good rows, issues nothing twice."""
    same = Licence.objects.filter(
        type=licence_type,
        issuer_id=department.pk,
        holder_person_id=holder.person_id,
        holder_legal_person_id=holder.legal_person_id,
        issued_on=issued_on,
    ).only("identifier", "data")
    for licence in same:
        if licence.data == data:
            raise Conflict(
                _("该证照已入库（%(licence_identifier)s），未重复导入。") % {"licence_identifier": licence.identifier},
                code="licence_import_duplicate",
            )


def _import_holder(actor: Actor, licence_type: LicenceType, holder_id: str) -> Holder:
    scope = accounts.staff_scope(actor)
    if licence_type.holder_kind == LicenceType.NATURAL:
        person = accounts.persons_in_scope(scope).filter(id_number=holder_id).first()
        if person is None:
            raise NotFound(
                _("未在人口库中找到身份证号为“%(holder_id_6)s…”的持证人。") % {"holder_id_6": holder_id[:6]},
                code="licence_import_holder",
            )
        return Holder(person.pk, None, person.real_name, person.id_number)
    legal = accounts.legal_persons_in_scope(scope).filter(uscc=holder_id).first()
    if legal is None:
        raise NotFound(
            _("未在法人库中找到统一社会信用代码为“%(holder_id)s”的单位。") % {"holder_id": holder_id},
            code="licence_import_holder",
        )
    return Holder(None, legal.pk, legal.name, legal.uscc)
