from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.accounts import second_factor, selectors as accounts_selectors, services as accounts_services
from tongban.accounts.decorators import staff_required
from tongban.accounts.reveal import reveal_choices
from tongban.cases import selectors as cases_selectors
from tongban.core.calendar import calendar_next_year_provisional, today
from tongban.core.errors import NotFound, TongbanError
from tongban.org import selectors as org_selectors


@staff_required
def home(request):
    staff = request.staff
    scope = accounts_selectors.staff_scope(request.user)
    context = {
        "staff": staff,
        "scope_path": org_selectors.region_path(staff.scope_region),
        "scope_departments": None if staff.scope_all_departments else list(staff.scope_departments.all()),
        "counts": {
            "persons": accounts_selectors.persons_in_scope(scope).count(),
            "departments": org_selectors.departments_in_scope(scope).count(),
        },
        "queues": [row for row in cases_selectors.queues_for(request.user) if row["mine"]],
        "calendar_provisional": calendar_next_year_provisional(today()),
        "recomputation": cases_selectors.deadline_recomputation_latest(),
    }
    return render(request, "workbench/home.html", context)


@staff_required
def person_list(request):
    query = request.GET.get("q", "")
    page = accounts_selectors.person_search(actor=request.user, query=query, page=request.GET.get("page", 1))
    template = "workbench/_person_rows.html" if request.htmx else "workbench/person_list.html"
    return render(request, template, {"page": page, "query": query})


@staff_required
def person_detail(request, person_id: int):
    person = accounts_selectors.person_get(actor=request.user, person_id=person_id)
    return render(request, "workbench/person_detail.html", {"person": person, "grounds": reveal_choices()})


@staff_required
@require_POST
def person_reveal(request, person_id: int):
    """HTMX: the full value of one field, once grounds are given (a case number, or a listed
    purpose with a note); the read is audited."""
    field = request.POST.get("field", "")
    basis, _, purpose = request.POST.get("grounds", "").partition(":")
    reference = purpose or request.POST.get("reference", "")
    context = {"field": field, "person_id": person_id, "grounds": reveal_choices()}
    try:
        value = accounts_services.person_reveal(
            actor=request.user,
            person_id=person_id,
            field=field,
            basis=basis,
            reference=reference,
            note=request.POST.get("note", ""),
        )
    except TongbanError as error:
        return render(request, "workbench/_reveal.html", {**context, "error": error.message}, status=error.status)
    return render(request, "workbench/_reveal.html", {**context, "value": value})


@staff_required
def department_list(request):
    departments = org_selectors.departments_in_scope(accounts_selectors.staff_scope(request.user))
    return render(request, "workbench/department_list.html", {"departments": departments})


@staff_required
def second_factor_page(request):
    """登录安全: the member's authenticator and recovery codes (regenerated with a current code),
    and for the security officer, resetting a colleague's authenticator."""
    user = request.user
    codes = None
    regenerate_error = reset_error = ""
    if request.method == "POST" and request.POST.get("act") == "regenerate":
        try:
            codes = second_factor.second_factor_recovery_regenerate(user=user, code=request.POST.get("code", ""))
        except TongbanError as error:
            regenerate_error = error.message
    elif request.method == "POST" and request.POST.get("act") == "reset":
        username = request.POST.get("username", "").strip()
        target = accounts_selectors.user_by_identifier(username) if username else None
        try:
            if target is None:
                raise NotFound(_("未找到该工作人员账号，请核对用户名。"), code="staff_not_found")
            second_factor.second_factor_reset(actor=user, user=target)
        except TongbanError as error:
            reset_error = error.message
        else:
            messages.success(
                request,
                _("已重置“%(name)s”的动态口令，其下次登录时须重新绑定。") % {"name": target.get_username()},
            )
            return redirect("workbench:second_factor")
    device = second_factor.totp_device_of(user)
    context = {
        "required": second_factor.second_factor_required(user),
        "device": device if device is not None and device.confirmed else None,
        "codes_left": second_factor.recovery_codes_left(user),
        "codes": codes,
        "regenerate_error": regenerate_error,
        "reset_error": reset_error,
        "is_security_officer": second_factor.second_factor_may_reset(user),
    }
    status = 422 if regenerate_error or reset_error else 200
    response = render(request, "workbench/second_factor.html", context, status=status)
    if codes:
        response["Cache-Control"] = "no-store"
    return response
