"""The states of a case and the allowed transitions: one table, following the national status
backbone (DOMAIN.md "Case lifecycle"; our adaptation is recorded in docs/adr/0004-cases.md).

Each row says which acts may leave a state, where they may lead, which national status code the
history row carries, and who may do it. services.py has one function per act; each locks the case
and asks `transition_check` before it writes anything.
"""

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tongban.cases.models import Case
from tongban.core.errors import Conflict

DRAFT, RECEIVED, HANDLING, CORRECTION, SPECIAL = (
    Case.DRAFT,
    Case.RECEIVED,
    Case.HANDLING,
    Case.CORRECTION,
    Case.SPECIAL,
)
APPROVED, NOT_APPROVED, COMPLETED, DELIVERED = Case.APPROVED, Case.NOT_APPROVED, Case.COMPLETED, Case.DELIVERED
REFUSED, WITHDRAWN, REVOKED = Case.REFUSED, Case.WITHDRAWN, Case.REVOKED

ENDED = frozenset({NOT_APPROVED, DELIVERED, REFUSED, WITHDRAWN, REVOKED})
BEFORE_ACCEPTANCE = frozenset({DRAFT, RECEIVED})

# Who may act. "applicant": the applicant or whoever filed for them; "step": staff holding the
# current step's post; a post code: staff holding that post; "system": the periodic sweep.
APPLICANT, STEP, SYSTEM = "applicant", "step", "system"


@dataclass(frozen=True)
class Transition:
    targets: frozenset[str]
    actor: str
    posts: tuple[str, ...] = ()


def _t(*targets: str, actor: str, posts: tuple[str, ...] = ()) -> Transition:
    return Transition(frozenset(targets), actor, posts)


FRONT_DESK = ("accept", "window")

TRANSITIONS: dict[tuple[str, str], Transition] = {
    (DRAFT, "submit"): _t(RECEIVED, actor=APPLICANT),
    (RECEIVED, "accept"): _t(HANDLING, actor="post", posts=FRONT_DESK),
    (RECEIVED, "refuse"): _t(REFUSED, actor="post", posts=FRONT_DESK),
    (RECEIVED, "request_correction"): _t(CORRECTION, actor="post", posts=FRONT_DESK),
    (HANDLING, "request_correction"): _t(CORRECTION, actor=STEP),
    (CORRECTION, "answer_correction"): _t(RECEIVED, HANDLING, actor=APPLICANT),
    (CORRECTION, "expire_correction"): _t(REFUSED, NOT_APPROVED, actor=SYSTEM),
    (HANDLING, "approve_step"): _t(HANDLING, actor=STEP),
    (HANDLING, "return_step"): _t(HANDLING, actor=STEP),
    (HANDLING, "start_special"): _t(SPECIAL, actor=STEP),
    (SPECIAL, "end_special"): _t(HANDLING, actor=STEP),
    (HANDLING, "decide"): _t(APPROVED, NOT_APPROVED, actor=STEP),
    (APPROVED, "issue_result"): _t(COMPLETED, actor="post", posts=("issue", "approve")),
    (COMPLETED, "deliver"): _t(DELIVERED, actor="post", posts=("deliver", "window", "issue")),
    (APPROVED, "receive_owed"): _t(APPROVED, actor="post", posts=("accept", "window", "approve")),
    (COMPLETED, "receive_owed"): _t(COMPLETED, actor="post", posts=("accept", "window", "approve")),
    (DELIVERED, "receive_owed"): _t(DELIVERED, actor="post", posts=("accept", "window", "approve")),
    (APPROVED, "expire_owed"): _t(REVOKED, actor=SYSTEM),
    (COMPLETED, "expire_owed"): _t(REVOKED, actor=SYSTEM),
    (DELIVERED, "expire_owed"): _t(REVOKED, actor=SYSTEM),
    (RECEIVED, "withdraw"): _t(WITHDRAWN, actor=APPLICANT),
    (CORRECTION, "withdraw"): _t(WITHDRAWN, actor=APPLICANT),
    (HANDLING, "withdraw"): _t(WITHDRAWN, actor=APPLICANT),
    (SPECIAL, "withdraw"): _t(WITHDRAWN, actor=APPLICANT),
    (APPROVED, "revoke"): _t(REVOKED, actor="post", posts=("approve",)),
    (COMPLETED, "revoke"): _t(REVOKED, actor="post", posts=("approve",)),
    (DELIVERED, "revoke"): _t(REVOKED, actor="post", posts=("approve",)),
}

ACTS = {
    "submit": _("提交申请"),
    "accept": _("受理"),
    "refuse": _("不予受理"),
    "request_correction": _("一次性告知补正"),
    "answer_correction": _("补正材料"),
    "expire_correction": _("逾期未补正"),
    "approve_step": _("审核通过"),
    "return_step": _("退回"),
    "start_special": _("启动特别程序"),
    "end_special": _("结束特别程序"),
    "decide": _("作出决定"),
    "issue_result": _("办结出证"),
    "deliver": _("送达"),
    "receive_owed": _("收到容缺材料"),
    "expire_owed": _("容缺材料逾期未补"),
    "withdraw": _("撤回申请"),
    "revoke": _("撤销"),
}
# History rows also record "start": the first step beginning right after acceptance.
HISTORY_LABELS = {**ACTS, "start": _("开始办理")}

# National status codes (DOMAIN.md) written to the history for acts that have one.
CODES = {
    "submit": 1,
    "refuse": 5,
    "request_correction": 6,
    "answer_correction": 7,
    "start_special": 9,
    "end_special": 10,
    "expire_owed": 15,
    "revoke": 15,
}
ACCEPTED, STARTED = 3, 8
DECISION_CODES = {"approved": 11, "approved_owing": 12, "not_approved": 13}


def status_code(act: str, *, accepted: bool, decision: str = "") -> int | None:
    """The national code for an act; acts whose code depends on whether the case was accepted
    (撤件 2 before, 撤回 14 after; 不予受理 5 before, 不通过 13 after) decide here."""
    if act == "decide":
        return DECISION_CODES[decision]
    if act == "withdraw":
        return 14 if accepted else 2
    if act == "expire_correction":
        return 13 if accepted else 5
    return CODES.get(act)


def transition_check(case: Case, act: str) -> Transition:
    """The table's row for this act from the case's state, or a Conflict that says why not."""
    transition = TRANSITIONS.get((case.status, act))
    if transition is None:
        raise Conflict(
            f"办件当前为“{case.get_status_display()}”，不能{act_label_zh(act)}。",
            code="case_transition_refused",
        )
    return transition


def act_label_zh(act: str) -> str:
    """The act's Chinese name, for the Chinese messages services raise whatever the page language."""
    with translation.override("zh-hans"):
        return str(ACTS.get(act, act))


def queue_for(status: str, step_post: str = "") -> str:
    """The workbench queue a case in this state waits in."""
    return {
        DRAFT: "",
        RECEIVED: "accept",
        HANDLING: step_post or "review",
        CORRECTION: "correction",
        SPECIAL: "special",
        APPROVED: "issue",
        COMPLETED: "deliver",
    }.get(status, "done")


# ---------------------------------------------------------------- the item's flow

HANDLING_POSTS = ("review", "approve")


@dataclass(frozen=True)
class Step:
    order: int
    name: str
    post: str
    budget_days: int
    department_id: int | None


def handling_steps(version) -> list[Step]:
    """The steps between acceptance and decision (审核, 审批 …); at least one, 审批, so that every
    item has a decision step even when its flow lists none."""
    steps = [
        Step(s.order, s.name, s.post_code, s.budget_days, s.department_id)
        for s in version.steps.all()
        if s.post_code in HANDLING_POSTS
    ]
    return steps or [Step(1, "审批", "approve", max(version.promised_limit_days, 1), None)]


def step_and_next(steps: list[Step], order: int) -> tuple[Step, Step | None]:
    """The step a case is in and the one after it (None: this step decides)."""
    index = next((i for i, s in enumerate(steps) if s.order == order), 0)
    return steps[index], steps[index + 1] if index + 1 < len(steps) else None
