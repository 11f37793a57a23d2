"""The states of an access request (共享申请) and the allowed transitions: one table.

A request starts pending (有条件共享, the provider decides) or approved (无条件共享, granted at once);
from pending the provider's data officer approves or refuses, or the requesting department
withdraws it. Approved, refused and withdrawn are final: a grant that should end is revoked
(`grant_revoke`), a refused need is asked for again with a new request. access.py has one service
per act; each locks the request and asks `WORKFLOW.check` before it writes anything.
"""

from tongban.core.workflow import Workflow, move
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

WORKFLOW = Workflow(
    states=dict(AccessRequest.STATUSES),
    acts={"approve": "批准", "refuse": "拒绝", "withdraw": "撤回"},
    table={
        (PENDING, "approve"): move(APPROVED, actor=PROVIDER),
        (PENDING, "refuse"): move(REFUSED, actor=PROVIDER),
        (PENDING, "withdraw"): move(WITHDRAWN, actor=CONSUMER),
    },
    refusal="共享申请当前为“{state}”，不能{act}。",
    refusal_code="access_transition_refused",
    ended=ENDED,
    ended_hint="该申请已有处理结果，请刷新页面查看。",
)

# Where a new request starts, by the resource's sharing type; not_shared resources take none.
INITIAL = {DataResource.UNCONDITIONAL: APPROVED, DataResource.CONDITIONAL: PENDING}
