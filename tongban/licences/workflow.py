"""The states of a licence (GB/T 36904 status codes) and the allowed transitions: one table.

01 有效 is the only state a licence is issued in. 02 暂扣 is the one state that can go back
(restore → 01). Every other status ends the licence's life: a changed or renewed licence is a new
version (services.licence_change / licence_renew), and the version it replaces becomes 05 失效
through the "supersede" act, so a holder never has two valid versions of one licence.
"""

from dataclasses import dataclass

from tongban.core.errors import Conflict
from tongban.licences.models import (
    CANCELLED,
    EXPIRED,
    PENALISED,
    REVOKED,
    STATUS_CHOICES,
    SUSPENDED,
    TRANSFERRED,
    VALID,
)

STATUS_NAMES = dict(STATUS_CHOICES)
STAFF, SYSTEM = "staff", "system"
ISSUING_POSTS = ("issue", "approve")  # 办结/发证 and 审批 posts act on licences


@dataclass(frozen=True)
class Transition:
    target: str
    actor: str  # STAFF (holding an issuing post, issuer in scope) or SYSTEM (the expiry sweep)
    reason_required: bool = True


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (VALID, "suspend"): Transition(SUSPENDED, STAFF),
    (SUSPENDED, "restore"): Transition(VALID, STAFF),
    (VALID, "revoke"): Transition(REVOKED, STAFF),
    (SUSPENDED, "revoke"): Transition(REVOKED, STAFF),
    (VALID, "cancel"): Transition(CANCELLED, STAFF),
    (SUSPENDED, "cancel"): Transition(CANCELLED, STAFF),
    (VALID, "expire"): Transition(EXPIRED, SYSTEM),
    (VALID, "supersede"): Transition(EXPIRED, STAFF),
    (VALID, "transfer_out"): Transition(TRANSFERRED, STAFF),
    (VALID, "revoke_penalty"): Transition(PENALISED, STAFF),
    (SUSPENDED, "revoke_penalty"): Transition(PENALISED, STAFF),
}

ACTS = {
    "issue": "颁发",
    "suspend": "暂扣",
    "restore": "恢复",
    "revoke": "撤销",
    "cancel": "注销",
    "expire": "到期失效",
    "supersede": "被新版本替代",
    "transfer_out": "转出",
    "revoke_penalty": "吊销",
    "import": "历史证照入库",
}
STAFF_ACTS = sorted({act for (_, act), t in TRANSITIONS.items() if t.actor == STAFF and act != "supersede"})


def transition_check(status: str, act: str) -> Transition:
    transition = TRANSITIONS.get((status, act))
    if transition is None:
        raise Conflict(
            f"证照当前状态为“{STATUS_NAMES.get(status, status)}”，不能{ACTS.get(act, act)}。",
            code="licence_transition_forbidden",
        )
    return transition


def acts_from(status: str, *, actor_kind: str = STAFF) -> list[str]:
    """The acts a staff member (or the system) may take on a licence in `status`, for the buttons."""
    return [
        act
        for (source, act), t in TRANSITIONS.items()
        if source == status and t.actor == actor_kind and act != "supersede"
    ]
