"""One error hierarchy: every refusal says what was wrong and what to do, in Chinese.

The API maps these once to application/problem+json (tongban.config.api); pages show `message`.
"""


class TongbanError(Exception):
    """A refusal the user can act on. `code` is stable for machines, `message` is for people."""

    status = 400
    code = "invalid"

    def __init__(
        self, message: str, *, code: str | None = None, field: str | None = None, problems: list[str] | None = None
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems = problems or []  # every failure, when a check reports them all at once
        if code:
            self.code = code


class ValidationFailed(TongbanError):
    status = 422
    code = "validation_failed"


class NotFound(TongbanError):
    status = 404
    code = "not_found"


class Unauthenticated(TongbanError):
    """The caller's credentials were refused (a wrong, revoked or expired API key)."""

    status = 401
    code = "unauthenticated"


class PermissionDenied(TongbanError):
    status = 403
    code = "permission_denied"


class Conflict(TongbanError):
    """The object changed under the caller (another clerk acted first) or a unique key is taken."""

    status = 409
    code = "conflict"


class Unavailable(TongbanError):
    status = 503
    code = "unavailable"


class Throttled(TongbanError):
    """The caller has done this too often in the current window: later, it will be allowed again."""

    status = 429
    code = "throttled"
