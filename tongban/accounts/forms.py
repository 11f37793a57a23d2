from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from tongban.accounts.services import login_refused_message


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's own log-in page: Django's form (it calls `authenticate`, so the guarded check
    applies), answering a refusal with the platform's one message."""

    def get_invalid_login_error(self):
        return self._refused()

    def confirm_login_allowed(self, user):
        if not (user.is_active and user.is_staff):
            raise self._refused()

    def _refused(self) -> ValidationError:
        return ValidationError(login_refused_message(), code="invalid_login")
