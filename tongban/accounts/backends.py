from django.contrib.auth.backends import ModelBackend

from tongban.accounts import services
from tongban.accounts.models import User


class IdentifierBackend(ModelBackend):
    """Log in with a user name, an ID number or a mobile number, through the guarded check
    (accounts.services.user_authenticate): every path that calls Django's `authenticate` (the
    portal, the admin's own log-in page, any future SSO) gets the same lockout and audit."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        return services.user_authenticate(identifier=username, password=password)

    def get_user(self, user_id):
        """The signed-in user with their person, in one query: most of a citizen's requests need both."""
        user = User.objects.select_related("person").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
