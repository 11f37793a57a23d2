from functools import wraps

import segno
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.accounts import second_factor, selectors as accounts_selectors, services as accounts_services
from tongban.core.errors import PermissionDenied, TongbanError
from tongban.core.forms import add_service_error
from tongban.org import selectors as org_selectors
from tongban.portal.forms import BindLegalPersonForm, LoginForm, SecondFactorForm, SignupForm

LARGE_TEXT_COOKIE = "tb_large_text"


def home(request):
    halls = org_selectors.halls_in_region("").order_by("region_id")[:8]
    return render(request, "portal/home.html", {"halls": halls})


def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts_services.user_login(
                request=request, identifier=form.cleaned_data["identifier"], password=form.cleaned_data["password"]
            )
        except TongbanError as error:
            add_service_error(form, error)
        else:
            if second_factor.second_factor_required(user):
                second_factor.login_pending_start(request, user, next_url=_next_url(request, user))
                return redirect("portal:login_verify")
            login(request, user)
            return HttpResponseRedirect(_next_url(request, user))
    return render(request, "portal/login.html", {"form": form, "next": request.GET.get("next", "")})


def _pending_or_restart(view):
    """The second log-in step: only with a pending log-in of the last five minutes, else back to
    the password. The user rides on the request for the view."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = second_factor.login_pending_user(request)
        if user is None:
            messages.error(request, _("登录步骤已超时或未开始，请重新输入账号和密码。"))
            return redirect("portal:login")
        request.pending_user = user
        return view(request, *args, **kwargs)

    return wrapper


def _no_store(response):
    response["Cache-Control"] = "no-store"  # a secret or recovery codes: never from a cache
    return response


def _login_refused_by_lockout(request, error: TongbanError):
    second_factor.login_pending_clear(request)
    messages.error(request, error.message)
    return redirect("portal:login")


@_pending_or_restart
def login_verify(request):
    """Step two for an enrolled user: a code from the authenticator app, or a recovery code."""
    user = request.pending_user
    if not second_factor.second_factor_enrolled(user):
        return redirect("portal:login_enrol")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verified = second_factor.second_factor_verify(user=user, code=form.cleaned_data["code"])
        except PermissionDenied as error:
            return _login_refused_by_lockout(request, error)
        except TongbanError as error:
            add_service_error(form, error)
        else:
            target = second_factor.login_pending_complete(request, user)
            if verified.method == "recovery":
                messages.warning(
                    request,
                    _("您使用了一个恢复码登录，还剩%(n)d个。请尽快在工作台“登录安全”中重新生成恢复码。")
                    % {"n": verified.recovery_codes_left},
                )
            return HttpResponseRedirect(target)
    status = 422 if form.errors else 200
    return render(request, "portal/login_verify.html", {"form": form, "pending_user": user}, status=status)


@_pending_or_restart
def login_enrol(request):
    """Step two for a user without an authenticator yet: scan the QR code (or type the secret),
    confirm with a first code, see the recovery codes once, and be signed in."""
    user = request.pending_user
    if second_factor.second_factor_enrolled(user):
        return redirect("portal:login_verify")
    device = second_factor.totp_device_of(user)
    if device is None or device.pk != second_factor.login_pending_get(request, "device"):
        device = second_factor.second_factor_enrol_start(user=user)  # a new secret for each log-in
        second_factor.login_pending_set(request, "device", device.pk)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor.second_factor_enrol_confirm(user=user, code=form.cleaned_data["code"])
        except PermissionDenied as error:
            return _login_refused_by_lockout(request, error)
        except TongbanError as error:
            add_service_error(form, error)
        else:
            target = second_factor.login_pending_complete(request, user)
            context = {"codes": codes, "next": target}
            return _no_store(render(request, "portal/recovery_codes.html", context))
    uri = second_factor.provisioning_uri(device)
    context = {
        "form": form,
        "pending_user": user,
        "qr_svg": qr_svg(uri),
        "uri": uri,
        "secret": second_factor.secret_for_display(device.secret),
        "issuer": second_factor.ISSUER,
    }
    return _no_store(render(request, "portal/login_enrol.html", context, status=422 if form.errors else 200))


def qr_svg(data: str) -> str:
    """A QR code as inline SVG (segno): no script, no style attribute, so the strict CSP holds."""
    svg = segno.make(data, error="m").svg_inline(scale=5, dark="#1d2433", light="#fff", title=_("动态口令绑定二维码"))
    # Safe: segno's own markup, a title of ours; the data becomes modules, never text.
    return mark_safe(svg)


def _next_url(request, user) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("workbench:home") if user.is_officer else reverse("portal:profile")


@require_POST
def logout_view(request):
    logout(request)
    messages.success(request, _("您已安全退出。"))
    return redirect("portal:home")


def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = accounts_services.person_register(
                real_name=data["real_name"],
                id_number=data["id_number"],
                phone=data["phone"],
                password=data["password"],
            )
        except TongbanError as error:
            add_service_error(form, error)
        else:
            login(request, user, backend="tongban.accounts.backends.IdentifierBackend")
            messages.success(request, _("注册成功，欢迎使用。如需以企业身份办事，请在下方绑定企业。"))
            return redirect("portal:profile")
    return render(request, "portal/signup.html", {"form": form})


@login_required
def profile(request):
    if request.user.is_officer and request.user.person is None:
        return redirect("workbench:home")
    return render(request, "portal/profile.html", _profile_context(request, BindLegalPersonForm()))


def _profile_context(request, bind_form: BindLegalPersonForm) -> dict:
    person = request.user.person
    return {
        "person": person,
        "bind_form": bind_form,
        "mandates": accounts_selectors.mandates_of(person) if person else [],
        "agents": accounts_selectors.agent_mandates_managed_by(person) if person else [],
    }


@login_required
@require_POST
def legal_person_bind(request):
    form = BindLegalPersonForm(request.POST)
    if form.is_valid():
        try:
            mandate = accounts_services.legal_person_bind(
                user=request.user, uscc=form.cleaned_data["uscc"], name=form.cleaned_data["name"]
            )
        except TongbanError as error:
            add_service_error(form, error)
        else:
            if mandate.status == mandate.ACTIVE:
                messages.success(
                    request,
                    _("已绑定“%(name)s”，您是该企业的法定代表人。") % {"name": mandate.legal_person.name},
                )
            else:
                messages.info(
                    request,
                    _("已提交绑定“%(name)s”的申请，待法定代表人确认后生效。") % {"name": mandate.legal_person.name},
                )
            return redirect("portal:profile")
    return render(request, "portal/profile.html", _profile_context(request, form), status=422)


@login_required
@require_POST
def mandate_act(request, mandate_id: int, act: str):
    if act not in {"approve", "decline", "revoke"}:
        raise Http404
    try:
        if act == "revoke":
            accounts_services.mandate_revoke(user=request.user, mandate_id=mandate_id)
            messages.success(request, _("已撤销该经办人授权。"))
        else:
            accounts_services.mandate_decide(user=request.user, mandate_id=mandate_id, approve=act == "approve")
            messages.success(request, _("已确认授权。") if act == "approve" else _("已拒绝该授权申请。"))
    except TongbanError as error:
        messages.error(request, error.message)
    return redirect("portal:profile")


@require_POST
def text_size(request):
    """The large-text mode for older users (适老化), remembered in a cookie for a year."""
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    if request.POST.get("large") == "1":
        response.set_cookie(LARGE_TEXT_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax")
    else:
        response.delete_cookie(LARGE_TEXT_COOKIE)
    return response
