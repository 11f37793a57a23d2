from django.contrib.auth.backends import ModelBackend

from tongban.accounts import selectors


class IdentifierBackend(ModelBackend):
    """Log in with a user name, an ID number or a mobile number. Lockout is enforced by
    accounts.services.user_login before this backend is asked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = selectors.user_by_identifier(username or "")
        if user is None:
            self.user_model().set_password(password)  # same cost as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    @staticmethod
    def user_model():
        from django.contrib.auth import get_user_model

        return get_user_model()()
