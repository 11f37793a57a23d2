"""Reads of the call log: the searches of staff ("who used our data", "what did we ask"), of a
consumer system, and of a citizen ("who looked at my data"), and the exchange's statistics.

Who sees which calls: a staff member sees the calls made by departments in their data scope and
the calls to resources that departments in their scope provide; a system sees its department's
calls both ways; a citizen sees the calls whose key is their ID number or the credit code of an
enterprise they act for — found by the key's HMAC, the number itself is never stored.

The log grows by millions of rows a year, so lists are paged by "next page" without counting the
whole table, and filters use the (time, region / key / resource / consumer) indexes."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from tongban.accounts import selectors as accounts
from tongban.accounts.types import Actor
from tongban.cases import selectors as cases
from tongban.core.scope import DataScope
from tongban.exchange import access
from tongban.exchange.models import CallLog
from tongban.exchange.query import key_digest, key_normalised
from tongban.org import selectors as org

PAGE_SIZE = 30
STATS_DAYS = 30
EVERYWHERE = DataScope(region_prefix="")  # to name departments seen in rows already scoped


@dataclass
class CallPage:
    """One page of calls; `has_next` from fetching one row more, no COUNT over the log."""

    rows: list[CallLog]  # each with `department_name` (the consumer's) set
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


@dataclass(frozen=True)
class CallFilter:
    since: dt.date | None = None
    until: dt.date | None = None
    resource: str = ""  # resource code
    consumer_id: int | None = None
    outcome: str = ""
    case_number: str = ""
    key_digest: str = ""


# ---------------------------------------------------------------- who sees what


def calls_for_staff(actor: Actor) -> QuerySet[CallLog]:
    departments = org.departments_in_scope(accounts.staff_scope(actor)).order_by().values("pk")
    return CallLog.objects.filter(Q(department_id__in=departments) | Q(provider_id__in=departments))


def calls_for_department(department_id: int) -> QuerySet[CallLog]:
    return CallLog.objects.filter(Q(department_id=department_id) | Q(provider_id=department_id))


def calls_of_keys(digests: list[str]) -> QuerySet[CallLog]:
    return CallLog.objects.filter(key_digest__in=digests)


def person_digest(id_number: str) -> str:
    """The digest of an ID number typed into a search (checked first, so a typo says so)."""
    return key_digest(key_normalised("id_number", id_number))


# ---------------------------------------------------------------- lists


def calls_filtered(calls: QuerySet[CallLog], criteria: CallFilter) -> QuerySet[CallLog]:
    zone = timezone.get_current_timezone()
    if criteria.since:
        calls = calls.filter(called_at__gte=dt.datetime.combine(criteria.since, dt.time.min, zone))
    if criteria.until:
        next_day = criteria.until + dt.timedelta(days=1)
        calls = calls.filter(called_at__lt=dt.datetime.combine(next_day, dt.time.min, zone))
    if criteria.resource:
        calls = calls.filter(resource__code=criteria.resource.strip())
    if criteria.consumer_id:
        calls = calls.filter(department_id=criteria.consumer_id)
    if criteria.outcome:
        calls = calls.filter(outcome=criteria.outcome)
    if criteria.case_number:
        calls = calls.filter(case_number=criteria.case_number.strip())
    if criteria.key_digest:
        calls = calls.filter(key_digest=criteria.key_digest)
    return calls


def calls_page(calls: QuerySet[CallLog], page: int | str = 1) -> CallPage:
    number = _page_number(page)
    start = (number - 1) * PAGE_SIZE
    rows = list(
        calls.select_related("resource", "resource__provider").order_by("-called_at", "-id")[
            start : start + PAGE_SIZE + 1
        ]
    )
    shown = rows[:PAGE_SIZE]
    names = department_names(shown)
    for row in shown:
        row.department_name = names.get(row.department_id, f"#{row.department_id}")
    return CallPage(rows=shown, number=number, has_next=len(rows) > PAGE_SIZE)


# The last page whose rows a database can still be asked for (its offset fits a 64-bit integer).
PAGE_MAX = (2**63 - 1) // PAGE_SIZE - 1


def _page_number(page) -> int:
    try:
        return min(max(int(page), 1), PAGE_MAX)
    except (TypeError, ValueError):
        return 1


def department_names(rows: list[CallLog]) -> dict[int, str]:
    """Names of the consuming departments of these rows, in one query."""
    ids = {row.department_id for row in rows}
    if not ids:
        return {}
    return dict(org.departments_in_scope(EVERYWHERE).filter(pk__in=ids).values_list("pk", "name"))


def consumers_for_staff(actor: Actor) -> list[tuple[int, str]]:
    """Departments to filter by: those in the actor's scope (the consumers they answer for)."""
    return list(org.departments_in_scope(accounts.staff_scope(actor)).values_list("pk", "name"))


# ---------------------------------------------------------------- statistics


@dataclass(frozen=True)
class Statistics:
    since: dt.date
    per_resource: list[dict]
    per_consumer: list[dict]
    per_day: list[dict]
    exempted: list[dict]
    turnaround: list


def statistics_for_staff(actor: Actor, *, days: int = STATS_DAYS) -> Statistics:
    since = timezone.localdate() - dt.timedelta(days=days - 1)
    zone = timezone.get_current_timezone()
    calls = calls_for_staff(actor).filter(called_at__gte=dt.datetime.combine(since, dt.time.min, zone))
    return Statistics(
        since=since,
        per_resource=calls_per_resource(calls),
        per_consumer=calls_per_consumer(calls),
        per_day=calls_per_day(calls),
        exempted=list(cases.materials_exempted_per_item(scope=accounts.staff_scope(actor), since=since)),
        turnaround=_turnaround_in_scope(actor, since),
    )


def _turnaround_in_scope(actor: Actor, since: dt.date) -> list:
    providers = set(org.departments_in_scope(accounts.staff_scope(actor)).values_list("pk", flat=True))
    return [row for row in access.grant_turnaround(since=since) if row.provider_id in providers]


def _counts(calls: QuerySet[CallLog]) -> dict:
    return {
        "calls": Count("id"),
        "found": Count("id", filter=Q(outcome=CallLog.OK)),
        "refused": Count("id", filter=Q(outcome__in=[CallLog.REFUSED, CallLog.OVER_QUOTA])),
        "failed": Count("id", filter=Q(outcome=CallLog.PROVIDER_DOWN)),
        "latency": Avg("latency_ms"),
    }


def calls_per_resource(calls: QuerySet[CallLog], limit: int = 50) -> list[dict]:
    return list(
        calls.values("resource__code", "resource__name", "resource__provider__name")
        .annotate(**_counts(calls))
        .order_by("-calls", "resource__code")[:limit]
    )


def calls_per_consumer(calls: QuerySet[CallLog], limit: int = 50) -> list[dict]:
    rows = list(calls.values("department_id").annotate(**_counts(calls)).order_by("-calls", "department_id")[:limit])
    names = dict(
        org.departments_in_scope(EVERYWHERE)
        .filter(pk__in=[row["department_id"] for row in rows])
        .values_list("pk", "name")
    )
    for row in rows:
        row["department_name"] = names.get(row["department_id"], f"#{row['department_id']}")
    return rows


def calls_per_day(calls: QuerySet[CallLog]) -> list[dict]:
    zone = timezone.get_current_timezone()
    return list(
        calls.annotate(day=TruncDate("called_at", tzinfo=zone))
        .values("day")
        .annotate(calls=Count("id"), found=Count("id", filter=Q(outcome=CallLog.OK)))
        .order_by("day")
    )
