"""Reads of identity data. Every staff-facing read takes the actor and applies their data scope;
a record outside the scope is reported as not found, so its existence does not leak."""

from collections.abc import Iterable

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from tongban.accounts.models import LegalPerson, Mandate, Person, Post, Staff, User
from tongban.accounts.types import Actor
from tongban.core.errors import NotFound
from tongban.core.identifiers import ascii_fold, region_prefix
from tongban.core.scope import NOTHING, DataScope

PAGE_SIZE = 20


def user_by_identifier(identifier: str) -> User | None:
    identifier = identifier.strip()
    code = ascii_fold(identifier)
    users = User.objects.select_related("person")
    if len(code) == 18:
        return users.filter(person__id_number=code).first()
    if len(code) == 11 and code.isdigit():
        return users.filter(person__phone=code).order_by("id").first()
    return users.filter(username=identifier).first()


def staff_of(user) -> Staff | None:
    """The user's staff record with posts and scope, loaded once per user object (per request)."""
    if not user.is_authenticated or user.kind != User.STAFF:
        return None
    if not hasattr(user, "_staff_record"):
        user._staff_record = (
            Staff.objects.select_related("department", "scope_region", "hall", "agency_point")
            .prefetch_related("posts", "scope_departments")
            .filter(user=user)
            .first()
        )
    return user._staff_record


def staff_scope(user) -> DataScope:
    staff = staff_of(user)
    if staff is None:
        return NOTHING
    departments = None if staff.scope_all_departments else frozenset(d.pk for d in staff.scope_departments.all())
    return DataScope(region_prefix=staff.scope_region.prefix, department_ids=departments)


def staff_has_post(user, post_code: str) -> bool:
    staff = staff_of(user)
    return staff is not None and any(post.code == post_code for post in staff.posts.all())


def staff_has_any_post(user, post_codes: Iterable[str]) -> bool:
    return any(staff_has_post(user, code) for code in post_codes)


def separated_role(user) -> str | None:
    """The separated administrator role (三员分立, accounts.roles) the user holds, if any."""
    staff = staff_of(user)
    if staff is None:
        return None
    return next((post.code for post in staff.posts.all() if post.code in Post.SEPARATED_ROLES), None)


def user_needs_second_factor(user) -> bool:
    """A staff member holding any post whose `second_factor` is set logs in with a second factor
    (accounts.second_factor). One query; no cache, so a post changed a moment ago counts."""
    if user is None or user.pk is None or user.kind != User.STAFF:
        return False
    return Staff.objects.filter(user_id=user.pk, posts__second_factor=True).exists()


def persons_in_scope(scope: DataScope) -> QuerySet[Person]:
    return Person.objects.filter(region__code__startswith=scope.region_prefix)


def person_search(*, actor: Actor, query: str = "", page: int = 1) -> Page:
    """Persons in the actor's scope, newest first, filtered by name, full ID number or phone."""
    persons = persons_in_scope(staff_scope(actor)).select_related("region")
    query = query.strip()
    if query:
        persons = persons.filter(_person_query(query))
    return _paginate(persons.order_by("-id"), page)


def _person_query(query: str) -> Q:
    # Exact identifiers only: a partial ID number search would let a clerk enumerate people.
    code = ascii_fold(query)
    if len(code) == 18:
        return Q(id_number=code)
    if len(code) == 11 and code.isdigit():
        return Q(phone=code)
    return Q(real_name__startswith=query)


def person_get(*, actor: Actor, person_id: int) -> Person:
    person = persons_in_scope(staff_scope(actor)).select_related("region").filter(pk=person_id).first()
    if person is None:
        raise NotFound(_("未找到该自然人，或其不在您的数据范围内。"), code="person_not_found")
    return person


def legal_persons_in_scope(scope: DataScope) -> QuerySet[LegalPerson]:
    return LegalPerson.objects.filter(region__code__startswith=scope.region_prefix)


def legal_person_search(*, actor: Actor, query: str = "", page: int = 1) -> Page:
    legal_persons = legal_persons_in_scope(staff_scope(actor))
    query = query.strip().upper()
    if query:
        legal_persons = legal_persons.filter(Q(uscc=query) | Q(name__contains=query))
    return _paginate(legal_persons.select_related("region", "legal_representative").order_by("-id"), page)


def mandates_of(person: Person) -> QuerySet[Mandate]:
    return person.mandates.select_related("legal_person").order_by("-requested_at")


def agent_mandates_managed_by(person: Person) -> QuerySet[Mandate]:
    """Agents' pending requests and active authorisations for the legal persons this person
    represents: what the representative confirms or revokes."""
    return (
        Mandate.objects.filter(
            legal_person__legal_representative=person, role=Mandate.AGENT, status__in=[Mandate.PENDING, Mandate.ACTIVE]
        )
        .select_related("person", "legal_person")
        .order_by("status", "-requested_at")
    )


def legal_persons_for(person: Person) -> QuerySet[LegalPerson]:
    return LegalPerson.objects.filter(mandates__person=person, mandates__status=Mandate.ACTIVE).distinct()


def _paginate(queryset: QuerySet, page: int) -> Page:
    paginator = Paginator(queryset, PAGE_SIZE)
    return paginator.get_page(page)


# By primary key with get(), not first(): a unique lookup needs no ORDER BY, and compiling one costs
# more than the query itself on these paths that every application takes.


def person_by_id(person_id: int) -> Person:
    try:
        return Person.objects.select_related("region").get(pk=person_id)
    except Person.DoesNotExist:
        raise NotFound(_("未找到该申请人。"), code="person_not_found") from None


def legal_person_by_id(legal_person_id: int) -> LegalPerson:
    try:
        return LegalPerson.objects.select_related("legal_representative").get(pk=legal_person_id)
    except LegalPerson.DoesNotExist:
        raise NotFound(_("未找到该企业或单位。"), code="legal_person_not_found") from None


def person_acts_for(person_id: int, legal_person_id: int) -> bool:
    """Whether the person holds an active mandate (representative or agent) of the legal person."""
    return Mandate.objects.filter(person_id=person_id, legal_person_id=legal_person_id, status=Mandate.ACTIVE).exists()


def users_of_persons(person_ids: list[int]) -> QuerySet[User]:
    return User.objects.filter(person_id__in=person_ids, is_active=True)


def persons_by_id_numbers(id_numbers: list[str]) -> QuerySet[Person]:
    """The registered persons with these ID numbers (the population base's rows), with their region."""
    return Person.objects.filter(id_number__in=id_numbers).select_related("region")


def legal_persons_by_usccs(usccs: list[str]) -> QuerySet[LegalPerson]:
    """The registered legal persons with these credit codes (the legal-entity base's rows)."""
    return LegalPerson.objects.filter(uscc__in=usccs).select_related("region", "legal_representative")


def officer_ids_in(department_id: int, post_code: str) -> list[int]:
    """Active users holding `post_code` in the department."""
    return list(
        Staff.objects.filter(user__is_active=True, department_id=department_id, posts__code=post_code)
        .values_list("user_id", flat=True)
        .distinct()
    )


def officer_ids_covering(department_id: int, region_code: str, post_code: str) -> list[int]:
    """Active users holding `post_code` whose data scope covers the department (in `region_code`)."""
    rows = (
        Staff.objects.filter(user__is_active=True, posts__code=post_code)
        .values_list("user_id", "scope_region_id", "scope_all_departments")
        .distinct()
    )
    in_region = [(user_id, every) for user_id, scope, every in rows if region_code.startswith(region_prefix(scope))]
    limited = {user_id for user_id, every in in_region if not every}
    listed = set(
        Staff.objects.filter(user_id__in=limited, scope_departments=department_id).values_list("user_id", flat=True)
    )
    return [user_id for user_id, every in in_region if every or user_id in listed]


def sole_legal_person_of(person_id: int) -> LegalPerson | None:
    """The one enterprise a person stands for (an active mandate), or None when none or several:
    a person applying about their own business (创业补贴 needs its 营业执照) names no enterprise."""
    enterprises = list(LegalPerson.objects.filter(mandates__person_id=person_id, mandates__status=Mandate.ACTIVE)[:2])
    return enterprises[0] if len(enterprises) == 1 else None
