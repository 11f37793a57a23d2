"""View decorators of identity, shared by every context's pages."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

from tongban.accounts import selectors
from tongban.core.errors import PermissionDenied


def staff_required(view):
    """Only staff reach the workbench; the staff record rides on the request for the view."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        staff = selectors.staff_of(request.user) if request.user.is_authenticated else None
        if staff is None:
            if request.user.is_authenticated:
                messages.error(request, _("工作台仅供工作人员使用，请使用工作人员账号登录。"))
            return redirect_to_login(request.get_full_path())
        request.staff = staff
        return view(request, *args, **kwargs)

    return wrapper


def post_required(*posts: str):
    """Only staff holding one of `posts` reach the view (inside staff_required); others get a 403
    that says their post cannot use it."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not selectors.staff_has_any_post(request.user, posts):
                raise PermissionDenied(_("您的岗位不能使用此功能。"), code="post_required")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
