"""Staff pages of access governance (mounted at /workbench/exchange/access/): my department's
requests and grants, the request form, the provider's inbox with its decisions, grants given and
their revocation, and the department's consumer systems with their keys.

Views check the shape of input (forms_access) and call one service per act (access.py); a refusal
is shown next to the form, with the services' own words. A decision made meanwhile by someone else
is refused by the workflow table, so a stale page never writes anything."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.accounts.decorators import staff_required
from tongban.core.errors import TongbanError
from tongban.core.views import act_with_message
from tongban.exchange import access, forms_access as forms, workflow
from tongban.exchange.models import AccessRequest

STATUS_FILTERS = AccessRequest.STATUSES


def _form_error(form, error: TongbanError) -> None:
    """Show a refusal next to the field it is about, or above the form. Services name their
    arguments; a form may call them otherwise (`service_fields`)."""
    field = getattr(form, "service_fields", {}).get(error.field, error.field)
    field = field if field in form.fields else None
    form.add_error(field, error.message)


def _status_param(request) -> str:
    status = request.GET.get("status", "")
    return status if status in dict(STATUS_FILTERS) else ""


def _extra(request, **keep) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    for key, value in keep.items():
        params[key] = value
    return params.urlencode()


# ---------------------------------------------------------------- my department


@staff_required
def request_list(request):
    status = _status_param(request)
    page = access.requests_of_department(actor=request.user, status=status, page=request.GET.get("page", 1))
    context = {"page": page, "status": status, "statuses": STATUS_FILTERS, "extra": _extra(request), "today": _today()}
    return render(request, "exchange/access/request_list.html", context)


@staff_required
def grant_list(request):
    live_only = request.GET.get("all") != "1"
    page = access.grants_of_department(actor=request.user, live_only=live_only, page=request.GET.get("page", 1))
    return render(
        request,
        "exchange/access/grant_list.html",
        {"page": page, "live_only": live_only, "extra": _extra(request), "today": _today()},
    )


def _today():
    return timezone.localdate()


def _request_form(request, data=None) -> forms.RequestForm:
    code = (data or request.GET).get("resource", "")
    resources = list(access.resources_requestable(actor=request.user))
    chosen = next((r for r in resources if r.code == code), None)
    return forms.RequestForm(
        data, resources=resources, resource=chosen, systems=access.systems_for_requests(actor=request.user)
    )


@staff_required
def request_new(request):
    if not access.is_data_officer_of(request.user, request.staff.department_id):
        messages.error(request, _("只有本部门持有“数据”岗位的工作人员可以提出共享申请。"))
        return redirect("exchange_access:request_list")
    if request.method != "POST":
        form = _request_form(request)
        if request.htmx and request.GET.get("resource") is not None:
            return render(request, "exchange/access/_request_fields.html", {"form": form})
        return render(request, "exchange/access/request_new.html", {"form": form})
    form = _request_form(request, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            created = access.access_request(
                actor=request.user,
                resource_code=data["resource"],
                fields=data["wanted"],
                purpose=data["purpose"],
                legal_basis=data["legal_basis"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                daily_volume=data["daily_volume"],
                system_id=int(data["system"]) if data["system"] else None,
            )
        except TongbanError as error:
            _form_error(form, error)
        else:
            if created.status == workflow.APPROVED:
                messages.success(request, _("该资源为无条件共享，已自动批准并生成授权（敏感字段脱敏提供）。"))
            else:
                messages.success(
                    request,
                    _("申请已提交，提供部门将于 %(due)s 前审核。") % {"due": created.due_on.strftime("%Y-%m-%d")},
                )
            return redirect("exchange_access:request_detail", created.pk)
    return render(request, "exchange/access/request_new.html", {"form": form}, status=422)


@staff_required
def request_detail(request, request_id: int):
    shown = access.request_get(actor=request.user, request_id=request_id)
    return render(request, "exchange/access/request_detail.html", _detail_context(request, shown))


def _detail_context(request, shown: AccessRequest, **forms_given) -> dict:
    labels = {f.name: f for f in shown.resource.fields.all()}
    pending = shown.status == workflow.PENDING
    provider = access.is_data_officer_of(request.user, shown.resource.provider_id)
    consumer = access.is_data_officer_of(request.user, shown.department_id)
    context = {
        "shown": shown,
        "labels": labels,
        "requested": [labels.get(name) or name for name in shown.fields],
        "approved": [labels.get(name) or name for name in shown.approved_fields],
        "overdue": access.request_is_overdue(shown),
        "grant": getattr(shown, "grant", None),
        "may_decide": pending and provider,
        "may_withdraw": pending and consumer,
        "may_revoke": provider or consumer,
        "today": _today(),
    }
    if context["may_decide"]:
        context["approve_form"] = forms_given.get("approve_form") or forms.ApproveForm(request=shown, labels=labels)
        context["refuse_form"] = forms_given.get("refuse_form") or forms.ReasonForm(
            prefix="refuse", label=_("拒绝理由")
        )
    if context["may_withdraw"]:
        context["withdraw_form"] = forms_given.get("withdraw_form") or forms.ReasonForm(
            prefix="withdraw", label=_("撤回说明")
        )
    if context["grant"] is not None and context["may_revoke"] and context["grant"].revoked_at is None:
        context["revoke_form"] = forms_given.get("revoke_form") or forms.ReasonForm(
            prefix="revoke", label=_("撤销原因")
        )
    return context


def _conflict_or_form(request, shown_id: int, form_name: str, form, error: TongbanError):
    """Re-show the request with the refusal next to the form that caused it; reloaded, so a
    decision someone else made meanwhile shows as it now is."""
    shown = access.request_get(actor=request.user, request_id=shown_id)
    if error.status == 409:
        messages.error(request, error.message)
        return redirect("exchange_access:request_detail", shown_id)
    _form_error(form, error)
    return render(
        request,
        "exchange/access/request_detail.html",
        _detail_context(request, shown, **{form_name: form}),
        status=error.status,
    )


@staff_required
@require_POST
def request_approve(request, request_id: int):
    shown = access.request_get(actor=request.user, request_id=request_id)
    labels = {f.name: f for f in shown.resource.fields.all()}
    form = forms.ApproveForm(request.POST, request=shown, labels=labels)
    if not form.is_valid():
        context = _detail_context(request, shown, approve_form=form)
        return render(request, "exchange/access/request_detail.html", context, status=422)
    data = form.cleaned_data
    try:
        access.access_approve(
            actor=request.user,
            request_id=request_id,
            fields=data["approved"],
            unmasked_fields=data["unmasked"],
            daily_quota=data["daily_quota"],
            reason=data["reason"],
        )
    except TongbanError as error:
        return _conflict_or_form(request, request_id, "approve_form", form, error)
    messages.success(request, _("已批准，授权即时生效。"))
    return redirect("exchange_access:request_detail", request_id)


@staff_required
@require_POST
def request_refuse(request, request_id: int):
    return _decided_with_reason(
        request,
        request_id,
        act="refuse",
        label=_("拒绝理由"),
        service=access.access_refuse,
        done=_("已拒绝，申请部门会收到理由。"),
    )


@staff_required
@require_POST
def request_withdraw(request, request_id: int):
    return _decided_with_reason(
        request, request_id, act="withdraw", label=_("撤回说明"), service=access.access_withdraw, done=_("申请已撤回。")
    )


def _decided_with_reason(request, request_id: int, *, act: str, label, service, done):
    """Refuse or withdraw a request with the reason its form gives; an invalid form (a reason
    too long) is shown again with its error and nothing is decided."""
    form_name = f"{act}_form"
    form = forms.ReasonForm(request.POST, prefix=act, label=label)
    if not form.is_valid():
        shown = access.request_get(actor=request.user, request_id=request_id)
        context = _detail_context(request, shown, **{form_name: form})
        return render(request, "exchange/access/request_detail.html", context, status=422)
    try:
        service(actor=request.user, request_id=request_id, reason=form.cleaned_data["reason"])
    except TongbanError as error:
        return _conflict_or_form(request, request_id, form_name, form, error)
    messages.success(request, done)
    return redirect("exchange_access:request_detail", request_id)


# ---------------------------------------------------------------- provider side


@staff_required
def inbox(request):
    status = request.GET.get("status", workflow.PENDING)
    status = status if status in dict(STATUS_FILTERS) or status == "" else workflow.PENDING
    page = access.requests_inbox(actor=request.user, status=status, page=request.GET.get("page", 1))
    context = {"page": page, "status": status, "statuses": STATUS_FILTERS, "extra": _extra(request), "today": _today()}
    return render(request, "exchange/access/inbox.html", context)


@staff_required
def grants_given(request):
    live_only = request.GET.get("all") != "1"
    page = access.grants_given(actor=request.user, live_only=live_only, page=request.GET.get("page", 1))
    context = {"page": page, "live_only": live_only, "extra": _extra(request), "today": _today()}
    return render(request, "exchange/access/grants_given.html", context)


@staff_required
def grant_detail(request, grant_id: int):
    grant = access.grant_get(actor=request.user, grant_id=grant_id)
    return render(request, "exchange/access/grant_detail.html", _grant_context(request, grant))


def _grant_context(request, grant, form=None) -> dict:
    labels = {f.name: f for f in grant.resource.fields.all()}
    may_revoke = grant.revoked_at is None and (
        access.is_data_officer_of(request.user, grant.resource.provider_id)
        or access.is_data_officer_of(request.user, grant.department_id)
    )
    return {
        "grant": grant,
        "granted": [labels.get(name) or name for name in grant.fields],
        "unmasked": set(grant.unmasked_fields),
        "revoke_form": (form or forms.ReasonForm(prefix="revoke", label=_("撤销原因"))) if may_revoke else None,
        "today": _today(),
    }


@staff_required
@require_POST
def grant_revoke(request, grant_id: int):
    form = forms.ReasonForm(request.POST, prefix="revoke", label=_("撤销原因"))
    if not form.is_valid():
        grant = access.grant_get(actor=request.user, grant_id=grant_id)
        return render(request, "exchange/access/grant_detail.html", _grant_context(request, grant, form), status=422)
    try:
        access.grant_revoke(actor=request.user, grant_id=grant_id, reason=form.cleaned_data["reason"])
    except TongbanError as error:
        if error.status == 409:
            messages.error(request, error.message)
            return redirect("exchange_access:grant_detail", grant_id)
        grant = access.grant_get(actor=request.user, grant_id=grant_id)
        _form_error(form, error)
        return render(request, "exchange/access/grant_detail.html", _grant_context(request, grant, form), status=422)
    messages.success(request, _("授权已撤销，立即停止生效。"))
    return redirect("exchange_access:grant_detail", grant_id)


# ---------------------------------------------------------------- systems and keys


def _systems_page(request, *, form=None, issued=None, status=200):
    department, systems = access.systems_of_department(actor=request.user)
    context = {
        "department": department,
        "systems": systems,
        "form": form or forms.SystemForm(),
        "rotate_form": forms.RotateForm(),
        "issued": issued,
        "now": timezone.now(),
    }
    return render(request, "exchange/access/system_list.html", context, status=status)


@staff_required
def system_list(request):
    return _systems_page(request)


@staff_required
@require_POST
def system_register(request):
    form = forms.SystemForm(request.POST)
    if not form.is_valid():
        return _systems_page(request, form=form, status=422)
    try:
        issued = access.system_register(
            actor=request.user, department_id=request.staff.department_id, name=form.cleaned_data["name"]
        )
    except TongbanError as error:
        _form_error(form, error)
        return _systems_page(request, form=form, status=error.status)
    # The key is shown on this response only (never stored, never redirected with).
    return _systems_page(request, issued=issued)


@staff_required
@require_POST
def key_rotate(request, system_id: int):
    form = forms.RotateForm(request.POST)
    grace = form.cleaned_data["grace_days"] if form.is_valid() else 7
    try:
        issued = access.api_key_rotate(actor=request.user, system_id=system_id, grace_days=grace)
    except TongbanError as error:
        messages.error(request, error.message)
        return redirect("exchange_access:system_list")
    return _systems_page(request, issued=issued)


@staff_required
@require_POST
def key_revoke(request, key_id: int):
    act_with_message(
        request, lambda: access.api_key_revoke(actor=request.user, key_id=key_id), _("密钥已吊销，立即失效。")
    )
    return redirect("exchange_access:system_list")


@staff_required
@require_POST
def system_deactivate(request, system_id: int):
    act_with_message(
        request,
        lambda: access.system_deactivate(
            actor=request.user, system_id=system_id, reason=request.POST.get("reason", "")
        ),
        _("接入系统已停用，其全部密钥已吊销。"),
    )
    return redirect("exchange_access:system_list")
