"""The states of an access request (共享申请) and the allowed transitions: one table.

A request starts pending (有条件共享, the provider decides) or approved (无条件共享, granted at once);
from pending the provider's data officer approves or refuses, or the requesting department
withdraws it. Approved, refused and withdrawn are final: a grant that should end is revoked
(`grant_revoke`), a refused need is asked for again with a new request. access.py has one service
per act; each locks the request and asks `transition_check` before it writes anything.
"""

from dataclasses import dataclass

from tongban.core.errors import Conflict
from tongban.exchange.models import AccessRequest, DataResource

PENDING, APPROVED, REFUSED, WITHDRAWN = (
    AccessRequest.PENDING,
    AccessRequest.APPROVED,
    AccessRequest.REFUSED,
    AccessRequest.WITHDRAWN,
)
ENDED = frozenset({APPROVED, REFUSED, WITHDRAWN})

# Who may act: the provider's data officer, or the requesting (consuming) department's.
PROVIDER, CONSUMER = "provider", "consumer"


@dataclass(frozen=True)
class Transition:
    target: str
    actor: str


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (PENDING, "approve"): Transition(APPROVED, PROVIDER),
    (PENDING, "refuse"): Transition(REFUSED, PROVIDER),
    (PENDING, "withdraw"): Transition(WITHDRAWN, CONSUMER),
}

ACTS = {"approve": "批准", "refuse": "拒绝", "withdraw": "撤回"}

# Where a new request starts, by the resource's sharing type; not_shared resources take none.
INITIAL = {DataResource.UNCONDITIONAL: APPROVED, DataResource.CONDITIONAL: PENDING}


def transition_check(request: AccessRequest, act: str) -> Transition:
    """The table's row for this act from the request's state, or a Conflict that says why not."""
    transition = TRANSITIONS.get((request.status, act))
    if transition is None:
        hint = "该申请已有处理结果，请刷新页面查看。" if request.status in ENDED else ""
        raise Conflict(
            f"共享申请当前为“{request.get_status_display()}”，不能{ACTS.get(act, act)}。{hint}",
            code="access_transition_refused",
        )
    return transition
