"""Every pair of (state, act) of an access request: the allowed ones succeed and land where the
table says; the forbidden ones are refused with a reason and change nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from tongban.cases.tests.factories import officer
from tongban.core.errors import Conflict
from tongban.core.models import AuditEntry
from tongban.core.tests import workflow_proof as proof
from tongban.core.tests.racing import POSTGRES_ONLY, run_together, seeded_rows_restored  # noqa: F401 - fixture
from tongban.exchange import access, workflow
from tongban.exchange.models import AccessRequest, DataResource, Grant
from tongban.exchange.tests.factories import resource_with_fields
from tongban.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

FLOW = workflow.WORKFLOW


class Parties:
    def __init__(self):
        self.provider, self.consumer = DepartmentFactory(), DepartmentFactory()
        self.resource = resource_with_fields(provider=self.provider)
        self.requester, self.decider = officer(self.consumer, "data"), officer(self.provider, "data")

    def person_in(self, role: str):
        """provider / consumer: the data officer of that side; other_post: staff of the provider
        without the data post; elsewhere: a data officer of a third department."""
        return {
            workflow.PROVIDER: self.decider,
            workflow.CONSUMER: self.requester,
            "other_post": officer(self.provider, "approve"),
            "elsewhere": officer(DepartmentFactory(), "data"),
        }[role]


def request_in(status: str) -> tuple[AccessRequest, Parties]:
    """A request brought to `status` through the services."""
    parties = Parties()
    today = timezone.localdate()
    request = access.access_request(
        actor=parties.requester,
        resource_code=parties.resource.code,
        fields=["name", "status"],
        purpose="核验婚姻状况",
        legal_basis="《婚姻登记条例》",
        valid_from=today,
        valid_until=today + dt.timedelta(days=30),
        daily_volume=10,
    )
    if status != workflow.PENDING:
        DO[{"approved": "approve", "refused": "refuse", "withdrawn": "withdraw"}[status]](request, parties)
    return AccessRequest.objects.get(pk=request.pk), parties


ACT_AS = {
    "approve": lambda r, actor: access.access_approve(actor=actor, request_id=r.pk),
    "refuse": lambda r, actor: access.access_refuse(actor=actor, request_id=r.pk, reason="用途与职责不符"),
    "withdraw": lambda r, actor: access.access_withdraw(actor=actor, request_id=r.pk),
}
ROLES = (workflow.PROVIDER, workflow.CONSUMER, "other_post", "elsewhere")


def _by_their_side(act: str):
    return lambda r, p: ACT_AS[act](r, p.decider if act in ("approve", "refuse") else p.requester)


DO = {act: _by_their_side(act) for act in ACT_AS}


def test_every_act_has_a_way_to_do_it():
    assert set(DO) == set(FLOW.acts)


def test_new_requests_start_where_the_sharing_type_says():
    assert workflow.INITIAL == {
        DataResource.UNCONDITIONAL: workflow.APPROVED,
        DataResource.CONDITIONAL: workflow.PENDING,
    }


@pytest.mark.parametrize(("status", "act"), proof.allowed_params(FLOW))
def test_allowed_transition_lands_where_the_table_says(status, act):
    request, parties = request_in(status)
    DO[act](request, parties)
    request.refresh_from_db()
    assert request.status == FLOW.table[(status, act)].target
    assert AuditEntry.objects.filter(action=f"exchange.access_{act}", object_id=str(request.pk)).exists()
    assert Grant.objects.filter(request=request).exists() == (act == "approve")


@pytest.mark.parametrize(("status", "act"), proof.forbidden_params(FLOW))
def test_forbidden_transition_is_refused_and_changes_nothing(status, act):
    request, parties = request_in(status)
    before = (request.status, request.decided_at, request.reason, Grant.objects.count(), AuditEntry.objects.count())
    with pytest.raises(Conflict) as refused:
        DO[act](request, parties)
    assert refused.value.code == "access_transition_refused"
    assert "不能" in refused.value.message
    request.refresh_from_db()
    after = (request.status, request.decided_at, request.reason, Grant.objects.count(), AuditEntry.objects.count())
    assert after == before


@pytest.mark.parametrize(("status", "act"), proof.by_person_params(FLOW))
def test_exactly_the_side_the_table_names_may_act(subtests, status, act):
    request, parties = request_in(status)
    people = {role: parties.person_in(role) for role in ROLES}
    proof.assert_roles_admitted(subtests, FLOW, status, act, ROLES, lambda role: ACT_AS[act](request, people[role]))


def test_the_refusal_names_the_state_and_the_act_and_says_the_page_is_stale():
    request, _ = request_in(workflow.REFUSED)
    with pytest.raises(Conflict) as refused:
        FLOW.check(request.status, "approve")
    assert refused.value.message == "共享申请当前为“已拒绝”，不能批准。该申请已有处理结果，请刷新页面查看。"


# ---------------------------------------------------------------- racing deciders (PostgreSQL)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@POSTGRES_ONLY
@pytest.mark.usefixtures("seeded_rows_restored")
def test_racing_decisions_leave_exactly_one():
    request, parties = request_in(workflow.PENDING)
    acts = ["approve", "refuse", "withdraw", "approve"]
    results = run_together(lambda index: DO[acts[index]](request, parties), len(acts))
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(refused) == len(acts) - 1, results
    request.refresh_from_db()
    assert request.status in (workflow.APPROVED, workflow.REFUSED, workflow.WITHDRAWN)
    assert Grant.objects.filter(request=request).count() == (request.status == workflow.APPROVED)
    assert (
        AuditEntry.objects.filter(
            object_id=str(request.pk),
            action__in=["exchange.access_approve", "exchange.access_refuse", "exchange.access_withdraw"],
        ).count()
        == 1
    )
