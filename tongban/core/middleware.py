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
