import time

from django.conf import settings

from tongban.core import context


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        authenticated = bool(user and user.is_authenticated)
        token = context.bind(
            context.RequestContext(
                actor_id=user.pk if authenticated else None,
                actor_label=user.get_username() if authenticated else "",
                ip=request.META.get("REMOTE_ADDR", ""),
            )
        )
        try:
            return self.get_response(request)
        finally:
            context.reset(token)


class TongbanErrorMiddleware:
    """Pages: a refusal raised by a service and not handled by the view becomes an error page
    with its Chinese message and status (the API maps the same errors to problem+json)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        from tongban.core.errors import TongbanError

        if isinstance(exception, TongbanError):
            return render(
                request,
                "error.html",
                {"message": exception.message, "status": exception.status},
                status=exception.status,
            )
        return None


class ChineseFirstMiddleware:
    """The UI is Chinese unless the person chooses English with the switcher (a cookie): a browser's
    Accept-Language alone does not switch a government portal whose content is written in Chinese."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """Sessions end after SESSION_COOKIE_AGE seconds without a request. Rather than rewriting the
    session row on every request (a write per API call), the expiry is pushed forward at most once
    per TONGBAN_SESSION_REFRESH_SECONDS: the time-out is then exact to within that interval."""

    MARK = "_refreshed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        age = session is not None and session.session_key and self._now() - session.get(self.MARK, 0)
        if age and age >= settings.TONGBAN_SESSION_REFRESH_SECONDS:
            session[self.MARK] = self._now()  # marks the session modified: saved with a fresh expiry
        response = self.get_response(request)
        if session is not None and session.modified and self.MARK not in session:
            session[self.MARK] = self._now()  # a session just written (a login) rides on that write
        return response

    @staticmethod
    def _now() -> int:
        return int(time.time())
