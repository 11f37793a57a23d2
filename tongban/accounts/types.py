"""`Actor`, the type of the `actor` that services and selectors take: who acts.

A logged-in user, the visitor a page passes on as `request.user` (AnonymousUser), or None for the
system itself (a command, a task, the demo). Any context may import this module: it names the User
model for the type checker only, so no context imports accounts.models through it at run time.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tongban.accounts.models import User

type Actor = User | AnonymousUser | None
