"""The states of a case and the allowed transitions: one table, following the national status
backbone (DOMAIN.md "Case lifecycle"; our adaptation is recorded in docs/adr/0004-cases.md).

Each row says which acts may leave a state, where they may lead, which national status code the
history row carries, and who may do it. services.py has one function per act; each locks the case
and asks `WORKFLOW.check` before it writes anything.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tongban.cases.models import Case
from tongban.core.workflow import POSTS, STEP, SYSTEM, Transition, Workflow, move

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

# Who may act: "applicant", the applicant or whoever filed for them (and a front-desk clerk in
# scope, acting for them at the window); STEP, staff holding the current step's post; POSTS, staff
# holding one of the row's posts; SYSTEM, the periodic sweep.
APPLICANT = "applicant"
FRONT_DESK = ("accept", "window")
ISSUING = ("issue", "approve")
DELIVERING = ("deliver", "window", "issue")
OWED_RECEIVING = ("accept", "window", "approve")
REVOKING = ("approve",)


def _by_applicant(*targets: str) -> Transition:
    return move(*targets, actor=APPLICANT, posts=FRONT_DESK)


def _by_posts(*targets: str, posts: tuple[str, ...]) -> Transition:
    return move(*targets, actor=POSTS, posts=posts)


def _by_step(*targets: str) -> Transition:
    return move(*targets, actor=STEP)


def _by_system(*targets: str) -> Transition:
    return move(*targets, actor=SYSTEM)


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (DRAFT, "submit"): _by_applicant(RECEIVED),
    (RECEIVED, "accept"): _by_posts(HANDLING, posts=FRONT_DESK),
    (RECEIVED, "refuse"): _by_posts(REFUSED, posts=FRONT_DESK),
    (RECEIVED, "request_correction"): _by_posts(CORRECTION, posts=FRONT_DESK),
    (HANDLING, "request_correction"): _by_step(CORRECTION),
    (CORRECTION, "answer_correction"): _by_applicant(RECEIVED, HANDLING),
    (CORRECTION, "expire_correction"): _by_system(REFUSED, NOT_APPROVED),
    (HANDLING, "approve_step"): _by_step(HANDLING),
    (HANDLING, "return_step"): _by_step(HANDLING),
    (HANDLING, "start_special"): _by_step(SPECIAL),
    (SPECIAL, "end_special"): _by_step(HANDLING),
    (HANDLING, "decide"): _by_step(APPROVED, NOT_APPROVED),
    (APPROVED, "issue_result"): _by_posts(COMPLETED, posts=ISSUING),
    (COMPLETED, "deliver"): _by_posts(DELIVERED, posts=DELIVERING),
    (APPROVED, "receive_owed"): _by_posts(APPROVED, posts=OWED_RECEIVING),
    (COMPLETED, "receive_owed"): _by_posts(COMPLETED, posts=OWED_RECEIVING),
    (DELIVERED, "receive_owed"): _by_posts(DELIVERED, posts=OWED_RECEIVING),
    (APPROVED, "expire_owed"): _by_system(REVOKED),
    (COMPLETED, "expire_owed"): _by_system(REVOKED),
    (DELIVERED, "expire_owed"): _by_system(REVOKED),
    (RECEIVED, "withdraw"): _by_applicant(WITHDRAWN),
    (CORRECTION, "withdraw"): _by_applicant(WITHDRAWN),
    (HANDLING, "withdraw"): _by_applicant(WITHDRAWN),
    (SPECIAL, "withdraw"): _by_applicant(WITHDRAWN),
    (APPROVED, "revoke"): _by_posts(REVOKED, posts=REVOKING),
    (COMPLETED, "revoke"): _by_posts(REVOKED, posts=REVOKING),
    (DELIVERED, "revoke"): _by_posts(REVOKED, posts=REVOKING),
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
WORKFLOW = Workflow(
    states=dict(Case.STATUSES),
    acts=ACTS,
    table=TRANSITIONS,
    refusal="办件当前为“{state}”，不能{act}。",
    refusal_code="case_transition_refused",
)
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


# The act a case waits for in each staff queue, whose posts may claim it there.
QUEUE_ACTS = {"accept": "accept", "issue": "issue_result", "deliver": "deliver"}


def claiming_posts(case: Case) -> tuple[str, ...]:
    """Who may claim the case in its queue: the posts of the act it waits for, or in handling the
    current step's post."""
    act = QUEUE_ACTS.get(case.queue)
    return WORKFLOW.posts_for(case.status, act) if act else (case.step_post,)


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
    return steps or [Step(1, "审批", "approve", version.promised_days, None)]


def step_and_next(steps: list[Step], order: int) -> tuple[Step, Step | None]:
    """The step a case is in and the one after it (None: this step decides)."""
    index = next((i for i, s in enumerate(steps) if s.order == order), 0)
    return steps[index], steps[index + 1] if index + 1 < len(steps) else None
