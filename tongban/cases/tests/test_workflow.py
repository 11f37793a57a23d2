"""Every pair of (state, act): the allowed ones succeed and land in a state the table allows; the
forbidden ones are refused with a reason and change nothing."""

import datetime as dt
import inspect

import pytest

from tongban.cases import selectors, services, workflow
from tongban.cases.models import Case
from tongban.cases.tests.factories import Crew, applicant, case_in, case_item, officer, pdf_bytes
from tongban.core.errors import Conflict, PermissionDenied
from tongban.core.tests import workflow_proof as proof
from tongban.core.workflow import STEP, SYSTEM

pytestmark = pytest.mark.django_db


def _handling_officer(case: Case, crew: Crew):
    return getattr(crew, case.step_post or "review")


def _to_last_step(case: Case, crew: Crew) -> Case:
    if case.status == Case.HANDLING and case.step_post == "review":
        services.case_step_approve(actor=crew.review, case_id=case.pk, opinion="同意")
    return Case.objects.get(pk=case.pk)


def _owing(case: Case, crew: Crew) -> Case:
    Case.objects.filter(pk=case.pk).update(owed_material="消防安全检查合格证明", owed_until=dt.date(2020, 1, 1))
    return Case.objects.get(pk=case.pk)


def _correction_overdue(case: Case) -> Case:
    case.corrections.update(due_date=dt.date(2020, 1, 1))
    return case


def _reupload(case: Case) -> Case:
    if case.status != Case.CORRECTION:
        return case
    material = case.materials.first()
    services.case_file_add(
        actor=case.filed_by, case_id=case.pk, material_id=material.pk, name="新.pdf", content=pdf_bytes()
    )
    return case


# act → how to make a case in a state that allows it ready for the act (the flow's place, an
# overdue date, a renewed file), so that only the person doing it decides the outcome
PREPARE = {
    "answer_correction": lambda c, crew: _reupload(c),
    "expire_correction": lambda c, crew: _correction_overdue(c),
    "return_step": _to_last_step,
    "decide": _to_last_step,
    "receive_owed": _owing,
    "expire_owed": _owing,
}

SWEEPS = {"expire_correction": services.case_correction_expire, "expire_owed": services.case_owed_expire}

# act → how `actor` does it on the case (None: the system's sweep, which takes no actor)
ACT_AS = {
    "submit": lambda c, actor: services.case_submit(actor=actor, case_id=c.pk),
    "accept": lambda c, actor: services.case_accept(actor=actor, case_id=c.pk),
    "refuse": lambda c, actor: services.case_refuse(
        actor=actor, case_id=c.pk, reason="不属于本部门职权", legal_basis="《行政许可法》第三十二条"
    ),
    "request_correction": lambda c, actor: services.case_correction_request(
        actor=actor,
        case_id=c.pk,
        items=[services.CorrectionItem(reason="复印件不清晰", material_id=c.materials.first().pk)],
    ),
    "answer_correction": lambda c, actor: services.case_correction_answer(actor=actor, case_id=c.pk, answer="已补交"),
    "expire_correction": lambda c, actor: SWEEPS["expire_correction"](case_id=c.pk),
    "approve_step": lambda c, actor: services.case_step_approve(actor=actor, case_id=c.pk, opinion="材料齐全"),
    "return_step": lambda c, actor: services.case_step_return(
        actor=actor, case_id=c.pk, to_step=2, reason="请核实经营场所"
    ),
    "start_special": lambda c, actor: services.case_special_start(actor=actor, case_id=c.pk, kind="inspection"),
    "end_special": lambda c, actor: services.case_special_end(actor=actor, case_id=c.pk, result="现场符合要求"),
    "decide": lambda c, actor: services.case_decide(actor=actor, case_id=c.pk, decision="approved", opinion="同意"),
    "issue_result": lambda c, actor: services.case_result_issue(actor=actor, case_id=c.pk),
    "deliver": lambda c, actor: services.case_deliver(
        actor=actor, case_id=c.pk, method=c.delivery_choice or "mail", carrier="EMS", tracking_number="1234567890123"
    ),
    "receive_owed": lambda c, actor: services.case_owed_receive(actor=actor, case_id=c.pk),
    "expire_owed": lambda c, actor: SWEEPS["expire_owed"](case_id=c.pk),
    "withdraw": lambda c, actor: services.case_withdraw(actor=actor, case_id=c.pk, reason="不再需要"),
    "revoke": lambda c, actor: services.case_revoke(
        actor=actor, case_id=c.pk, legal_basis="《行政许可法》第六十九条", reason="以欺骗手段取得"
    ),
}
FLOW = workflow.WORKFLOW
# Every post a case's department has, the applicant's side, and a citizen with no part in the case.
ROLES = ("applicant", "outsider", "accept", "window", "review", "approve", "issue", "deliver")


def _ready(status: str, act: str) -> tuple[Case, Crew]:
    case, crew = case_in(status)
    PREPARE.get(act, lambda c, crew: c)(case, crew)
    return Case.objects.get(pk=case.pk), crew


def _person_in(role: str, case: Case, crew: Crew):
    if role == "applicant":
        return case.filed_by
    if role == "outsider":
        return applicant()
    return getattr(crew, role, None) or officer(crew.department, role)


def _admitted_role(transition, case: Case) -> str:
    """A role the table lets do the act: the applicant, the step's post, or the first post."""
    if transition.actor == STEP:
        return case.step_post
    return "applicant" if transition.actor == workflow.APPLICANT else transition.posts[0]


def _do(status: str, act: str, case: Case, crew: Crew):
    transition = FLOW.table.get((status, act))
    if transition is None:  # forbidden: whoever is most likely to try it
        role = "applicant" if act in ("submit", "answer_correction", "withdraw") else case.step_post or "accept"
    elif transition.actor == SYSTEM:
        return ACT_AS[act](case, None)
    else:
        role = _admitted_role(transition, case)
    return ACT_AS[act](case, _person_in(role, case, crew))


def test_every_act_has_a_way_to_do_it():
    assert set(ACT_AS) == set(FLOW.acts)


@pytest.mark.parametrize(("status", "act"), proof.allowed_params(FLOW))
def test_allowed_transition_lands_where_the_table_says(status, act):
    case, crew = _ready(status, act)
    history_before = case.history.count()
    _do(status, act, case, crew)
    case.refresh_from_db()
    assert case.status in FLOW.table[(status, act)].targets
    assert case.history.filter(act=act).exists()
    assert case.history.count() > history_before


@pytest.mark.parametrize(("status", "act"), proof.forbidden_params(FLOW))
def test_forbidden_transition_is_refused_and_changes_nothing(status, act):
    case, crew = _ready(status, act)
    before = (case.status, case.revision, case.history.count())
    with pytest.raises(Conflict) as refused:
        _do(status, act, case, crew)
    assert refused.value.code == "case_transition_refused"
    assert "不能" in refused.value.message
    case.refresh_from_db()
    assert (case.status, case.revision, case.history.count()) == before


@pytest.mark.parametrize(("status", "act"), proof.by_person_params(FLOW))
def test_exactly_the_roles_the_table_names_may_act(subtests, status, act):
    case, crew = _ready(status, act)
    people = {role: _person_in(role, case, crew) for role in ROLES}

    def attempt(role: str):
        return ACT_AS[act](Case.objects.get(pk=case.pk), people[role])

    proof.assert_roles_admitted(subtests, FLOW, status, act, ROLES, attempt, step_post=case.step_post)


def test_the_systems_acts_are_done_by_sweeps_that_take_no_person():
    assert {act for (_, act), t in FLOW.table.items() if t.actor == SYSTEM} == set(SWEEPS)
    for sweep in SWEEPS.values():
        assert "actor" not in inspect.signature(sweep).parameters


def test_claiming_is_for_the_posts_of_the_act_the_case_waits_for():
    received, crew = case_in(Case.RECEIVED)
    assert workflow.claiming_posts(received) == workflow.FRONT_DESK
    handling, _ = case_in(Case.HANDLING, crew=crew)
    assert workflow.claiming_posts(handling) == (handling.step_post,)
    with pytest.raises(PermissionDenied):
        services.case_claim(actor=crew.issue, case_id=received.pk)
    services.case_claim(actor=crew.accept, case_id=received.pk)


def test_national_codes_follow_the_backbone():
    case, _ = case_in(Case.DELIVERED)
    codes = [row.code for row in case.history.order_by("id") if row.code]
    assert codes == [1, 3, 8, 11]


def test_withdrawal_before_acceptance_is_code_2_and_after_is_code_14():
    before, _ = case_in(Case.WITHDRAWN)
    after, _ = case_in(Case.HANDLING)
    services.case_withdraw(actor=after.filed_by, case_id=after.pk)
    assert before.history.get(act="withdraw").code == 2
    assert after.history.get(act="withdraw").code == 14


def test_owed_material_approval_is_code_12():
    case, crew = case_in(Case.HANDLING)
    _to_last_step(case, crew)
    services.case_decide(
        actor=crew.approve, case_id=case.pk, decision="approved_owing", opinion="容缺受理", owed_material="卫生许可证明"
    )
    row = case.history.get(act="decide")
    assert row.code == 12
    case.refresh_from_db()
    assert case.owed_until is not None and case.owed_material == "卫生许可证明"


def test_a_step_is_claimed_only_by_someone_holding_its_post():
    case, crew = case_in(Case.HANDLING)
    with pytest.raises(PermissionDenied) as refused:
        services.case_step_approve(actor=crew.approve, case_id=case.pk, opinion="越权审批")
    assert refused.value.code == "case_not_your_step"


def test_a_claimed_case_is_worked_by_its_claimant_only():
    version = case_item()
    crew = Crew(version.item.department)
    case, _ = case_in(Case.HANDLING, version=version, crew=crew)
    services.case_claim(actor=crew.review, case_id=case.pk)
    other = Crew(version.item.department).review
    with pytest.raises(Conflict) as refused:
        services.case_step_approve(actor=other, case_id=case.pk, opinion="同意")
    assert refused.value.code == "case_claimed"
    services.case_release(actor=crew.review, case_id=case.pk)
    services.case_step_approve(actor=other, case_id=case.pk, opinion="同意")


def test_a_stale_revision_is_refused_as_changed():
    case, crew = case_in(Case.RECEIVED)
    services.case_claim(actor=crew.accept, case_id=case.pk)
    services.case_accept(actor=crew.accept, case_id=case.pk, expected_revision=case.revision)
    with pytest.raises(Conflict) as refused:
        services.case_refuse(
            actor=crew.accept, case_id=case.pk, reason="重复", legal_basis="第三十二条", expected_revision=case.revision
        )
    assert refused.value.code == "case_changed"


def test_only_the_last_step_offers_the_decision_and_only_a_later_step_returns():
    case, crew = case_in(Case.HANDLING)
    offered = selectors.acts_allowed(actor=crew.review, case=case)
    assert "approve_step" in offered and "decide" not in offered and "return_step" not in offered
    case = _to_last_step(case, crew)
    offered = selectors.acts_allowed(actor=crew.approve, case=case)
    assert "decide" in offered and "return_step" in offered and "approve_step" not in offered


def test_a_claim_carries_into_the_next_step_when_its_post_is_held_too():
    version = case_item()
    crew = Crew(version.item.department)
    both = officer(version.item.department, "review", "approve")
    case, _ = case_in(Case.HANDLING, version=version, crew=crew)
    services.case_claim(actor=both, case_id=case.pk)
    services.case_step_approve(actor=both, case_id=case.pk, opinion="材料齐全")
    case.refresh_from_db()
    assert (case.step_post, case.claimed_by) == ("approve", both)

    other, _ = case_in(Case.HANDLING, version=version, crew=crew)
    services.case_claim(actor=crew.review, case_id=other.pk)
    services.case_step_approve(actor=crew.review, case_id=other.pk, opinion="材料齐全")
    other.refresh_from_db()
    assert (other.step_post, other.claimed_by) == ("approve", None)
