from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from tongban.accounts import second_factor
from tongban.accounts.services import login_refused_message


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's own log-in page: Django's form (it calls `authenticate`, so the guarded check
    applies), answering a refusal with the platform's one message. An account that needs a second
    factor is never signed in here: its right password starts the pending log-in, and the page
    sends the person on to the code step, which returns them to the admin (ADR 0010)."""

    def get_invalid_login_error(self):
        return self._refused()

    def confirm_login_allowed(self, user):
        if not (user.is_active and user.is_staff):
            raise self._refused()
        if second_factor.second_factor_required(user):
            second_factor.login_pending_start(self.request, user, next_url=self._next_url())
            raise ValidationError(
                format_html(
                    '密码正确。该账号登录还须验证动态口令：<a href="{}">继续验证动态口令</a>',
                    reverse("portal:login_verify"),
                ),
                code="second_factor_required",
            )

    def _next_url(self) -> str:
        target = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()}):
            return target
        return reverse("admin:index")

    def _refused(self) -> ValidationError:
        return ValidationError(login_refused_message(), code="invalid_login")
