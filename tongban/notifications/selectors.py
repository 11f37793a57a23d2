from django.core.paginator import Page, Paginator

from tongban.notifications.models import Notification

PAGE_SIZE = 20


def inbox(*, user, page: int | str = 1, unread_only: bool = False) -> Page:
    messages = Notification.objects.filter(recipient=user)
    if unread_only:
        messages = messages.filter(read_at__isnull=True)
    return Paginator(messages, PAGE_SIZE).get_page(page)


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
