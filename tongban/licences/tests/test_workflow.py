"""The licence lifecycle (GB/T 36904 status codes), proven through the services: the table is the
documented one, every allowed pair lands where it says, every other pair is refused and changes
nothing, and exactly the issuing posts of the issuer (or the expiry sweep) may act."""

import pytest

from tongban.accounts.tests.factories import StaffFactory
from tongban.cases.tests.factories import applicant
from tongban.core.errors import Conflict, PermissionDenied
from tongban.core.tests import workflow_proof as proof
from tongban.core.workflow import SYSTEM
from tongban.licences import services, workflow
from tongban.licences.models import OTHER, Licence
from tongban.licences.tests.factories import issued_licence, issuer_officer
from tongban.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

FLOW = workflow.WORKFLOW
EXPECTED = {
    ("01", "suspend"): "02",
    ("02", "restore"): "01",
    ("01", "revoke"): "03",
    ("02", "revoke"): "03",
    ("01", "cancel"): "04",
    ("02", "cancel"): "04",
    ("01", "expire"): "05",
    ("01", "supersede"): "05",
    ("01", "transfer_out"): "06",
    ("01", "revoke_penalty"): "07",
    ("02", "revoke_penalty"): "07",
}
# How a valid licence reaches each other state through the services (99 其他 has no act leading to it).
REACHED_BY = {
    "02": "suspend",
    "03": "revoke",
    "04": "cancel",
    "05": "expire",
    "06": "transfer_out",
    "07": "revoke_penalty",
}


def _lifecycle(act: str):
    return lambda licence, actor: services.licence_act(actor=actor, licence_id=licence.pk, act=act, reason="核查")


ACT_AS = {
    **{act: _lifecycle(act) for act in services.LIFECYCLE},
    "expire": lambda licence, actor: services.licence_expire(licence_id=licence.pk),
    "supersede": lambda licence, actor: services.licence_change(
        actor=actor, licence_id=licence.pk, data={"note": "更正备注"}, reason="信息变更"
    ),
}
# The issuer's posts (data scope is proven in test_services) and a citizen.
ROLES = ("issue", "approve", "accept", "review", "deliver", "citizen")


def licence_in(status: str) -> tuple[Licence, object]:
    licence = issued_licence()
    issuer = issuer_officer(licence.issuer)
    if status == OTHER:
        Licence.objects.filter(pk=licence.pk).update(status=OTHER)
    elif status in REACHED_BY:
        ACT_AS[REACHED_BY[status]](licence, issuer)
    return Licence.objects.get(pk=licence.pk), issuer


def _person_in(role: str, licence: Licence):
    if role == "citizen":
        return applicant()
    return issuer_officer(licence.issuer, posts=(role,))


def _do(licence: Licence, act: str, issuer):
    transition = FLOW.table.get((licence.status, act))
    by_system = transition is not None and transition.actor == SYSTEM
    return ACT_AS[act](licence, None if by_system else issuer)


def test_the_table_is_exactly_the_documented_one():
    assert {pair: t.target for pair, t in FLOW.table.items()} == EXPECTED


def test_every_act_has_a_way_to_do_it():
    assert set(ACT_AS) == set(FLOW.acts)


@pytest.mark.parametrize(("status", "act"), proof.allowed_params(FLOW))
def test_allowed_transition_lands_where_the_table_says(status, act):
    licence, issuer = licence_in(status)
    _do(licence, act, issuer)
    licence.refresh_from_db()
    assert licence.status == FLOW.table[(status, act)].target
    assert licence.history.filter(act=act).exists()


@pytest.mark.parametrize(("status", "act"), proof.forbidden_params(FLOW))
def test_forbidden_transition_is_refused_and_changes_nothing(status, act):
    licence, issuer = licence_in(status)
    before = (licence.status, licence.history.count(), Licence.objects.count())
    with pytest.raises(Conflict) as refused:
        _do(licence, act, issuer)
    assert refused.value.code == "licence_transition_forbidden"
    assert refused.value.message == f"证照当前状态为“{FLOW.state_label(status)}”，不能{FLOW.act_label(act)}。"
    licence.refresh_from_db()
    assert (licence.status, licence.history.count(), Licence.objects.count()) == before


@pytest.mark.parametrize(("status", "act"), proof.by_person_params(FLOW))
def test_exactly_the_issuing_posts_of_the_issuer_may_act(subtests, status, act):
    licence, _ = licence_in(status)
    people = {role: _person_in(role, licence) for role in ROLES}
    proof.assert_roles_admitted(subtests, FLOW, status, act, ROLES, lambda role: ACT_AS[act](licence, people[role]))


def test_the_expiry_sweep_is_the_only_way_to_expire():
    assert [act for (_, act), t in FLOW.table.items() if t.actor == SYSTEM] == ["expire"]
    assert "expire" not in workflow.acts_from("01")


def test_ended_states_offer_no_act_and_supersession_is_never_a_button():
    for status in ("03", "04", "05", "06", "07", "99"):
        assert workflow.acts_from(status) == []
    assert "supersede" not in workflow.acts_from("01")


def test_an_issuing_post_outside_the_issuers_scope_is_refused():
    licence, _ = licence_in("01")
    outsider = StaffFactory(department=DepartmentFactory(), posts=["issue"], scope_all_departments=False).user
    with pytest.raises(PermissionDenied) as refused:
        services.licence_suspend(actor=outsider, licence_id=licence.pk, reason="核查")
    assert refused.value.code == "licence_not_your_department"
    assert Licence.objects.get(pk=licence.pk).status == "01"
