"""Reads of licences. Staff reads apply the data scope (issuer department × region subtree); a
licence outside it is reported as not found. The public verification read needs no log-in and
shows masked holder data only."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from tongban.accounts import selectors as accounts
from tongban.core.errors import NotFound
from tongban.licences import permissions, seal
from tongban.licences.identifiers import licence_identifier_parse
from tongban.licences.models import Licence, LicenceStatus, LicenceType, SealKey

PAGE_SIZE = 20


def licence_types(*, active_only: bool = False) -> QuerySet[LicenceType]:
    types = LicenceType.objects.select_related("defining_department").prefetch_related("issuing_departments")
    return types.filter(active=True) if active_only else types


def licence_type_choices() -> list[tuple[str, str]]:
    """(short code, name) of every type, for filters."""
    return list(LicenceType.objects.order_by("short_code").values_list("short_code", "name"))


def licence_type_get(code: str) -> LicenceType:
    """A type by its national code (21 characters) or its catalogue short code (YYZZ)."""
    code = (code or "").strip().upper()
    found = LicenceType.objects.filter(Q(code=code) | Q(short_code=code)).first()
    if found is None:
        raise NotFound(f"证照类型“{code}”不存在。", code="licence_type_not_found", field="type_code")
    return found


def licence_type_for_catalogue(short_code: str) -> LicenceType | None:
    """The type an item version's `result_licence_type` or a material's `source_ref` names."""
    return LicenceType.objects.filter(short_code=(short_code or "").strip().upper()).first()


def _with_relations(licences: QuerySet[Licence]) -> QuerySet[Licence]:
    return licences.select_related("type", "issuer", "previous")


def licences_in_scope(actor) -> QuerySet[Licence]:
    scope = accounts.staff_scope(actor)
    licences = Licence.objects.filter(region_code__startswith=scope.region_prefix)
    if scope.department_ids is not None:
        licences = licences.filter(issuer_id__in=scope.department_ids)
    return licences


def licence_search(*, actor, query: str = "", status: str = "", type_code: str = "", page: int = 1) -> Page:
    """Licences in the actor's scope, newest first; `query` is a full identifier, a full holder ID
    number or credit code, or the start of the holder's name."""
    licences = licences_in_scope(actor)
    query = query.strip()
    if query:
        upper = query.upper()
        licences = licences.filter(
            Q(identifier=upper) | Q(holder_id_number=upper) | Q(holder_name__startswith=query) | Q(case_number=query)
        )
    if status:
        licences = licences.filter(status=status)
    if type_code:
        licences = licences.filter(Q(type__short_code=type_code.upper()) | Q(type__code=type_code.upper()))
    return Paginator(_with_relations(licences).order_by("-id"), PAGE_SIZE).get_page(page)


def licence_get(*, actor, licence_id: int) -> Licence:
    licence = _with_relations(licences_in_scope(actor)).filter(pk=licence_id).first()
    if licence is None:
        raise NotFound("未找到该证照，或其不在您的数据范围内。", code="licence_not_found")
    return licence


def licence_rows(licence: Licence) -> list[tuple[str, object]]:
    """The licence's data as (label, value) in the order of its type's fields."""
    labels = {spec["name"]: spec["label"] for spec in licence.type.fields}
    ordered = [name for name in labels if name in licence.data] + [n for n in licence.data if n not in labels]
    return [(labels.get(name, name), licence.data[name]) for name in ordered]


def licence_history(licence: Licence) -> QuerySet[LicenceStatus]:
    return licence.history.select_related("actor").order_by("id")


def licences_of_holder(user) -> QuerySet[Licence]:
    """The user's own licences and those of every legal person they act for."""
    if not user.is_authenticated or not user.person_id:
        return Licence.objects.none()
    person = accounts.person_by_id(user.person_id)
    legal_ids = list(accounts.legal_persons_for(person).values_list("pk", flat=True))
    holder = Q(holder_person_id=user.person_id) | Q(holder_legal_person_id__in=legal_ids)
    return _with_relations(Licence.objects.filter(holder)).order_by("-id")


def licences_of_holder_page(user, *, page=1) -> Page:
    return Paginator(licences_of_holder(user), PAGE_SIZE).get_page(page)


def licence_for_holder(*, user, licence_id: int) -> Licence:
    licence = _with_relations(Licence.objects.filter(pk=licence_id)).first()
    if licence is None or not permissions.is_holder_side(
        user, holder_person_id=licence.holder_person_id, holder_legal_person_id=licence.holder_legal_person_id
    ):
        raise NotFound("未找到该证照。", code="licence_not_found")
    return licence


def licence_for_reader(*, actor, licence_id: int) -> Licence:
    """A licence its holder's side or staff in scope may read (for the PDF download)."""
    try:
        return licence_for_holder(user=actor, licence_id=licence_id)
    except NotFound:
        if actor is not None and actor.is_authenticated and accounts.staff_of(actor) is not None:
            return licence_get(actor=actor, licence_id=licence_id)
        raise


def licence_valid_for_holder(
    *, short_code: str, holder_person_id: int | None = None, holder_legal_person_id: int | None = None
) -> Licence | None:
    """The holder's latest valid licence of a catalogue type: the hook for materials whose source is
    "licence" (cases.sources), so an applicant is not asked for what the library holds."""
    if not holder_person_id and not holder_legal_person_id:
        return None
    holder = (
        {"holder_person_id": holder_person_id}
        if holder_person_id
        else {"holder_legal_person_id": holder_legal_person_id}
    )
    licences = Licence.objects.filter(type__short_code=(short_code or "").strip().upper(), status="01", **holder)
    return _with_relations(licences).order_by("-id").first()


def licence_latest_for_holder(
    *, short_code: str, holder_person_id: int | None = None, holder_legal_person_id: int | None = None
) -> Licence | None:
    """The holder's latest licence of a catalogue type, whatever its status (so that a revoked
    or expired one can be named to the applicant rather than silently skipped)."""
    if holder_person_id:
        holder = {"holder_person_id": holder_person_id}
    elif holder_legal_person_id:
        holder = {"holder_legal_person_id": holder_legal_person_id}
    else:
        return None
    licences = Licence.objects.filter(type__short_code=(short_code or "").strip().upper(), **holder)
    return _with_relations(licences).order_by("-issued_on", "-id").first()


def licences_of_case(case_number: str) -> QuerySet[Licence]:
    """The licences a case produced (for the cases context, once issuance on completion lands)."""
    return _with_relations(Licence.objects.filter(case_number=case_number)).order_by("id")


@dataclass(frozen=True)
class Verification:
    licence: Licence
    signature_valid: bool
    key: SealKey | None

    @property
    def status_name(self) -> str:
        return self.licence.get_status_display()

    @property
    def trusted(self) -> bool:
        """The licence is genuine and in force: signed as stored, and status 01 有效."""
        return self.signature_valid and self.licence.status == "01"


def licence_verify_public(identifier: str) -> Verification:
    """The public check behind the QR code: the identifier must be well formed and known; its status
    is read from the database on every call (nothing cached), so a revocation shows at once."""
    parsed = licence_identifier_parse(identifier)
    licence = Licence.objects.select_related("type", "issuer", "previous").filter(identifier=parsed.value).first()
    if licence is None:
        raise NotFound("未找到该电子证照，请核对证照标识或二维码。", code="licence_not_found", field="identifier")
    key = SealKey.objects.filter(key_id=licence.key_id).first()
    return Verification(licence=licence, signature_valid=seal.seal_verify(licence, key=key), key=key)


# ---------------------------------------------------------------- the library as an exchange resource

# The fields of the exchange resource the library serves (exchange.DataResource served_by "licences",
# key kind "licence": the identifier).
LIBRARY_FIELDS = (
    ("licence", "证照标识", "string", "public"),
    ("type_name", "证照类型", "string", "public"),
    ("holder_name", "持证主体", "string", "sensitive"),
    ("holder_id_number", "持证主体证件号码", "id_number", "sensitive"),
    ("issuer", "颁发机构", "string", "public"),
    ("issued_on", "颁发日期", "date", "public"),
    ("valid_until", "有效期至", "date", "public"),
    ("status", "证照状态", "string", "public"),
    ("seal_valid", "签章验证通过", "boolean", "public"),
)


def licence_records(keys: list[str]) -> dict[str, dict]:
    """Records of the library for the exchange, by identifier: the licence with its current status
    and a fresh check of its seal."""
    found = _with_relations(Licence.objects.filter(identifier__in=[key.upper() for key in keys]))
    return {licence.identifier: _library_record(licence) for licence in found}


def _library_record(licence: Licence) -> dict:
    return {
        "licence": licence.identifier,
        "type_name": licence.type.name,
        "holder_name": licence.holder_name,
        "holder_id_number": licence.holder_id_number,
        "issuer": licence.issuer.name,
        "issued_on": licence.issued_on.isoformat(),
        "valid_until": licence.valid_until.isoformat() if licence.valid_until else "",
        "status": licence.get_status_display(),
        "seal_valid": seal.seal_verify(licence),
    }
