"""The queues: the cases waiting for this person's posts, filtered, sorted and paged, with the
front desk's bulk acceptance and a jump to a case by its number."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.accounts import selectors as accounts
from tongban.accounts.decorators import post_required, staff_required
from tongban.accounts.types import Actor
from tongban.cases import selectors, services, workflow
from tongban.cases.models import Case
from tongban.core.errors import NotFound
from tongban.core.views import act_with_message

CLOCK_FILTERS = [(Case.GREEN, "正常"), (Case.YELLOW, "预警"), (Case.RED, "超期"), (Case.PAUSED, "暂停计时")]
SORTS = [("due", "到期日期（早→晚）"), ("-due", "到期日期（晚→早）"), ("new", "最新申请")]


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@staff_required
def queue_list(request):
    queues = selectors.queues_for(request.user)
    query = selectors.QueueQuery(
        queue=request.GET.get("queue") or queues[0]["code"],
        text=request.GET.get("q", "").strip(),
        clock=request.GET.get("clock", ""),
        sort=request.GET.get("sort", "due"),
        page=request.GET.get("page", 1),
    )
    page = selectors.queue_page(actor=request.user, query=query)
    context = {
        "queues": queues,
        "query": query,
        "page": page,
        "clock_filters": CLOCK_FILTERS,
        "sorts": SORTS,
        "bulk": query.queue == "accept" and accounts.staff_has_any_post(request.user, workflow.FRONT_DESK),
        "params": _params_without_page(request, query),
        # 认领 only where the claim would succeed (the rule services.case_claim enforces)
        "claimable": {case.pk for case in page.object_list if selectors.claim_offered(actor=request.user, case=case)},
    }
    template = "cases/workbench/_queue_rows.html" if request.htmx else "cases/workbench/queue_list.html"
    return render(request, template, context)


def _params_without_page(request, query: selectors.QueueQuery) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    params["queue"] = query.queue
    return params.urlencode()


@staff_required
@require_POST
def case_claim(request, case_id: int):
    act_with_message(
        request, lambda: services.case_claim(actor=request.user, case_id=case_id), _("已认领，该件由您办理。")
    )
    return redirect(_safe_next(request, reverse("caseswork:case_detail", args=[case_id])))


@staff_required
@require_POST
def case_release(request, case_id: int):
    act_with_message(
        request, lambda: services.case_release(actor=request.user, case_id=case_id), _("已释放，其他人可以认领。")
    )
    return redirect(_safe_next(request, reverse("caseswork:case_detail", args=[case_id])))


@staff_required
@require_POST
@post_required(*workflow.FRONT_DESK)
def queue_bulk_accept(request):
    """Accept the ticked cases; each one accepted or refused on its own, both reported."""
    ids = [int(value) for value in request.POST.getlist("case_ids") if value.isdigit()]
    if not ids:
        messages.warning(request, _("请先勾选要受理的办件。"))
        return redirect(_safe_next(request, reverse("caseswork:queue_list") + "?queue=accept"))
    numbers = _numbers_in_scope(request.user, ids)
    outcome = services.case_bulk_accept(actor=request.user, case_ids=list(numbers))
    if outcome.done:
        messages.success(
            request, _("已受理 %(n)d 件：%(numbers)s") % {"n": len(outcome.done), "numbers": "、".join(outcome.done)}
        )
    for case_id, reason in outcome.refused:
        messages.error(
            request, _("%(number)s 未受理：%(reason)s") % {"number": numbers[int(case_id)], "reason": reason}
        )
    return redirect(_safe_next(request, reverse("caseswork:queue_list") + "?queue=accept"))


def _numbers_in_scope(actor: Actor, ids: list[int]) -> dict[int, str]:
    """The case numbers of the ids the actor may see (others are dropped as not found)."""
    numbers = {}
    for case_id in ids[: selectors.PAGE_SIZE * 5]:
        try:
            numbers[case_id] = selectors.case_for_staff(actor=actor, case_id=case_id).number
        except NotFound:
            continue
    return numbers


@staff_required
def recomputation_progress(request, job_id: int):
    """HTMX: the progress of a rebuild of deadlines after a calendar change (polled while it runs)."""
    job = selectors.deadline_recomputation_get(job_id=job_id)
    return render(request, "cases/workbench/_recomputation.html", {"job": job})
