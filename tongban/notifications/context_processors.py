from django.utils.functional import SimpleLazyObject

from tongban.notifications.selectors import unread_count


def inbox(request):
    """`inbox_unread`: the signed-in user's unread messages, counted only if a page shows it."""
    user = getattr(request, "user", None)
    return {"inbox_unread": SimpleLazyObject(lambda: unread_count(user) if user is not None else 0)}
