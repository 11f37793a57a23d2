"""Reads of licences. Staff reads apply the data scope (issuer department × region subtree); a
licence outside it is reported as not found. The public verification read needs no log-in and
shows masked holder data only."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from tongban.accounts import selectors as accounts
from tongban.accounts.types import Actor
from tongban.core.errors import NotFound
from tongban.core.identifiers import ascii_fold
from tongban.licences import permissions, seal
from tongban.licences.identifiers import licence_identifier_parse
from tongban.licences.models import VALID, Licence, LicenceImport, LicenceStatus, LicenceType, SealKey
from tongban.licences.workflow import ISSUING_POSTS
from tongban.org import selectors as org

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
        raise NotFound(
            _("证照类型“%(code)s”不存在。") % {"code": code}, code="licence_type_not_found", field="type_code"
        )
    return found


def licence_type_for_catalogue(short_code: str) -> LicenceType | None:
    """The type an item version's `result_licence_type` or a material's `source_ref` names."""
    return LicenceType.objects.filter(short_code=(short_code or "").strip().upper()).first()


def _with_relations(licences: QuerySet[Licence]) -> QuerySet[Licence]:
    return licences.select_related("type", "issuer", "previous")


def licences_in_scope(actor: Actor) -> QuerySet[Licence]:
    scope = accounts.staff_scope(actor)
    licences = Licence.objects.filter(region_code__startswith=scope.region_prefix)
    if scope.department_ids is not None:
        licences = licences.filter(issuer_id__in=scope.department_ids)
    return licences


def licence_search(*, actor: Actor, query: str = "", status: str = "", type_code: str = "", page: int = 1) -> Page:
    """Licences in the actor's scope, newest first; `query` is a full identifier, a full holder ID
    number or credit code, or the start of the holder's name."""
    licences = licences_in_scope(actor)
    query = query.strip()
    if query:
        code = ascii_fold(query)
        licences = licences.filter(
            Q(identifier=code) | Q(holder_id_number=code) | Q(holder_name__startswith=query) | Q(case_number=query)
        )
    if status:
        licences = licences.filter(status=status)
    if type_code:
        licences = licences.filter(Q(type__short_code=type_code.upper()) | Q(type__code=type_code.upper()))
    return Paginator(_with_relations(licences).order_by("-id"), PAGE_SIZE).get_page(page)


def licence_get(*, actor: Actor, licence_id: int) -> Licence:
    licence = _with_relations(licences_in_scope(actor)).filter(pk=licence_id).first()
    if licence is None:
        raise NotFound(_("未找到该证照，或其不在您的数据范围内。"), code="licence_not_found")
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
        raise NotFound(_("未找到该证照。"), code="licence_not_found")
    return licence


def licence_for_reader(*, actor: Actor, licence_id: int) -> Licence:
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
    licences = Licence.objects.filter(type__short_code=(short_code or "").strip().upper(), status=VALID, **holder)
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
        return self.signature_valid and self.licence.status == VALID


def licence_verify_public(identifier: str) -> Verification:
    """The public check behind the QR code: the identifier must be well formed and known; its status
    is read from the database on every call (nothing cached), so a revocation shows at once."""
    parsed = licence_identifier_parse(identifier)
    try:  # get(), not first(): a unique lookup needs no ORDER BY, whose compiling costs more than the query
        licence = Licence.objects.select_related("type", "issuer", "previous").get(identifier=parsed.value)
    except Licence.DoesNotExist:
        raise NotFound(
            _("未找到该电子证照，请核对证照标识或二维码。"), code="licence_not_found", field="identifier"
        ) from None
    key = next(iter(SealKey.objects.filter(key_id=licence.key_id).order_by()[:1]), None)
    return Verification(licence=licence, signature_valid=seal.seal_verify(licence, key=key), key=key)


# ---------------------------------------------------------------- imports of historical licences


def licence_types_issued_by(department_id: int) -> QuerySet[LicenceType]:
    """The active types a department is registered to issue."""
    return LicenceType.objects.filter(issuing_departments=department_id, active=True).order_by("short_code")


def licence_import_departments(actor: Actor) -> list:
    """The departments the actor may import historical licences for: issuing departments of an
    active type, in the actor's data scope, when the actor holds an issuing post."""
    if not any(accounts.staff_has_post(actor, post) for post in ISSUING_POSTS):
        return []
    issuing = LicenceType.issuing_departments.through.objects.filter(licencetype__active=True)
    departments = org.departments_in_scope(accounts.staff_scope(actor))
    return list(departments.filter(pk__in=issuing.values("department_id")))


def licence_import_types(departments: list) -> QuerySet[LicenceType]:
    """The active types any of these departments issues (for the template download)."""
    types = LicenceType.objects.filter(issuing_departments__in=[d.pk for d in departments], active=True)
    return types.distinct().order_by("short_code")


def _imports_in_scope(actor: Actor) -> QuerySet[LicenceImport]:
    scope = accounts.staff_scope(actor)
    batches = LicenceImport.objects.filter(department__region__code__startswith=scope.region_prefix)
    if scope.department_ids is not None:
        batches = batches.filter(department_id__in=scope.department_ids)
    return batches.select_related("department", "started_by__person")


def licence_imports_page(*, actor: Actor, page: int | str = 1) -> Page:
    """The import batches of the departments in the actor's scope, newest first."""
    batches = _imports_in_scope(actor).defer("rejections").order_by("-created_at", "-id")
    return Paginator(batches, PAGE_SIZE).get_page(page)


def licence_import_get(*, actor: Actor, batch_id: int) -> LicenceImport:
    batch = _imports_in_scope(actor).filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(_("未找到该导入批次，或其不在您的数据范围内。"), code="licence_import_not_found")
    return batch


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


# The fields of the library looked up by holder (key kind "id_number": a person's licences, or
# "uscc": a legal person's): one record per holder. `licences` lists every licence of the holder,
# newest first, each as {identifier, type_name, status (GB/T 36904 code), status_name, issuer,
# valid_until, seal_valid}; the catalogue has no list type, so it is registered as text.
LIBRARY_HOLDER_FIELDS = (
    ("holder_name", "持证主体", "string", "sensitive"),
    ("count", "证照数量", "integer", "internal"),
    ("licences", "证照清单", "string", "internal"),
)
# The key field each holder lookup answers with (every exchange resource carries its key).
HOLDER_KEYS = {
    "id_number": ("id_number", "持证人公民身份号码", "id_number", "sensitive"),
    "uscc": ("uscc", "持证单位统一社会信用代码", "uscc", "public"),
}
HOLDER_KEY_KINDS = tuple(HOLDER_KEYS)


def library_holder_fields(key_kind: str) -> tuple:
    """The fields of the library looked up by this kind of holder key, the key first."""
    return (HOLDER_KEYS[key_kind], *LIBRARY_HOLDER_FIELDS)


def licence_records(keys: list[str], *, key_kind: str = "licence") -> dict[str, dict]:
    """Records of the library for the exchange, by the resource's key kind. By identifier
    ("licence"): the licence with its current status and a fresh check of its seal. By the
    holder's ID number or credit code ("id_number", "uscc"): one record per holder listing all
    their licences, whatever their status; a holder with none is not found."""
    if key_kind in HOLDER_KEY_KINDS:
        return _holder_records(keys, key_kind=key_kind)
    found = list(_with_relations(Licence.objects.filter(identifier__in=[key.upper() for key in keys])))
    seal_keys = _seal_keys(found)
    return {licence.identifier: _library_record(licence, seal_keys.get(licence.key_id)) for licence in found}


def _seal_keys(licences: list[Licence]) -> dict[str, SealKey]:
    """The keys that signed these licences, in one query (not one per licence)."""
    return {key.key_id: key for key in SealKey.objects.filter(key_id__in={licence.key_id for licence in licences})}


def _library_record(licence: Licence, key: SealKey | None) -> dict:
    return {
        "licence": licence.identifier,
        "type_name": licence.type.name,
        "holder_name": licence.holder_name,
        "holder_id_number": licence.holder_id_number,
        "issuer": licence.issuer.name,
        "issued_on": licence.issued_on.isoformat(),
        "valid_until": licence.valid_until.isoformat() if licence.valid_until else "",
        "status": licence.get_status_display(),
        "seal_valid": seal.seal_verify(licence, key=key),
    }


def _holder_records(keys: list[str], *, key_kind: str) -> dict[str, dict]:
    legal = key_kind == "uscc"
    if legal:
        holders = dict(accounts.legal_persons_by_usccs(keys).values_list("pk", "uscc"))
        licences = Licence.objects.filter(holder_legal_person_id__in=holders)
    else:
        holders = dict(accounts.persons_by_id_numbers(keys).values_list("pk", "id_number"))
        licences = Licence.objects.filter(holder_person_id__in=holders)
    found = list(_with_relations(licences).order_by("-issued_on", "-id"))
    seal_keys = _seal_keys(found)
    records: dict[str, dict] = {}
    for licence in found:
        holder_key = holders[licence.holder_legal_person_id if legal else licence.holder_person_id]
        record = records.setdefault(
            holder_key, {key_kind: holder_key, "holder_name": licence.holder_name, "count": 0, "licences": []}
        )
        record["count"] += 1
        record["licences"].append(
            {
                "identifier": licence.identifier,
                "type_name": licence.type.name,
                "status": licence.status,
                "status_name": licence.get_status_display(),
                "issuer": licence.issuer.name,
                "valid_until": licence.valid_until.isoformat() if licence.valid_until else "",
                "seal_valid": seal.seal_verify(licence, key=seal_keys.get(licence.key_id)),
            }
        )
    return records
