"""The life of an item version, proven through the services: every allowed pair lands where the
table says, every other pair is refused and changes nothing, and only catalogue administrators act."""

import pytest

from tongban.accounts.tests.factories import StaffFactory
from tongban.cases.tests.factories import applicant
from tongban.catalog import services, workflow
from tongban.catalog.models import ItemVersion
from tongban.catalog.tests.factories import draft_item, published_item
from tongban.core.errors import Conflict
from tongban.core.tests import workflow_proof as proof

pytestmark = pytest.mark.django_db

FLOW = workflow.WORKFLOW


def _supersede(version: ItemVersion, actor) -> object:
    """A version is superseded by publishing its item's next draft; only the current one can be."""
    if not ItemVersion.objects.filter(pk=version.pk, item__current_id=version.pk).exists():
        return workflow.version_next_status(version, "supersede")  # no service reaches it: the table refuses
    draft = services.version_draft_new(actor=None, item_id=version.item_id)
    return services.version_publish(actor=actor, version_id=draft.pk)


ACT_AS = {
    "publish": lambda version, actor: services.version_publish(actor=actor, version_id=version.pk),
    "supersede": _supersede,
    "withdraw": lambda version, actor: services.version_withdraw(actor=actor, version_id=version.pk, reason="职能调整"),
}
REACHED_BY = {workflow.SUPERSEDED: "supersede", workflow.WITHDRAWN: "withdraw"}
ROLES = (workflow.CATALOGUE_ADMIN, "accept", "approve", "data", "citizen")


def version_in(status: str) -> ItemVersion:
    version = draft_item() if status == workflow.DRAFT else published_item()
    if status in REACHED_BY:
        ACT_AS[REACHED_BY[status]](version, None)
    return ItemVersion.objects.select_related("item").get(pk=version.pk)


def _person_in(role: str, version: ItemVersion):
    if role == "citizen":
        return applicant()
    return StaffFactory(department=version.item.department, posts=[role]).user


def test_every_act_has_a_way_to_do_it():
    assert set(ACT_AS) == set(FLOW.acts)


@pytest.mark.parametrize(("status", "act"), proof.allowed_params(FLOW))
def test_allowed_transition_lands_where_the_table_says(status, act):
    version = version_in(status)
    ACT_AS[act](version, None)
    version.refresh_from_db()
    assert version.status == FLOW.table[(status, act)].target


@pytest.mark.parametrize(("status", "act"), proof.forbidden_params(FLOW))
def test_forbidden_transition_is_refused_and_changes_nothing(status, act):
    version = version_in(status)
    before = (version.status, version.retired_at, ItemVersion.objects.count())
    with pytest.raises(Conflict) as refused:
        ACT_AS[act](version, None)
    assert refused.value.code == "version_transition_refused"
    assert refused.value.message == f"“{FLOW.state_label(status)}”状态的版本不能{FLOW.act_label(act)}。"
    version.refresh_from_db()
    assert (version.status, version.retired_at, ItemVersion.objects.count()) == before


@pytest.mark.parametrize(("status", "act"), proof.by_person_params(FLOW))
def test_exactly_the_catalogue_administrators_may_act(subtests, status, act):
    version = version_in(status)
    people = {role: _person_in(role, version) for role in ROLES}
    proof.assert_roles_admitted(subtests, FLOW, status, act, ROLES, lambda role: ACT_AS[act](version, people[role]))


def test_superseded_and_withdrawn_versions_have_no_way_out():
    assert FLOW.acts_from(workflow.SUPERSEDED) == FLOW.acts_from(workflow.WITHDRAWN) == []
