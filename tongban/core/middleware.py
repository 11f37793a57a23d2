import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from tongban.core import context

type GetResponse = Callable[[HttpRequest], HttpResponseBase]


class RequestContextMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        token = context.bind(
            context.RequestContext(
                actor_id=actor.pk if actor is not None else None,
                actor_label=actor.get_username() if actor is not None else "",
                ip=request.META.get("REMOTE_ADDR", ""),
            )
        )
        try:
            return self.get_response(request)
        finally:
            context.reset(token)


class TongbanErrorMiddleware:
    """Pages: a refusal raised by a service and not handled by the view becomes an error page
    with its Chinese message and status (the API maps the same errors to problem+json). Input
    holding U+0000 is refused before the view runs (core.nul)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        from tongban.core.nul import NUL_REFUSED, request_has_nul

        if not request.path.startswith(API_PREFIX) and request_has_nul(request):
            return _error_page(request, NUL_REFUSED, status=400)
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from tongban.core.errors import TongbanError

        if isinstance(exception, TongbanError):
            return _error_page(request, exception.message, status=exception.status)
        return None


API_PREFIX = "/api/"  # the API answers problem+json itself (config.api)


def _error_page(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    from django.shortcuts import render

    return render(request, "error.html", {"message": message, "status": status}, status=status)


class ChineseFirstMiddleware:
    """The UI is Chinese unless the person chooses English with the switcher (a cookie): a browser's
    Accept-Language alone does not switch a government portal whose content is written in Chinese."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """Sessions end after SESSION_COOKIE_AGE seconds without a request. Rather than rewriting the
    session row on every request (a write per API call), the expiry is pushed forward at most once
    per TONGBAN_SESSION_REFRESH_SECONDS: the time-out is then exact to within that interval."""

    MARK = "_refreshed"

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        session: SessionBase | None = getattr(request, "session", None)
        age = self._now() - session.get(self.MARK, 0) if session is not None and session.session_key else 0
        if session is not None and age and age >= settings.TONGBAN_SESSION_REFRESH_SECONDS:
            session[self.MARK] = self._now()  # marks the session modified: saved with a fresh expiry
        response = self.get_response(request)
        if session is not None and session.modified and self.MARK not in session:
            session[self.MARK] = self._now()  # a session just written (a login) rides on that write
        return response

    @staticmethod
    def _now() -> int:
        return int(time.time())
