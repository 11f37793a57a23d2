from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.accounts import selectors as accounts_selectors
from tongban.accounts import services as accounts_services
from tongban.cases import selectors as cases_selectors
from tongban.core.calendar import calendar_next_year_provisional, today
from tongban.core.errors import TongbanError
from tongban.org import selectors as org_selectors


def staff_required(view):
    """Only staff reach the workbench; the staff record rides on the request for the view."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        staff = accounts_selectors.staff_of(request.user) if request.user.is_authenticated else None
        if staff is None:
            if request.user.is_authenticated:
                messages.error(request, _("工作台仅供工作人员使用，请使用工作人员账号登录。"))
            return redirect_to_login(request.get_full_path())
        request.staff = staff
        return view(request, *args, **kwargs)

    return wrapper


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
    return render(request, "workbench/person_detail.html", {"person": person})


@staff_required
@require_POST
def person_reveal(request, person_id: int):
    """HTMX: the full value of one field, after the purpose is given; the read is audited."""
    field = request.POST.get("field", "")
    try:
        value = accounts_services.person_reveal(
            actor=request.user, person_id=person_id, field=field, purpose=request.POST.get("purpose", "")
        )
    except TongbanError as error:
        return render(
            request,
            "workbench/_reveal.html",
            {"error": error.message, "field": field, "person_id": person_id},
            status=error.status,
        )
    return render(request, "workbench/_reveal.html", {"value": value, "field": field, "person_id": person_id})


@staff_required
def department_list(request):
    departments = org_selectors.departments_in_scope(accounts_selectors.staff_scope(request.user))
    return render(request, "workbench/department_list.html", {"departments": departments})
