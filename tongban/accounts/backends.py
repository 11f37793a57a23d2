from django.contrib.auth.backends import ModelBackend

from tongban.accounts import roles, selectors, services
from tongban.accounts.models import User


class IdentifierBackend(ModelBackend):
    """Log in with a user name, an ID number or a mobile number, through the guarded check
    (accounts.services.user_authenticate): every path that calls Django's `authenticate` (the
    portal, the admin's own log-in page, any future SSO) gets the same lockout and audit.

    Permissions come from the separated roles' matrix (accounts.roles) alone: Django's groups and
    per-user permissions grant nothing."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        return services.user_authenticate(identifier=username, password=password)

    def get_user(self, user_id):
        """The signed-in user with their person, in one query: most of a citizen's requests need both."""
        user = User.objects.select_related("person").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return False
        app_label, _, codename = perm.partition(".")
        action, _, model = codename.partition("_")
        return roles.role_allows(selectors.separated_role(user_obj), app_label, model, action)

    def has_module_perms(self, user_obj, app_label):
        if not user_obj.is_active or user_obj.is_anonymous:
            return False
        return roles.role_allows_app(selectors.separated_role(user_obj), app_label)

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()
