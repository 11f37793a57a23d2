"""Who is acting, from where: set once per request by the middleware, read by the audit chain."""

from contextvars import ContextVar, Token
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    actor_id: int | None = None
    actor_label: str = ""
    ip: str = ""


ANONYMOUS = RequestContext()
_current: ContextVar[RequestContext] = ContextVar("tongban_request_context", default=ANONYMOUS)


def current() -> RequestContext:
    return _current.get()


def bind(context: RequestContext) -> Token[RequestContext]:
    return _current.set(context)


def reset(token: Token[RequestContext]) -> None:
    _current.reset(token)
