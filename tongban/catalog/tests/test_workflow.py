"""Every allowed transition of an item version works; every other pair is refused."""

import pytest

from tongban.catalog import workflow
from tongban.catalog.models import ItemVersion
from tongban.core.errors import Conflict

ACTS = ("publish", "supersede", "withdraw")
STATUSES = [status for status, _ in ItemVersion.STATUSES]


@pytest.mark.parametrize(("status", "act"), [(s, a) for s in STATUSES for a in ACTS])
def test_transition_table(status, act):
    version = ItemVersion(status=status)
    expected = workflow.TRANSITIONS.get((status, act))
    if expected is None:
        with pytest.raises(Conflict):
            workflow.version_next_status(version, act)
    else:
        assert workflow.version_next_status(version, act) == expected


def test_terminal_states_have_no_way_out():
    assert not [key for key in workflow.TRANSITIONS if key[0] in {ItemVersion.SUPERSEDED, ItemVersion.WITHDRAWN}]
