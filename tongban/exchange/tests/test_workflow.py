"""Every pair of (state, act) of an access request: the allowed ones succeed and land where the
table says; the forbidden ones are refused with a reason and change nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from tongban.cases.tests.factories import officer
from tongban.core.errors import Conflict
from tongban.core.models import AuditEntry
from tongban.core.tests.racing import POSTGRES_ONLY, run_together, seeded_rows_restored  # noqa: F401 - fixture
from tongban.exchange import access, workflow
from tongban.exchange.models import AccessRequest, DataResource, Grant
from tongban.exchange.tests.factories import resource_with_fields
from tongban.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

STATES = [status for status, _ in AccessRequest.STATUSES]
ACTS = list(workflow.ACTS)


class Parties:
    def __init__(self):
        self.provider, self.consumer = DepartmentFactory(), DepartmentFactory()
        self.resource = resource_with_fields(provider=self.provider)
        self.requester, self.decider = officer(self.consumer, "data"), officer(self.provider, "data")


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


DO = {
    "approve": lambda r, p: access.access_approve(actor=p.decider, request_id=r.pk),
    "refuse": lambda r, p: access.access_refuse(actor=p.decider, request_id=r.pk, reason="用途与职责不符"),
    "withdraw": lambda r, p: access.access_withdraw(actor=p.requester, request_id=r.pk),
}


def test_every_act_has_a_way_to_do_it():
    assert set(DO) == set(ACTS)


def test_new_requests_start_where_the_sharing_type_says():
    assert workflow.INITIAL == {
        DataResource.UNCONDITIONAL: workflow.APPROVED,
        DataResource.CONDITIONAL: workflow.PENDING,
    }


ALLOWED = sorted(workflow.TRANSITIONS)
FORBIDDEN = [(s, a) for s in STATES for a in ACTS if (s, a) not in workflow.TRANSITIONS]


@pytest.mark.parametrize(("status", "act"), ALLOWED, ids=[f"{s}-{a}" for s, a in ALLOWED])
def test_allowed_transition_lands_where_the_table_says(status, act):
    request, parties = request_in(status)
    DO[act](request, parties)
    request.refresh_from_db()
    assert request.status == workflow.TRANSITIONS[(status, act)].target
    assert AuditEntry.objects.filter(action=f"exchange.access_{act}", object_id=str(request.pk)).exists()
    assert Grant.objects.filter(request=request).exists() == (act == "approve")


@pytest.mark.parametrize(("status", "act"), FORBIDDEN, ids=[f"{s}-{a}" for s, a in FORBIDDEN])
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


def test_transition_check_names_the_state_and_the_act():
    request, _ = request_in(workflow.REFUSED)
    with pytest.raises(Conflict) as refused:
        workflow.transition_check(request, "approve")
    assert refused.value.message.startswith("共享申请当前为“已拒绝”，不能批准。")


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
