"""Staff pages of the call log (mounted at /workbench/exchange/calls/): search the calls that
departments in one's scope made, and the calls made to the data they provide ("providers see who
used their data"); and the exchange's statistics.

A person's ID number may be searched for: it is posted (never in a URL, where servers log it),
checked, turned into the same HMAC the log stores, and the search goes on with that digest. The
search is audited — asking who looked at a person is itself a read about that person."""

import datetime as dt
import re
from urllib.parse import urlencode

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.accounts.decorators import staff_required
from tongban.core.audit import audit_record
from tongban.core.errors import ValidationFailed
from tongban.core.masking import mask
from tongban.exchange import stats
from tongban.exchange.models import CallLog

FILTER_NAMES = ("since", "until", "resource", "consumer", "outcome", "case_number", "key")
DIGEST = re.compile(r"^[0-9a-f]{64}$")


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()) if value and value.strip() else None
    except ValueError:
        return None


def _criteria(params) -> stats.CallFilter:
    consumer = params.get("consumer", "")
    outcome = params.get("outcome", "")
    key = params.get("key", "")
    return stats.CallFilter(
        since=_date(params.get("since", "")),
        until=_date(params.get("until", "")),
        resource=params.get("resource", "").strip()[:40],
        consumer_id=int(consumer) if consumer.isdigit() else None,
        outcome=outcome if outcome in dict(CallLog.OUTCOMES) else "",
        case_number=params.get("case_number", "").strip()[:40],
        key_digest=key if DIGEST.match(key) else "",
    )


def _params(request, **changes) -> str:
    values = {name: request.GET.get(name, "") for name in FILTER_NAMES}
    values.update(changes)
    return urlencode({name: value for name, value in values.items() if value})


@staff_required
def call_list(request):
    criteria = _criteria(request.GET)
    calls = stats.calls_filtered(stats.calls_for_staff(request.user), criteria)
    page = stats.calls_page(calls, request.GET.get("page", 1))
    context = {
        "page": page,
        "criteria": criteria,
        "params": _params(request),
        "outcomes": CallLog.OUTCOMES,
        "consumers": stats.consumers_for_staff(request.user),
        "id_error": request.GET.get("id_error", ""),
    }
    template = "exchange/calls/_rows.html" if request.htmx else "exchange/calls/call_list.html"
    return render(request, template, context)


@require_POST
@staff_required
def call_person_search(request):
    """Turn a posted ID number into the log's digest and search with it."""
    id_number = request.POST.get("id_number", "")
    kept = {name: request.POST.get(name, "") for name in FILTER_NAMES if name != "key"}
    try:
        digest = stats.person_digest(id_number)
    except ValidationFailed as error:
        query = urlencode({**{k: v for k, v in kept.items() if v}, "id_error": error.message})
        return redirect(f"{reverse('exchange_calls:list')}?{query}")
    audit_record(
        action="exchange.calls_search_person",
        object_type="exchange.calllog",
        detail={"id_number": mask("id_number", id_number.strip().upper())},
    )
    query = urlencode({**{k: v for k, v in kept.items() if v}, "key": digest})
    return redirect(f"{reverse('exchange_calls:list')}?{query}")


@staff_required
def statistics(request):
    figures = stats.statistics_for_staff(request.user)
    return render(
        request,
        "exchange/calls/statistics.html",
        {"figures": figures, "days": stats.STATS_DAYS, "title": _("数据共享统计")},
    )
