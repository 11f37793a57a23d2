import pytest

from tongban.core.errors import Conflict
from tongban.licences import workflow
from tongban.licences.models import STATUS_CHOICES

ALL_STATUSES = [code for code, _ in STATUS_CHOICES]
ALL_ACTS = sorted({act for _, act in workflow.TRANSITIONS})

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


def test_the_table_is_exactly_the_documented_one():
    assert {pair: t.target for pair, t in workflow.TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize(("pair", "target"), sorted(EXPECTED.items()))
def test_every_allowed_pair(pair, target):
    assert workflow.transition_check(*pair).target == target


@pytest.mark.parametrize("pair", [(s, a) for s in ALL_STATUSES for a in ALL_ACTS if (s, a) not in EXPECTED])
def test_every_forbidden_pair_is_refused(pair):
    with pytest.raises(Conflict) as refused:
        workflow.transition_check(*pair)
    assert refused.value.code == "licence_transition_forbidden"
    assert "不能" in refused.value.message


def test_ended_states_have_no_way_out():
    for status in ("03", "04", "05", "06", "07", "99"):
        assert workflow.acts_from(status) == []


def test_only_the_system_expires():
    assert workflow.TRANSITIONS[("01", "expire")].actor == workflow.SYSTEM
    assert "expire" not in workflow.acts_from("01")
