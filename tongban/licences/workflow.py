"""The states of a licence (GB/T 36904 status codes) and the allowed transitions: one table.

01 有效 is the only state a licence is issued in. 02 暂扣 is the one state that can go back
(restore → 01). Every other status ends the licence's life: a changed or renewed licence is a new
version (services.licence_change / licence_renew), and the version it replaces becomes 05 失效
through the "supersede" act, so a holder never has two valid versions of one licence.
"""

from tongban.core.workflow import POSTS, SYSTEM, Workflow, move
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

ISSUING_POSTS = ("issue", "approve")  # 办结/发证 and 审批 posts act on licences, issuer in scope


def _by_staff(target: str):
    return move(target, actor=POSTS, posts=ISSUING_POSTS)


ACTS = {
    "suspend": "暂扣",
    "restore": "恢复",
    "revoke": "撤销",
    "cancel": "注销",
    "expire": "到期失效",
    "supersede": "被新版本替代",
    "transfer_out": "转出",
    "revoke_penalty": "吊销",
}
WORKFLOW = Workflow(
    states=dict(STATUS_CHOICES),
    acts=ACTS,
    table={
        (VALID, "suspend"): _by_staff(SUSPENDED),
        (SUSPENDED, "restore"): _by_staff(VALID),
        (VALID, "revoke"): _by_staff(REVOKED),
        (SUSPENDED, "revoke"): _by_staff(REVOKED),
        (VALID, "cancel"): _by_staff(CANCELLED),
        (SUSPENDED, "cancel"): _by_staff(CANCELLED),
        (VALID, "expire"): move(EXPIRED, actor=SYSTEM),
        (VALID, "supersede"): _by_staff(EXPIRED),
        (VALID, "transfer_out"): _by_staff(TRANSFERRED),
        (VALID, "revoke_penalty"): _by_staff(PENALISED),
        (SUSPENDED, "revoke_penalty"): _by_staff(PENALISED),
    },
    refusal="证照当前状态为“{state}”，不能{act}。",
    refusal_code="licence_transition_forbidden",
)
# Supersession happens only inside licence_change / licence_renew, never as a button of its own.
INTERNAL_ACTS = frozenset({"supersede"})
HISTORY_LABELS = {**ACTS, "issue": "颁发", "import": "历史证照入库"}


def acts_from(status: str) -> list[str]:
    """The acts a staff member may take on a licence in `status`, for the buttons."""
    return [act for act in WORKFLOW.acts_from(status) if act not in INTERNAL_ACTS]
