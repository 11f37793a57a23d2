from django.contrib.auth.backends import ModelBackend

from tongban.accounts import selectors
from tongban.accounts.models import User


class IdentifierBackend(ModelBackend):
    """Log in with a user name, an ID number or a mobile number. Lockout is enforced by
    accounts.services.user_login before this backend is asked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = selectors.user_by_identifier(username or "")
        if user is None:
            User().set_password(password)  # same cost as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The signed-in user with their person, in one query: most of a citizen's requests need both."""
        user = User.objects.select_related("person").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
