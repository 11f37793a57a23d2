"""The inbox on the portal (mounted at /me/inbox/): messages about one's cases, newest first."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.notifications import selectors, services


@login_required
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    page = selectors.inbox(user=request.user, page=request.GET.get("page", 1), unread_only=unread_only)
    return render(request, "notifications/inbox.html", {"page": page, "unread_only": unread_only})


@login_required
@require_POST
def notification_read(request, notification_id: int):
    """Mark one message read; with `next` (the case page) go on there."""
    notification = services.notification_mark_read(user=request.user, notification_id=notification_id)
    if request.htmx:
        return render(request, "notifications/_message.html", {"message": notification})
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(reverse("inbox:index") + _page_query(request))


@login_required
@require_POST
def notifications_read_all(request):
    count = services.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("已将%(count)s条消息标为已读。") % {"count": count})
    return redirect("inbox:index")


def _page_query(request) -> str:
    page = request.POST.get("page", "")
    return f"?page={page}" if page.isdigit() else ""
