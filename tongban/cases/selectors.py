"""Reads of cases. Applicants see their own cases (and those they filed or act for); staff see the
cases whose implementing or current office lies in their data scope — anything else is "not
found", on every list, page, search, API call and file download."""

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts import selectors as accounts
from tongban.accounts.types import Actor
from tongban.cases import permissions, workflow
from tongban.cases.models import Case, CaseFile, CaseMaterial, CaseStatus, DeadlineRecomputation
from tongban.catalog import selectors as catalog
from tongban.core.errors import NotFound, TongbanError
from tongban.core.identifiers import ascii_fold
from tongban.core.scope import DataScope
from tongban.core.workflow import Transition

PAGE_SIZE = 20
COUNT_CAP = 1000

# The workbench's queues: label, and the posts that work them (None: anyone in scope).
QUEUES = {
    "accept": ("待受理", ("accept", "window")),
    "review": ("待审核", ("review",)),
    "approve": ("待审批", ("approve",)),
    "issue": ("待办结", ("issue", "approve")),
    "deliver": ("待送达", ("deliver", "window", "issue")),
    "correction": ("补正中", None),
    "special": ("特别程序", None),
    "due_soon": ("即将超期", None),
    "overdue": ("已超期", None),
}
SORTS = {"due": ("due_date", "id"), "-due": ("-due_date", "-id"), "new": ("-submitted_at", "-id")}


def _in_scope(scope: DataScope) -> Q:
    where = Q(region_code__startswith=scope.region_prefix)
    if scope.department_ids is not None:
        where &= Q(office_id__in=scope.department_ids) | Q(department_id__in=scope.department_ids)
    return where


def _queue_filter(queue: str) -> Q:
    if queue == "due_soon":
        return Q(clock=Case.YELLOW) & ~Q(queue__in=["", "done"])
    if queue == "overdue":
        return Q(clock=Case.RED) & ~Q(queue__in=["", "done"])
    return Q(queue=queue)


def _staff_queue_base(scope: DataScope, queue: str) -> QuerySet[Case]:
    """A queue holds the cases whose *current* office is in scope (whose turn it is here)."""
    where = Q(region_code__startswith=scope.region_prefix) & _queue_filter(queue)
    if scope.department_ids is not None:
        where &= Q(office_id__in=scope.department_ids)
    return Case.objects.filter(where)


def queues_for(actor: Actor) -> list[dict]:
    """The queues with their counts (capped at COUNT_CAP: "1000+"), the actor's own posts first."""
    scope = accounts.staff_scope(actor)
    rows = []
    for code, (label, posts) in QUEUES.items():
        count = _capped_count(_staff_queue_base(scope, code))
        rows.append(
            {
                "code": code,
                "label": label,
                "mine": posts is None or any(accounts.staff_has_post(actor, p) for p in posts),
                "count": count,
                "capped": count >= COUNT_CAP,
            }
        )
    return sorted(rows, key=lambda row: not row["mine"])


def _capped_count(cases: QuerySet[Case]) -> int:
    # Counting a queue of a million rows exactly costs a full index scan; nobody reads past 1000.
    return cases.values("pk")[:COUNT_CAP].count()


class CappedPaginator(Paginator):
    """Pages over at most COUNT_CAP rows: deeper than that, the search narrows the queue."""

    @cached_property
    def count(self) -> int:
        return _capped_count(self.object_list)


@dataclass(frozen=True)
class QueueQuery:
    queue: str = "accept"
    text: str = ""
    item_id: int | None = None
    clock: str = ""
    sort: str = "due"
    page: int | str = 1


def queue_page(*, actor: Actor, query: QueueQuery) -> Page:
    """One page of a queue: search by case number, applicant (name or full ID number / USCC) or
    item; filters; earliest due first."""
    if query.queue not in QUEUES:
        raise NotFound(_("没有这个队列。"), code="queue_not_found")
    cases = _staff_queue_base(accounts.staff_scope(actor), query.queue)
    cases = _searched(cases, query.text)
    if query.item_id:
        cases = cases.filter(item_id=query.item_id)
    if query.clock in (Case.GREEN, Case.YELLOW, Case.RED, Case.PAUSED):
        cases = cases.filter(clock=query.clock)
    cases = cases.select_related("claimed_by").order_by(*SORTS.get(query.sort, SORTS["due"]))
    return CappedPaginator(cases, PAGE_SIZE).get_page(query.page)


def _searched(cases: QuerySet[Case], text: str) -> QuerySet[Case]:
    text = text.strip()
    if not text:
        return cases
    if text.isdigit() and len(text) >= 20:
        return cases.filter(number__startswith=text)
    code = ascii_fold(text)
    if len(code) == 18:
        return cases.filter(Q(person__id_number=code) | Q(legal_person__uscc=code))
    return cases.filter(Q(applicant_name__startswith=text) | Q(item_name__contains=text))


def case_search(*, actor: Actor, text: str, page: int | str = 1) -> Page:
    """Every case in the actor's scope (open or ended) matching the text, newest first."""
    cases = _searched(Case.objects.filter(_in_scope(accounts.staff_scope(actor))).exclude(status=Case.DRAFT), text)
    return Paginator(cases.order_by("-submitted_at", "-id"), PAGE_SIZE).get_page(page)


def case_for_staff(*, actor: Actor, case_id: int) -> Case:
    case = (
        Case.objects.filter(_in_scope(accounts.staff_scope(actor)))
        .exclude(status=Case.DRAFT)
        .select_related("person", "legal_person", "department", "office", "claimed_by", "filed_by")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound(_("未找到该办件，或它不在您的数据范围内。"), code="case_not_found")
    return case


def case_by_number_for_staff(*, actor: Actor, number: str) -> Case:
    found = Case.objects.filter(number=number.strip()).values_list("pk", flat=True).first()
    if found is None:
        raise NotFound(_("未找到该办件，或它不在您的数据范围内。"), code="case_not_found")
    return case_for_staff(actor=actor, case_id=found)


def case_concerning_person(*, actor: Actor, person_id: int, reference: str) -> str | None:
    """Grounds to reveal a person's full data (accounts.reveal): the case of that number in the
    actor's scope whose applicant is the person or an enterprise the person represents, described."""
    case = (
        Case.objects.filter(_in_scope(accounts.staff_scope(actor)), number=reference.strip())
        .exclude(status=Case.DRAFT)
        .filter(Q(person_id=person_id) | Q(legal_person__legal_representative_id=person_id))
        .values_list("number", "item_name")
        .first()
    )
    return None if case is None else f"办件 {case[0]}（{case[1]}）"


def case_numbers_for_staff(*, actor: Actor, numbers: list[str]) -> set[str]:
    """Which of these numbers name cases in the actor's scope (as case_by_number_for_staff would
    find them), in one query: for lists that check many numbers at once."""
    wanted = {number.strip() for number in numbers if number and number.strip()}
    if not wanted:
        return set()
    cases = Case.objects.filter(_in_scope(accounts.staff_scope(actor)), number__in=wanted).exclude(status=Case.DRAFT)
    return set(cases.values_list("number", flat=True))


def _applicant_cases(actor: Actor) -> QuerySet[Case]:
    where = Q(filed_by=actor)
    if actor.person_id:
        where |= Q(person_id=actor.person_id, legal_person__isnull=True)
        legal_ids = list(accounts.legal_persons_for(actor.person).values_list("pk", flat=True))
        if legal_ids:
            where |= Q(legal_person_id__in=legal_ids)
    return Case.objects.filter(where)


# For the applicant a case is over once it has its result: 已办结 and waiting only to be handed
# over is no longer 办理中.
FINISHED_FOR_APPLICANT = Q(queue="done") | Q(status=Case.COMPLETED)


def cases_of_applicant(*, actor: Actor, status: str = "", page: int | str = 1, drafts: bool = False) -> Page:
    cases = _applicant_cases(actor)
    cases = cases.filter(status=Case.DRAFT) if drafts else cases.exclude(status=Case.DRAFT)
    if status == "open":
        cases = cases.exclude(FINISHED_FOR_APPLICANT)
    elif status == "done":
        cases = cases.filter(FINISHED_FOR_APPLICANT)
    return Paginator(cases.order_by("-updated_at", "-id"), PAGE_SIZE).get_page(page)


def case_for_applicant(*, actor: Actor, number: str = "", case_id: int | None = None) -> Case:
    cases = _applicant_cases(actor).select_related("person", "legal_person", "department", "office")
    case = cases.filter(pk=case_id).first() if case_id else cases.filter(number=number).first()
    if case is None:
        raise NotFound(_("未找到该办件。"), code="case_not_found")
    return case


def draft_to_resume(
    *, actor: Actor, version_id: int, legal_person_id: int | None, person_id: int | None = None
) -> Case | None:
    """The user's own unsubmitted draft of this guide version for the same applicant identity
    (for staff filing for someone: the same person too)."""
    drafts = Case.objects.filter(filed_by=actor, status=Case.DRAFT, version_id=version_id)
    if person_id is not None:
        drafts = drafts.filter(person_id=person_id)
    return drafts.filter(legal_person_id=legal_person_id).order_by("-updated_at", "-id").first()


def case_history(case: Case) -> QuerySet[CaseStatus]:
    return case.history.order_by("id")


def case_materials(case: Case):
    return case.materials.prefetch_related("files").order_by("order", "id")


def case_for_reader(*, actor: Actor, case_id: int) -> Case:
    """A submitted case for its applicant side, or for staff whose scope holds it; anyone else:
    not found (pages, documents and file downloads all ask here)."""
    case = (
        Case.objects.exclude(status=Case.DRAFT)
        .select_related("person", "legal_person", "department", "office", "filed_by")
        .filter(pk=case_id)
        .first()
    )
    if case is not None and permissions.is_applicant_side(actor, case):
        return case
    if case is not None and actor is not None and accounts.staff_of(actor) is not None:
        return case_for_staff(actor=actor, case_id=case_id)
    raise NotFound(_("未找到该办件。"), code="case_not_found")


def case_file_for(*, actor: Actor, file_id: int) -> CaseFile:
    """A material file, for whoever may read its case (a draft's files: the applicant side only)."""
    case_file = CaseFile.objects.select_related("case").filter(pk=file_id).first()
    if case_file is None:
        raise NotFound(_("未找到该文件。"), code="file_not_found")
    if case_file.case.status == Case.DRAFT and permissions.is_applicant_side(actor, case_file.case):
        return case_file
    try:
        case_for_reader(actor=actor, case_id=case_file.case_id)
    except NotFound:
        raise NotFound(_("未找到该文件。"), code="file_not_found") from None
    return case_file


def case_public(number: str) -> Case:
    case = Case.objects.select_related("department").filter(number=number).first()
    if case is None:
        raise NotFound(_("未找到该办件。"), code="case_not_found")
    return case


def acts_allowed(*, actor: Actor, case: Case) -> list[str]:
    """The acts this person may do on the case now (the buttons a page shows)."""
    flow = workflow.WORKFLOW
    allowed = [act for act in flow.acts_from(case.status) if _may(actor, case, flow.check(case.status, act))]
    if case.status == Case.HANDLING:
        allowed = [act for act in allowed if act not in _out_of_step(case)]
    return allowed


def claim_offered(*, actor: Actor, case: Case) -> bool:
    """Whether to offer this person to claim the case: it is open, nobody holds it, and they hold
    a post that may claim it where it waits (the rule services.case_claim enforces)."""
    if not case.is_open or case.claimed_by_id:
        return False
    return permissions.staff_may(actor, case, workflow.claiming_posts(case))


def release_offered(*, actor: Actor, case: Case) -> bool:
    return actor is not None and case.claimed_by_id == actor.pk


def _out_of_step(case: Case) -> set[str]:
    """Acts the table allows in handling but the case's place in the flow does not: only the last
    step decides, only a step with a successor passes on, only a later step returns."""
    steps = workflow.handling_steps(catalog.version_for_case(case.version_id))
    current, following = workflow.step_and_next(steps, case.step)
    hidden = {"decide"} if following else {"approve_step"}
    if current is steps[0]:
        hidden.add("return_step")
    return hidden


def _may(actor: Actor, case: Case, transition: Transition) -> bool:
    try:
        permissions.authorise(actor, case, transition)
    except TongbanError:
        return False
    return True


def materials_exempted_per_item(*, scope: DataScope, since=None, limit: int = 50) -> QuerySet:
    """Per item, the materials of submitted cases in scope that the platform supplied from shared
    data or e-licences (免提交) and the applicant did not bring: rows of item_id, item_name, exempted.
    `since` (a date) counts cases submitted on or after it."""
    materials = CaseMaterial.objects.filter(provided__in=CaseMaterial.EXEMPT, case__submitted_at__isnull=False)
    materials = materials.filter(
        case__region_code__startswith=scope.region_prefix,
        **({"case__submitted_at__date__gte": since} if since else {}),
    )
    if scope.department_ids is not None:
        materials = materials.filter(
            Q(case__office_id__in=scope.department_ids) | Q(case__department_id__in=scope.department_ids)
        )
    return (
        materials.values(item_id=F("case__item_id"), item_name=F("case__item_name"))
        .annotate(exempted=Count("id"))
        .order_by("-exempted", "item_id")[:limit]
    )


def deadline_recomputation_latest(*, within_days: int = 7) -> DeadlineRecomputation | None:
    """The latest rebuild of deadlines after a calendar change, while it runs or for a week after."""
    since = timezone.now() - dt.timedelta(days=within_days)
    return DeadlineRecomputation.objects.filter(created_at__gte=since).order_by("-created_at", "-id").first()


def deadline_recomputation_get(*, job_id: int) -> DeadlineRecomputation:
    job = DeadlineRecomputation.objects.filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("没有这次期限重算。"), code="recomputation_not_found")
    return job
