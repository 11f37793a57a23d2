"""免提交 from the licence library: a material whose catalogue source is an e-licence type
(`source_ref` = the type's catalogue code, e.g. YYZZ) is satisfied by the holder's licence of that
type, found by the platform and checked: it must be valid (status 01, within its dates) and its
seal must verify. A licence that is suspended, revoked, cancelled or expired is refused with a
message saying so — a verdict on the applicant's material that ends the search (cases.sources) —
and the applicant uploads a valid one instead. Registered first, before registries that merely
hold data of the same licence type.

Each reuse is a use of the licence the holder sees on its page (wallet.licence_use_record): one
call-log row as the case's handling department, purpose "办件免提交：<item>·<material>" as the
exchange's resolvers write theirs, with the case number once it has one. The resolver runs inside
the submission's transaction; the row outlives its rollback (a submission refused for another
missing material still read the licence).
"""

from django.utils import timezone

from tongban.accounts import selectors as accounts
from tongban.accounts.types import Actor
from tongban.cases.sources import Evidence, material_source_register
from tongban.core.errors import ValidationFailed
from tongban.licences import selectors, wallet
from tongban.licences.models import VALID, LicenceType
from tongban.licences.seal import seal_verify


def licence_resolve(*, case, material, actor: Actor) -> Evidence | None:
    licence_type = selectors.licence_type_for_catalogue(material.source_ref)
    holder = _holder(case, licence_type) if licence_type else None
    if holder is None:
        return None
    licence = selectors.licence_latest_for_holder(short_code=licence_type.short_code, **holder)
    if licence is None:
        return None  # the library holds none for this applicant: another source, or an upload
    _valid_checked(licence, material.name)
    wallet.licence_use_record(
        licence=licence,
        department_id=case.department_id,
        region_code=case.region_code,
        purpose=f"办件免提交：{case.item_name}·{material.name}",
        actor=actor,
        case_number=case.number or "",
    )
    return Evidence(
        provided="licence",
        reference=licence.identifier,
        source=f"{licence.issuer.name}·{licence_type.name}",
        snapshot={label: value for label, value in selectors.licence_rows(licence)},
        verified=True,
    )


def _holder(case, licence_type: LicenceType) -> dict | None:
    if licence_type.holder_kind == LicenceType.NATURAL:
        return {"holder_person_id": case.person_id}
    legal_person_id = case.legal_person_id or getattr(accounts.sole_legal_person_of(case.person_id), "pk", None)
    return {"holder_legal_person_id": legal_person_id} if legal_person_id else None


def _valid_checked(licence, material_name: str) -> None:
    today = timezone.localdate()
    if licence.status != VALID:
        problem = f"已{licence.get_status_display()}"
    elif licence.valid_until and licence.valid_until < today:
        problem = f"已于{licence.valid_until:%Y年%m月%d日}过期"
    elif not seal_verify(licence):
        problem = "签章验证未通过"
    else:
        return
    raise ValidationFailed(
        f"您的{licence.type.name}（{licence.identifier}）{problem}，不能作为“{material_name}”，请上传有效的证明材料。",
        code="licence_not_valid",
    )


material_source_register("licence", licence_resolve, first=True)
