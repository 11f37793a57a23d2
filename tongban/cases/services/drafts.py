"""Drafts, their files and the submission: the applicant (or the clerk or agent filing for them)
builds a case, and submitting it checks eligibility, the form and the materials (免提交 included)."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts import selectors as accounts, services as accounts_services
from tongban.accounts.types import Actor
from tongban.cases import permissions, results, selectors, sources, workflow
from tongban.cases.models import (
    Case,
    CaseFile,
    CaseMaterial,
)
from tongban.cases.services.recording import act_checked, act_recorded, case_locked
from tongban.cases.uploads import CheckedUpload, upload_check
from tongban.catalog import selectors as catalog
from tongban.catalog.selectors import form_spec, form_validate, rule_applies
from tongban.core.audit import audit_record
from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


def case_draft_start(
    *,
    actor: Actor,
    item_id: int,
    person_id: int | None = None,
    legal_person_id: int | None = None,
    channel: str = Case.WEB,
    consent: dict | None = None,
) -> Case:
    """A draft application for the item's current version. Citizens apply for themselves (or an
    enterprise they act for); window clerks and village agents name the applicant, and starting
    again (a second click on 开始受理, a second tab) opens the draft they already started for the
    same person and item instead of leaving an orphan."""
    with transaction.atomic():
        if channel in Case.FILED_BY_STAFF and person_id is not None:
            accounts_services.person_lock(person_id)
            version = catalog.version_current_for_item(item_id)
            started = selectors.draft_to_resume(
                actor=actor, version_id=version.pk, person_id=person_id, legal_person_id=legal_person_id
            )
            if started is not None:
                return started
        case, materials = draft_built(
            actor,
            item_id=item_id,
            person_id=person_id,
            legal_person_id=legal_person_id,
            channel=channel,
            consent=consent,
        )
        case.save()
        materials_insert(case, materials)
        audit_record(action="case.draft", obj=case, actor=actor, region_code=case.region_code)
    return case


def _holder_checked(version, *, as_legal_person: bool) -> None:
    """The e-licence the item promises goes to the applicant: a case is made only by (or for)
    whoever will hold it, so completion never lacks the holder it issues to."""
    promise = results.result_promise(version=version)
    if promise is None:
        return
    if promise.holder == results.LEGAL_PERSON and not as_legal_person:
        raise ValidationFailed(
            _(
                "“%(item)s”的办理结果“%(licence)s”颁发给经营主体，请以企业或个体工商户的身份申请"
                "（在“企业办事授权”中绑定后选择该企业；窗口请输入其统一社会信用代码）。"
            )
            % {"item": version.name, "licence": promise.licence_name},
            code="result_holder_legal_person",
        )
    if promise.holder == results.PERSON and as_legal_person:
        raise ValidationFailed(
            _("“%(item)s”的办理结果“%(licence)s”颁发给个人，请以本人身份申请。")
            % {"item": version.name, "licence": promise.licence_name},
            code="result_holder_person",
        )


def draft_built(
    actor: Actor,
    *,
    item_id: int,
    person_id: int | None,
    legal_person_id: int | None,
    channel: str,
    consent: dict | None,
    answers: dict | None = None,
    eligibility: dict | None = None,
) -> tuple[Case, list[CaseMaterial]]:
    """A new draft under the item's current version, with its list of materials, not yet saved."""
    version = catalog.version_current_for_item(item_id)
    person_id, channel = _applicant_for(actor, person_id=person_id, channel=channel, consent=consent)
    self_service = channel in Case.SELF_FILED
    if channel in Case.PORTAL and not (version.by_online and version.online_depth >= 3):
        raise ValidationFailed(_("该事项暂不支持网上申请，请按办事指南到办理地点申请。"), code="item_not_online")
    if legal_person_id and self_service and not accounts.person_acts_for(person_id, legal_person_id):
        raise PermissionDenied(_("您尚未获得该企业的办事授权，请先在“企业办事授权”中绑定。"), code="no_mandate")
    person = actor.person if actor.person_id == person_id else accounts.person_by_id(person_id)
    legal = accounts.legal_person_by_id(legal_person_id) if legal_person_id else None
    if legal is None and not version.for_persons:
        raise ValidationFailed(_("该事项仅面向法人办理，请选择以企业身份申请。"), code="item_for_legal_persons")
    if legal is not None and not version.for_legal_persons:
        raise ValidationFailed(_("该事项仅面向自然人办理。"), code="item_for_persons")
    _holder_checked(version, as_legal_person=legal is not None)
    department = version.item.department
    staff = accounts.staff_of(actor)
    case = Case(
        version=version,
        item_id=version.item_id,
        item_name=version.name,
        department=department,
        office=department,
        region_code=department.region.code,
        person=person,
        legal_person=legal,
        applicant_name=legal.name if legal else person.real_name,
        filed_by=actor,
        channel=channel,
        hall_id=staff.hall_id if staff and channel == Case.WINDOW else None,
        agency_point_id=staff.agency_point_id if staff and channel == Case.AGENT else None,
        consent=consent or {},
        answers=answers or {},
        eligibility=eligibility or {},
        promised_days=version.promised_days,
        delivery_choice=_delivery_default(version) if channel != Case.API else "",
    )
    materials = [
        CaseMaterial(
            version_material_id=m.pk,
            standard_code=m.standard_id,
            name=m.display_name,
            required=m.required,
            source=m.source,
            source_ref=m.source_ref,
            order=index,
        )
        for index, m in enumerate(version.materials.all())
    ]
    return case, materials


def materials_insert(case: Case, materials: list[CaseMaterial]) -> list[CaseMaterial]:
    for material in materials:
        material.case = case
    return CaseMaterial.objects.bulk_create(materials)


def _applicant_for(actor: Actor, *, person_id, channel, consent) -> tuple[int, str]:
    staff = accounts.staff_of(actor)
    if staff is None:
        if not actor.person_id:
            raise PermissionDenied(_("请先完成实名认证后再申请。"), code="real_name_required")
        if person_id not in (None, actor.person_id):
            raise PermissionDenied(_("只能为本人申请；代他人办理请到窗口或代办点。"), code="apply_for_self")
        return actor.person_id, channel if channel in Case.SELF_FILED else Case.WEB
    if person_id is None:
        raise ValidationFailed(_("请先查找并选择申请人。"), code="applicant_required")
    if accounts.staff_has_post(actor, "agent") and channel == Case.AGENT:
        if not consent or consent.get("method") not in ("sms", "signature"):
            raise ValidationFailed(_("代办须记录申请人的授权（短信验证码或签名）。"), code="consent_required")
        return person_id, Case.AGENT
    if accounts.staff_has_post(actor, "window") or accounts.staff_has_post(actor, "accept"):
        return person_id, Case.WINDOW
    raise PermissionDenied(_("只有综合窗口、受理或代办岗位可以代申请人填报。"), code="not_front_desk")


def _draft_for_update(*, actor: Actor, case_id: int) -> Case:
    case = case_locked(case_id)
    if not permissions.is_applicant_side(actor, case):
        raise NotFound(_("未找到该办件。"), code="case_not_found")
    if case.status not in (Case.DRAFT, Case.CORRECTION):
        raise Conflict(_("申请已提交，不能再修改；如需补充，请等待补正告知。"), code="case_not_editable")
    return case


ADDRESS_MIN, ADDRESS_MAX = 5, 200


def _delivery_default(version) -> str:
    """Preselected until the applicant chooses: the first way that needs no address."""
    return next((method for method in version.delivery_methods if method != "mail"), "")


@transaction.atomic
def case_delivery_choose(*, actor: Actor, case_id: int, method: str, address: str = "") -> Case:
    """How the applicant wants the result: one of the ways the item offers; by mail, to an address."""
    case = _draft_for_update(actor=actor, case_id=case_id)
    version = catalog.version_for_case(case.version_id)
    if method not in version.delivery_methods:
        raise ValidationFailed(
            _("请在本事项提供的方式中选择领取方式。"), code="delivery_choice_invalid", field="delivery"
        )
    address = " ".join(address.split()) if method == "mail" else ""
    if method == "mail" and not ADDRESS_MIN <= len(address) <= ADDRESS_MAX:
        raise ValidationFailed(
            _("邮寄送达请填写完整的收件地址（%(min)s至%(max)s个字），含区县、街道和门牌号。")
            % {"min": ADDRESS_MIN, "max": ADDRESS_MAX},
            code="delivery_address_required",
            field="delivery_address",
        )
    case.delivery_choice, case.delivery_address = method, address
    case.updated_at = timezone.now()
    case.save(update_fields=["delivery_choice", "delivery_address", "updated_at"])
    return case


def _delivery_checked(case: Case, version) -> None:
    """A result that is handed over needs a way the item offers (and an address, by mail).
    A partner system filing through the API (channel api) hands the result over itself."""
    if version.result_type == "none" or not version.delivery_methods or case.channel == Case.API:
        return
    if case.delivery_choice not in version.delivery_methods:
        raise ValidationFailed(_("请选择办理结果的领取方式。"), code="delivery_choice_required", field="delivery")
    if case.delivery_choice == "mail" and not case.delivery_address:
        raise ValidationFailed(
            _("邮寄送达请填写收件地址。"), code="delivery_address_required", field="delivery_address"
        )


@transaction.atomic
def case_draft_save(
    *, actor: Actor, case_id: int, answers: dict | None = None, eligibility: dict | None = None
) -> Case:
    """Autosave: keeps whatever the applicant has typed so far (validated only at submission)."""
    case = _draft_for_update(actor=actor, case_id=case_id)
    fields = ["updated_at"]
    if answers is not None:
        case.answers = {**case.answers, **answers}
        fields.append("answers")
    if eligibility is not None:
        case.eligibility = eligibility
        fields.append("eligibility")
    case.updated_at = timezone.now()
    case.save(update_fields=fields)
    return case


@transaction.atomic
def case_draft_discard(*, actor: Actor, case_id: int) -> None:
    case = _draft_for_update(actor=actor, case_id=case_id)
    if case.status != Case.DRAFT:
        raise Conflict(_("只能删除未提交的草稿。"), code="case_not_draft")
    stored = [f.file.name for f in case.files.all()]
    audit_record(action="case.draft_discard", obj=case, actor=actor, region_code=case.region_code)
    case.delete()
    transaction.on_commit(lambda: delete_stored(stored))


def delete_stored(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def case_file_add(*, actor: Actor, case_id: int, material_id: int, name: str, content: bytes) -> CaseFile:
    """Keep an uploaded file for a material, after checking what it really is."""
    checked = upload_check(name=name, content=content)
    with transaction.atomic():
        case = case_locked(case_id)
        material = case.materials.filter(pk=material_id).first()
        if material is None:
            raise NotFound(_("该办件没有这项材料。"), code="material_not_found")
        _require_may_upload(actor, case)
        case_file = file_stored(case, material, checked, actor)
        try:
            case_file.save()
            material.provided = CaseMaterial.UPLOAD
            material.save(update_fields=["provided"])
            audit_record(
                action="case.file_add",
                obj=case,
                actor=actor,
                region_code=case.region_code,
                detail=file_detail(material.name, case_file),
            )
        except Exception:
            case_file.file.delete(save=False)  # the row did not commit: keep no orphan file
            raise
    return case_file


def file_stored(case: Case, material: CaseMaterial, checked: CheckedUpload, actor: Actor) -> CaseFile:
    """The file's row, not yet saved, with its content already in storage (named by its hash)."""
    case_file = CaseFile(
        case=case,
        material=material,
        original_name=checked.name,
        content_type=checked.content_type,
        size=len(checked.content),
        pages=checked.pages,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    case_file.file.save(f"{checked.sha256[:16]}.{checked.extension}", ContentFile(checked.content), save=False)
    return case_file


def file_detail(material_name: str, case_file: CaseFile) -> dict:
    return {"material": material_name, "sha256": case_file.sha256, "size": case_file.size}


def _require_may_upload(actor: Actor, case: Case) -> None:
    if case.status in (Case.DRAFT, Case.CORRECTION) and permissions.is_applicant_side(actor, case):
        return
    if case.is_open and permissions.staff_may(actor, case, workflow.FRONT_DESK):
        return
    if not permissions.is_applicant_side(actor, case) and not permissions.staff_may(actor, case, workflow.FRONT_DESK):
        raise NotFound(_("未找到该办件。"), code="case_not_found")
    raise Conflict(_("申请已提交，只有在补正时才能补充材料。"), code="case_not_editable")


@transaction.atomic
def case_file_remove(*, actor: Actor, file_id: int) -> None:
    case_file = CaseFile.objects.select_related("material").filter(pk=file_id).first()
    if case_file is None:
        raise NotFound(_("未找到该文件。"), code="file_not_found")
    case = case_locked(case_file.case_id)
    if case.status not in (Case.DRAFT, Case.CORRECTION):
        raise Conflict(_("已提交的材料不能删除。"), code="case_not_editable")
    _require_may_upload(actor, case)
    material = case_file.material
    name = case_file.file.name
    case_file.delete()
    if not material.files.exists():
        material.provided = ""
        material.save(update_fields=["provided"])
    audit_record(action="case.file_remove", obj=case, actor=actor, region_code=case.region_code)
    transaction.on_commit(lambda: delete_stored([name]))


@transaction.atomic
def case_material_mark_paper(*, actor: Actor, case_id: int, material_id: int, checked: bool = True) -> CaseMaterial:
    """A clerk at the window has checked the paper original of a material against the list."""
    case = case_locked(case_id)
    if not permissions.staff_may(actor, case, workflow.FRONT_DESK):
        raise PermissionDenied(_("只有窗口工作人员可以核验纸质材料。"), code="not_front_desk")
    material = case.materials.filter(pk=material_id).first()
    if material is None:
        raise NotFound(_("该办件没有这项材料。"), code="material_not_found")
    material.checked = checked
    if not material.provided or material.provided == CaseMaterial.PAPER:
        material.provided = CaseMaterial.PAPER if checked else ""
    material.save(update_fields=["checked", "provided"])
    audit_record(action="case.material_check", obj=case, actor=actor, region_code=case.region_code)
    return material


def case_submit(*, actor: Actor, case_id: int, expected_revision: int | None = None) -> Case:
    with transaction.atomic():
        return submit(actor, case_locked(case_id, expected_revision))


def submit(actor: Actor, case: Case, *, missing_materials_noticed: bool = False) -> Case:
    """Submit a draft locked by this transaction."""
    if not catalog.version_is_current(case.version_id):
        raise Conflict(_("该事项的办事指南已更新，请重新开始申请。"), code="version_outdated")
    submission_checked(actor, case, missing_ok=missing_materials_noticed)
    submission_record(actor, case)
    return case


def submission_checked(
    actor: Actor, case: Case, *, materials: list[CaseMaterial] | None = None, missing_ok: bool = False
) -> list[CaseMaterial]:
    """The submission's checks, in the order the applicant is told: may submit, conditions
    confirmed, form valid, a way to receive the result, materials complete. Returns the materials
    that apply."""
    act_checked(case, "submit", actor)
    version = catalog.version_for_case(case.version_id)
    if case.channel in Case.PORTAL and version.conditions and not case.eligibility.get("confirmed"):
        raise ValidationFailed(_("请先阅读受理条件，并确认“我已阅读并符合受理条件”。"), code="eligibility_unconfirmed")
    case.answers = answers_checked(version, case.answers)
    _delivery_checked(case, version)
    return _materials_settled(case, case.answers, actor, materials=materials, missing_ok=missing_ok)


def submission_record(actor: Actor, case: Case, *, detail: dict | None = None) -> None:
    case.number = _case_number(case)
    case.submitted_at = timezone.now()
    fields = ["answers", "number", "submitted_at"]
    act_recorded(case, act="submit", actor=actor, status=Case.RECEIVED, fields=fields, code=1, detail=detail)


def answers_checked(version, answers: dict) -> dict:
    cleaned, errors = form_validate(form_spec(version), answers)
    if errors:
        raise ValidationFailed(
            _("申请表有%(len_errors)s处需要修改。") % {"len_errors": len(errors)},
            code="form_invalid",
            problems=list(errors.values()),
        )
    return cleaned


def _materials_settled(
    case: Case, answers: dict, actor: Actor, *, materials: list[CaseMaterial] | None = None, missing_ok: bool = False
) -> list[CaseMaterial]:
    """Drop conditional materials that do not apply; let the platform supply what it can; every
    required material still missing is listed at once. Returns the materials that apply."""
    rules = {m.pk: m.condition_rule for m in catalog.version_for_case(case.version_id).materials.all()}
    missing, dropped, kept = [], [], []
    for material in case.materials.all() if materials is None else materials:
        if not rule_applies(rules.get(material.version_material_id), answers):
            dropped.append(material.pk)
            continue
        kept.append(material)
        problem = ""
        if not material.provided and material.source in ("licence", "shared"):
            problem = _supply_from_source(case, material, actor)
        needed = material.required or bool(rules.get(material.version_material_id))  # a rule that applies
        if needed and not material.provided:
            missing.append(_missing_message(material, problem))
    if missing and not missing_ok:
        raise ValidationFailed(
            _("还缺%(len_missing)s项材料。") % {"len_missing": len(missing)}, code="materials_missing", problems=missing
        )
    if case.pk and dropped:
        _materials_drop(dropped)
    return kept


def _materials_drop(material_ids: list[int]) -> None:
    """Delete materials that do not apply, with their files (the stored content once committed)."""
    files = CaseFile.objects.filter(material_id__in=material_ids)
    stored = list(files.values_list("file", flat=True))
    files.delete()
    CaseMaterial.objects.filter(pk__in=material_ids).delete()
    transaction.on_commit(lambda: delete_stored(stored))


def _supply_from_source(case: Case, material: CaseMaterial, actor: Actor) -> str:
    """Let the platform supply the material; returns why it could not ("" when it did, or when
    the source simply holds nothing for this applicant)."""
    resolution = sources.material_source_resolve(case=case, material=material, actor=actor)
    if resolution.evidence is None:
        return resolution.problem
    material.provided = resolution.evidence.provided
    material.evidence = resolution.evidence.as_json()
    material.checked = resolution.evidence.verified
    if material.pk:  # a saved draft's row; a new case's materials are written once, complete
        material.save(update_fields=["provided", "evidence", "checked"])
    return ""


def _missing_message(material: CaseMaterial, problem: str) -> str:
    if material.source in ("licence", "shared"):
        reason = problem.rstrip("。") if problem else "共享数据和电子证照中没有查到"
        return f"“{material.name}”未能自动调取（{reason}），请上传。"
    return f"请提交“{material.name}”。"


def _case_number(case: Case) -> str:
    """Region code (12) + date (8) + item (6) + sequence of that item in that region that day (4,
    growing a digit past 9,999: the prefix has a fixed length, so numbers stay unique). The counter
    is bumped with one upsert, so concurrent submissions never share a number."""
    stamp = timezone.localdate().strftime("%Y%m%d")
    prefix = f"{case.region_code}{stamp}{case.item_id % 1_000_000:06d}"
    table = connection.ops.quote_name("cases_casecounter")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, value) VALUES (%s, 1) "
            f"ON CONFLICT (key) DO UPDATE SET value = {table}.value + 1 RETURNING value",
            [prefix],
        )
        (sequence,) = cursor.fetchone()
    return f"{prefix}{sequence:04d}"
