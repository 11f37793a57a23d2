"""The workflow kernel: a table that names an unknown state, act or no posts is refused when it is
declared; the check refuses with the workflow's own words; the roles and buttons follow the table."""

import pytest

from tongban.core.errors import Conflict
from tongban.core.workflow import POSTS, STEP, SYSTEM, Workflow, move

STATES = {"open": "待办", "done": "已办", "gone": "已撤回"}
ACTS = {"finish": "办结", "drop": "撤回", "lapse": "逾期"}


def flow(table, **kwargs) -> Workflow:
    return Workflow(
        states=STATES, acts=ACTS, table=table, refusal="当前为“{state}”，不能{act}。", refusal_code="x", **kwargs
    )


FLOW = flow(
    {
        ("open", "finish"): move("done", actor=STEP),
        ("open", "drop"): move("gone", actor="owner", posts=("window",)),
        ("open", "lapse"): move("gone", actor=SYSTEM),
    },
    ended=frozenset({"done", "gone"}),
    ended_hint="请刷新页面。",
)


@pytest.mark.parametrize(
    "table",
    [
        {("shut", "finish"): move("done", actor=SYSTEM)},
        {("open", "fly"): move("done", actor=SYSTEM)},
        {("open", "finish"): move("nowhere", actor=SYSTEM)},
        {("open", "finish"): move("done", actor=POSTS)},
    ],
)
def test_a_table_naming_what_does_not_exist_is_refused_when_declared(table):
    with pytest.raises(ValueError, match="workflow row"):
        flow(table)


def test_the_refusal_names_the_state_and_the_act_and_hints_at_a_stale_page_once_ended():
    with pytest.raises(Conflict) as refused:
        FLOW.check("done", "drop")
    assert (refused.value.message, refused.value.code) == ("当前为“已办”，不能撤回。请刷新页面。", "x")


def test_roles_are_the_actor_kind_its_posts_or_the_current_steps_post():
    finish, drop = FLOW.check("open", "finish"), FLOW.check("open", "drop")
    assert finish.admits("review", step_post="review") and not finish.admits("review", step_post="approve")
    assert not finish.admits("", step_post="")
    assert drop.admits("owner") and drop.admits("window") and not drop.admits("review")


def test_buttons_are_the_acts_a_person_may_do_from_the_state():
    assert FLOW.acts_from("open") == ["finish", "drop"]
    assert FLOW.acts_from("open", role="window") == ["drop"]
    assert FLOW.acts_from("done") == []
    assert sorted(FLOW.forbidden())[:2] == [("done", "drop"), ("done", "finish")]
