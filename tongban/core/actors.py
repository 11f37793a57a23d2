"""`BaseActor`, the type of the `actor` that core's services take: any Django user, the anonymous
visitor, or None for the system. Core knows no context, so not the project's User: the contexts'
`tongban.accounts.types.Actor` names it, and every Actor is a BaseActor.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

type BaseActor = AbstractUser | AnonymousUser | None
