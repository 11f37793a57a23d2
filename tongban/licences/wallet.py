"""The holder's wallet (证照夹): authorising others to use a licence (证照授权使用), and the log of
every use, which the holder reads on the licence's page.

Authorisation. Only the holder's side — the person, or anyone who acts for the legal person — may
authorise one department (any of its staff), or the staff who may see one case (the cases context's
data scope decides), to use one valid licence until a day at most a year ahead, for a stated
purpose. A second live authorisation of the same licence to the same department or case is refused
(not merged): each row is the record of one consent, and only `revoked_at` is ever written after it
is made — to change an authorisation, revoke it and grant a new one. Revoking takes effect at once:
every use reads the row again.

Use. While an authorisation is live (not revoked, `valid_until` not passed) the authorised side may
open the licence and download its PDF, although it lies outside their issuer scope; the licence's
current status is shown whatever it is (a department checking a licence must see that it has since
been revoked). Every open and every download is one use, and so is the platform reusing the licence
in the holder's own application (resolvers.py, 免提交). A use is written as one row of the exchange
call log (exchange.query.calllog_use_write): resource = the licence library (the DataResource
served_by "licences", the published one first), keyed by the HMAC of the licence's identifier — the
digest the exchange's lookups of the library by identifier carry — so the holder's 使用记录 lists
both. Where the catalogue has no library resource, a log row cannot be written (it names a
resource); the use is then kept in the audit chain instead (an open or download is audited in any
case, as an unmasked read), and a warning is logged so the operator registers the resource.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts import selectors as accounts
from tongban.accounts.types import Actor
from tongban.cases import selectors as cases
from tongban.core.audit import audit_record
from tongban.core.calendar import today
from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.core.scope import DataScope
from tongban.exchange import selectors as exchange_selectors, services as exchange
from tongban.licences import documents, permissions, selectors
from tongban.licences.models import VALID, Licence, LicenceAuthorisation
from tongban.org import selectors as org

log = logging.getLogger(__name__)

LIBRARY = "licences"  # exchange.DataResource.served_by of the licence library
MAX_DAYS = 366  # an authorisation lasts at most a year (a leap year's day included)
PAGE_SIZE = 20
LIVE, REVOKED, EXPIRED = "live", "revoked", "expired"
STATES = {LIVE: "有效", REVOKED: "已撤回", EXPIRED: "已过期"}
EVERYWHERE = DataScope(region_prefix="")


def latest_until(day: dt.date | None = None) -> dt.date:
    """The last day an authorisation made on `day` may run to."""
    return (day or today()) + dt.timedelta(days=MAX_DAYS - 1)


def authorisation_state(authorisation: LicenceAuthorisation, *, on: dt.date | None = None) -> str:
    if authorisation.revoked_at is not None:
        return REVOKED
    return LIVE if authorisation.valid_until >= (on or today()) else EXPIRED


def _live(on: dt.date | None = None) -> Q:
    return Q(revoked_at__isnull=True, valid_until__gte=on or today())


def _target_name(authorisation: LicenceAuthorisation) -> str:
    if authorisation.department_id:
        return authorisation.department.name
    return f"办件 {authorisation.case_number}"


# ---------------------------------------------------------------- reads: the holder's side


def authorisations_of_licence(licence: Licence) -> QuerySet[LicenceAuthorisation]:
    """Every authorisation of a licence the caller has already read as its holder's side
    (selectors.licence_for_holder), newest first, each with its department."""
    return licence.authorisations.select_related("department").order_by("-created_at", "-id")


def licence_authorisations(*, actor: Actor, licence_id: int) -> QuerySet[LicenceAuthorisation]:
    """The authorisations of one of the actor's licences (NotFound for anyone else's)."""
    return authorisations_of_licence(selectors.licence_for_holder(user=actor, licence_id=licence_id))


def uses_of_licence(licence: Licence, *, page: int | str = 1) -> exchange_selectors.CallPage:
    """The log rows of a licence the caller has already read as its holder's side: its uses under
    authorisation and in applications, and the exchange's lookups of it by identifier — newest
    first, a page at a time without counting the log. Rows show masked data only."""
    return exchange_selectors.calls_of_key(licence.identifier, page=page)


def licence_uses_page(*, actor: Actor, licence_id: int, page: int | str = 1) -> exchange_selectors.CallPage:
    """The uses of one of the actor's licences (NotFound for anyone else's)."""
    return uses_of_licence(selectors.licence_for_holder(user=actor, licence_id=licence_id), page=page)


def department_choices() -> list[tuple[int, str]]:
    """Every department a holder may authorise, by region then name."""
    return [(d.pk, f"{d.region.name}·{d.name}") for d in org.departments_in_scope(EVERYWHERE)]


# ---------------------------------------------------------------- reads: the authorised side


def _may_use(actor: Actor, authorisation: LicenceAuthorisation) -> bool:
    staff = accounts.staff_of(actor) if actor is not None and actor.is_authenticated else None
    if staff is None:
        return False
    if authorisation.department_id:
        return staff.department_id == authorisation.department_id
    try:
        cases.case_by_number_for_staff(actor=actor, number=authorisation.case_number)
    except NotFound:
        return False
    return True


def authorisation_for_staff(*, actor: Actor, authorisation_id: int) -> LicenceAuthorisation:
    """A live authorisation the actor may use: they are staff of its department, or its case is
    in their scope. Read afresh on every call, so a revocation stops the next use."""
    authorisation = (
        LicenceAuthorisation.objects.select_related("licence__type", "licence__issuer", "licence__previous")
        .select_related("department")
        .filter(pk=authorisation_id)
        .first()
    )
    if authorisation is None or not _may_use(actor, authorisation):
        raise NotFound(
            _("未找到该证照授权，或它不是授权给您所在部门或您数据范围内办件的。"), code="authorisation_not_found"
        )
    state = authorisation_state(authorisation)
    if state == REVOKED:
        raise PermissionDenied(_("持证人已撤回该授权，不能再使用该证照。"), code="authorisation_revoked")
    if state == EXPIRED:
        raise PermissionDenied(
            f"该授权已于{authorisation.valid_until:%Y年%m月%d日}到期，如仍需使用，请联系持证人重新授权。",
            code="authorisation_expired",
        )
    return authorisation


def authorisations_shared_with(actor: Actor) -> QuerySet[LicenceAuthorisation]:
    """The live authorisations the actor may use: to their department, or for a case in their
    scope (the candidate case numbers are checked against the scope in one query)."""
    staff = accounts.staff_of(actor) if actor is not None and actor.is_authenticated else None
    if staff is None:
        return LicenceAuthorisation.objects.none()
    live = LicenceAuthorisation.objects.filter(_live())
    candidates = live.exclude(case_number="").order_by().values_list("case_number", flat=True).distinct()
    numbers = cases.case_numbers_for_staff(actor=actor, numbers=list(candidates))
    shared = live.filter(Q(department_id=staff.department_id) | Q(case_number__in=numbers))
    return shared.select_related("licence__type", "department").order_by("-created_at", "-id")


def authorisations_shared_page(actor: Actor, *, page: int | str = 1) -> Page:
    return Paginator(authorisations_shared_with(actor), PAGE_SIZE).get_page(page)


# ---------------------------------------------------------------- writes: authorise and revoke


def _purpose_checked(purpose: str) -> str:
    purpose = " ".join((purpose or "").split())
    if len(purpose) < 2:
        raise ValidationFailed(
            _("请写明用途（至少2个字），如“办理食品经营许可”，被授权方只能按此用途使用。"),
            code="authorisation_purpose",
            field="purpose",
        )
    if len(purpose) > 200:
        raise ValidationFailed(_("用途不能超过200个字。"), code="authorisation_purpose", field="purpose")
    return purpose


def _until_checked(valid_until: dt.date | None) -> dt.date:
    if not isinstance(valid_until, dt.date):
        raise ValidationFailed(_("请选择授权有效期至哪一天。"), code="authorisation_until", field="valid_until")
    if valid_until < today():
        raise ValidationFailed(_("授权有效期不能早于今天。"), code="authorisation_until", field="valid_until")
    if valid_until > latest_until():
        raise ValidationFailed(
            f"授权最长一年，有效期至最晚为{latest_until():%Y年%m月%d日}；到期后可重新授权。",
            code="authorisation_until",
            field="valid_until",
        )
    return valid_until


def licence_may_be_authorised(licence: Licence) -> bool:
    """Whether the holder may authorise others to use the licence now (for the form's showing)."""
    try:
        _licence_valid_checked(licence)
    except ValidationFailed:
        return False
    return True


def _licence_valid_checked(licence: Licence) -> None:
    if licence.status != VALID:
        raise ValidationFailed(
            _("该证照当前状态为“%(licence_get_status_display)s”，不能授权他人使用。")
            % {"licence_get_status_display": licence.get_status_display()},
            code="licence_not_valid",
        )
    if licence.valid_until and licence.valid_until < today():
        raise ValidationFailed(
            f"该证照已于{licence.valid_until:%Y年%m月%d日}过期，不能授权他人使用。", code="licence_not_valid"
        )


def _target_checked(department_id: int | None, case_number: str) -> tuple[int | None, str]:
    case_number = (case_number or "").strip()
    if bool(department_id) == bool(case_number):
        raise ValidationFailed(
            _("请选择一个被授权部门，或填写一个办件编号，二者选一。"),
            code="authorisation_target",
            field="department_id",
        )
    if department_id:
        return org.department_by_id(department_id).pk, ""
    try:
        cases.case_public(case_number)
    except NotFound:
        raise NotFound(
            _("未找到办件编号为“%(case_number)s”的办件，请核对编号。") % {"case_number": case_number},
            code="case_not_found",
            field="case_number",
        ) from None
    return None, case_number


@transaction.atomic
def licence_authorise(
    *,
    actor: Actor,
    licence_id: int,
    department_id: int | None = None,
    case_number: str = "",
    purpose: str,
    valid_until: dt.date,
) -> LicenceAuthorisation:
    """The holder's side lets one department, or the staff handling one case, use a valid licence
    until `valid_until` (today … a year ahead). A live authorisation of the same licence to the
    same target is refused: revoke it first to change it."""
    selectors.licence_for_holder(user=actor, licence_id=licence_id)  # NotFound for anyone else
    licence = Licence.objects.select_for_update().select_related("type").get(pk=licence_id)
    _licence_valid_checked(licence)
    department_id, case_number = _target_checked(department_id, case_number)
    purpose = _purpose_checked(purpose)
    valid_until = _until_checked(valid_until)
    target = Q(department_id=department_id) if department_id else Q(case_number=case_number)
    existing = licence.authorisations.filter(_live(), target).select_related("department").first()
    if existing is not None:
        raise Conflict(
            f"您已授权{_target_name(existing)}使用该证照至{existing.valid_until:%Y年%m月%d日}；"
            "如需更改用途或期限，请先撤回原授权再重新授权。",
            code="authorisation_exists",
        )
    authorisation = LicenceAuthorisation.objects.create(
        licence=licence,
        department_id=department_id,
        case_number=case_number,
        purpose=purpose,
        valid_until=valid_until,
        granted_by=actor,
    )
    audit_record(
        action="licence.authorise",
        obj=authorisation,
        actor=actor,
        region_code=licence.region_code,
        detail={
            "identifier": licence.identifier,
            "department": department_id,
            "case_number": case_number,
            "purpose": purpose,
            "valid_until": valid_until.isoformat(),
        },
    )
    return authorisation


def authorisation_for_holder(*, actor: Actor, authorisation_id: int) -> LicenceAuthorisation:
    """An authorisation of one of the actor's licences (NotFound for anyone else's)."""
    authorisation = (
        LicenceAuthorisation.objects.select_related("licence", "department").filter(pk=authorisation_id).first()
    )
    if authorisation is None or not permissions.is_holder_side(
        actor,
        holder_person_id=authorisation.licence.holder_person_id,
        holder_legal_person_id=authorisation.licence.holder_legal_person_id,
    ):
        raise NotFound(_("未找到该证照授权。"), code="authorisation_not_found")
    return authorisation


@transaction.atomic
def licence_authorisation_revoke(*, actor: Actor, authorisation_id: int) -> LicenceAuthorisation:
    """The holder's side withdraws an authorisation; the next use is refused."""
    authorisation_for_holder(actor=actor, authorisation_id=authorisation_id)  # NotFound for anyone else
    authorisation = LicenceAuthorisation.objects.select_for_update().get(pk=authorisation_id)
    if authorisation.revoked_at is not None:
        raise Conflict(
            f"该授权已于{timezone.localtime(authorisation.revoked_at):%Y年%m月%d日 %H:%M}撤回。",
            code="authorisation_revoked",
        )
    if authorisation.valid_until < today():
        raise Conflict(_("该授权已过期，无需撤回。"), code="authorisation_expired")
    authorisation.revoked_at = timezone.now()
    authorisation.save(update_fields=["revoked_at"])
    licence = authorisation.licence
    audit_record(
        action="licence.authorisation_revoke",
        obj=authorisation,
        actor=actor,
        region_code=licence.region_code,
        detail={
            "identifier": licence.identifier,
            "department": authorisation.department_id,
            "case_number": authorisation.case_number,
        },
    )
    return authorisation


# ---------------------------------------------------------------- uses


def _use_write(*, licence: Licence, department_id: int, region_code: str, purpose: str, **extra) -> bool:
    logged = exchange.calllog_use_write(
        served_by=LIBRARY,
        key=licence.identifier,
        department_id=department_id,
        region_code=region_code,
        purpose=purpose,
        fields=[name for name, *_rest in selectors.LIBRARY_FIELDS],
        **extra,
    )
    if not logged:
        log.warning("no licence library resource: use kept in the audit chain", extra={"licence": licence.pk})
    return logged


def licence_use_record(
    *,
    licence: Licence,
    department_id: int,
    region_code: str,
    purpose: str,
    actor: Actor = None,
    case_number: str = "",
) -> bool:
    """Record one use of a licence outside the holder's own hands (an application reusing it):
    a call-log row the holder sees, or — where no library resource is registered — an audit entry.
    Returns whether the call-log row was written. Safe inside the caller's transaction: the log row
    survives its rollback (exchange.query.calllog_write)."""
    staff_user_id = actor.pk if actor is not None and accounts.staff_of(actor) is not None else None
    logged = _use_write(
        licence=licence,
        department_id=department_id,
        region_code=region_code,
        purpose=purpose,
        staff_user_id=staff_user_id,
        case_number=case_number,
    )
    if not logged:
        with transaction.atomic():
            audit_record(
                action="licence.use",
                obj=licence,
                actor=actor,
                region_code=licence.region_code,
                detail={
                    "identifier": licence.identifier,
                    "department": department_id,
                    "purpose": purpose[:300],
                    "case_number": case_number,
                },
            )
    return logged


@dataclass(frozen=True)
class SharedRead:
    authorisation: LicenceAuthorisation
    licence: Licence
    logged: bool  # a call-log row was written (False: the use is on record in the audit chain only)
    filename: str = ""
    content: bytes = b""


def licence_shared_read(*, actor: Actor, authorisation_id: int, as_pdf: bool = False) -> SharedRead:
    """Open (or, `as_pdf`, download) a licence under a live authorisation: one use, logged for the
    holder with the staff's department and the authorisation's purpose and case, and audited as
    an unmasked read. The PDF is rendered first, so a failed rendering is no use."""
    authorisation = authorisation_for_staff(actor=actor, authorisation_id=authorisation_id)
    licence = authorisation.licence
    content = documents.licence_pdf(licence) if as_pdf else b""
    staff = accounts.staff_of(actor)
    with transaction.atomic():
        logged = _use_write(
            licence=licence,
            department_id=staff.department_id,
            region_code=staff.department.region_id,
            purpose=f"持证人授权：{authorisation.purpose}",
            staff_user_id=actor.pk,
            case_number=authorisation.case_number,
        )
        audit_record(
            action="licence.shared_read",
            obj=licence,
            actor=actor,
            region_code=licence.region_code,
            detail={
                "identifier": licence.identifier,
                "authorisation": authorisation.pk,
                "department": staff.department_id,
                "case_number": authorisation.case_number,
                "form": "pdf" if as_pdf else "html",
                "call_logged": logged,
            },
        )
    filename = f"{licence.type.name}-{licence.serial}-{licence.version:03d}.pdf" if as_pdf else ""
    return SharedRead(authorisation=authorisation, licence=licence, logged=logged, filename=filename, content=content)
