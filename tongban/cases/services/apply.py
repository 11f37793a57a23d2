"""Combined acts: a front desk accepting many cases at once, and an application made in one go
(draft, answers, files and submission in one transaction)."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from tongban.accounts.types import Actor
from tongban.cases import permissions, workflow
from tongban.cases.models import (
    Case,
    CaseCorrection,
    CaseFile,
    CaseMaterial,
)
from tongban.cases.services.acts import CorrectionItem, case_accept, case_correction_request
from tongban.cases.services.drafts import (
    delete_stored,
    draft_built,
    file_detail,
    file_stored,
    materials_insert,
    submission_checked,
    submission_record,
    submit,
)
from tongban.cases.services.recording import case_locked
from tongban.cases.uploads import CheckedUpload, upload_check
from tongban.core.errors import NotFound, PermissionDenied, TongbanError


def case_submit_with_correction(
    *, actor: Actor, case_id: int, items: list["CorrectionItem"], note: str = "", limit_days: int | None = None
) -> "CaseCorrection":
    """At the window: receive what the walk-in applicant brought and hand them, in the same visit,
    the one-time notice of everything still missing."""
    with transaction.atomic():
        case = case_locked(case_id)
        if not permissions.staff_may(actor, case, workflow.FRONT_DESK):
            raise PermissionDenied(_("只有窗口工作人员可以当场出具补正告知。"), code="not_front_desk")
        submit(actor, case, missing_materials_noticed=True)
        return case_correction_request(actor=actor, case_id=case_id, items=items, note=note, limit_days=limit_days)


@dataclass
class BulkOutcome:
    done: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def case_bulk_accept(*, actor: Actor, case_ids: list[int]) -> BulkOutcome:
    """Accept many simple cases at once; each in its own transaction, refusals reported per case."""
    outcome = BulkOutcome()
    for case_id in case_ids:
        try:
            case = case_accept(actor=actor, case_id=case_id)
        except TongbanError as error:
            outcome.refused.append((str(case_id), error.message))
        else:
            outcome.done.append(case.number)
    return outcome


@dataclass(frozen=True)
class Upload:
    """A file sent with an application, for the material of that standard code."""

    standard_code: str
    name: str
    content: bytes


def case_apply(
    *,
    actor: Actor,
    item_id: int,
    answers: dict,
    uploads: list[Upload] = (),
    person_id: int | None = None,
    legal_person_id: int | None = None,
    channel: str = Case.API,
    consent: dict | None = None,
    eligibility: dict | None = None,
) -> Case:
    """Draft, files and submission in one go (the API and department systems): either the whole
    application is received, or nothing of it is kept. The case is new to this transaction, so it
    is built and checked in memory and born received: one insert each for the case, its materials
    and its files, and the submission's audit entry lists the files."""
    checked = [(upload, upload_check(name=upload.name, content=upload.content)) for upload in uploads]
    stored: list[str] = []
    try:
        with transaction.atomic():
            case, materials = draft_built(
                actor,
                item_id=item_id,
                person_id=person_id,
                legal_person_id=legal_person_id,
                channel=channel,
                consent=consent,
                answers=answers,
                eligibility=eligibility,
            )
            files = _files_matched(case, materials, checked, actor, stored)
            kept = submission_checked(actor, case, materials=materials)
            files = _files_of(files, kept)
            submission_record(actor, case, detail={"files": [file_detail(f.material.name, f) for f in files]})
            materials_insert(case, kept)
            CaseFile.objects.bulk_create(files)  # after their case and materials: saving fills in the ids
            return case
    except Exception:
        delete_stored(stored)
        raise


def _files_matched(
    case: Case,
    materials: list[CaseMaterial],
    checked: list[tuple[Upload, CheckedUpload]],
    actor: Actor,
    stored: list[str],
) -> list[CaseFile]:
    """Each upload stored and matched to its material by standard code (a new case's materials
    have no ids yet), which it provides; the rows are not yet saved."""
    by_code = {m.standard_code: m for m in materials}
    rows = []
    for upload, content in checked:
        material = by_code.get(upload.standard_code)
        if material is None:
            raise NotFound(
                _("该事项没有文件“%(upload_name)s”所对应的材料（standard_code “%(upload_standard_code)s”）。")
                % {"upload_name": upload.name, "upload_standard_code": upload.standard_code},
                code="material_not_found",
            )
        rows.append(file_stored(case, material, content, actor))
        stored.append(rows[-1].file.name)
        material.provided = CaseMaterial.UPLOAD
    return rows


def _files_of(files: list[CaseFile], kept: list[CaseMaterial]) -> list[CaseFile]:
    """The files of the materials that apply. A file given for a conditional material that does
    not apply is not kept: its content is deleted once the application is committed."""
    orphans = [f.file.name for f in files if f.material not in kept]  # unsaved: equal only to itself
    if orphans:
        transaction.on_commit(lambda: delete_stored(orphans))
    return [f for f in files if f.material in kept]
