"""Proving a workflow (core/workflow.py) through a context's real services.

A context's test_workflow.py parametrises over these and gives, per act, a way to do it:
- every allowed pair lands in a state the table allows;
- every forbidden pair is refused with the workflow's own refusal and changes nothing;
- every (allowed pair, role) is admitted exactly when the table's actor and posts columns say so.
The role checks share one subject per pair: each try runs in a savepoint that is rolled back.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial

import pytest
from django.db import transaction

from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.core.workflow import SYSTEM, Workflow

DONE = "done"


def allowed_params(flow: Workflow) -> list:
    return [pytest.param(state, act, id=f"{state}-{act}") for state, act in flow.allowed()]


def forbidden_params(flow: Workflow) -> list:
    return [pytest.param(state, act, id=f"{state}-{act}") for state, act in flow.forbidden()]


def by_person_params(flow: Workflow) -> list:
    """The allowed pairs a person does (the system's are done by sweeps that take no actor)."""
    return [
        pytest.param(state, act, id=f"{state}-{act}")
        for (state, act), transition in flow.table.items()
        if transition.actor != SYSTEM
    ]


class _Undo(Exception):
    pass


@contextmanager
def undone() -> Iterator[None]:
    """Run the block in a savepoint and roll it back, so that one subject serves every try."""
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass


def outcome(attempt: Callable[[], object]) -> str | TongbanError:
    """DONE, or the refusal the services raised."""
    try:
        attempt()
    except TongbanError as refused:
        return refused
    return DONE


def assert_roles_admitted(
    subtests,
    flow: Workflow,
    state: str,
    act: str,
    roles: Iterable[str],
    attempt_as: Callable[[str], object],
    *,
    step_post: str = "",
) -> None:
    """Each role tries the act on the same subject (rolled back after each try): the services let
    it through exactly when the table admits the role, and refuse the others as unauthorised (not
    for some other reason that would hide a wrong column)."""
    transition = flow.table[(state, act)]
    for role in roles:
        with subtests.test(role=role), undone():
            result = outcome(partial(attempt_as, role))
            if transition.admits(role, step_post=step_post):
                assert result == DONE, f"{role} may {act} from {state} but was refused: {result!r}"
            else:
                assert isinstance(result, PermissionDenied | NotFound), (
                    f"{role} must not {act} from {state}: {result!r}"
                )
