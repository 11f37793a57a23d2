"""The one shape of every stateful aggregate (a case, an access request, a licence, an item
version, and each context still to come): a table of (state, act) → Transition, the one check that
refuses an illegal act with a reason a person understands, and who may do each act.

A context declares its `Workflow` once in its `workflow.py`. Its services lock the row, ask
`check`, authorise the actor against the transition (`admits` says which roles the table lets
act; the context knows who holds a role), and only then write. Pages ask `acts_from` which buttons
to show. `core/tests/workflow_proof.py` proves every pair through the real services.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.functional import Promise

from tongban.core.errors import Conflict

# Actor kinds every context shares; a context adds its own (the applicant, the provider …).
SYSTEM = "system"  # the periodic sweep or the platform itself, never a person
POSTS = "posts"  # staff holding one of the transition's posts
STEP = "step"  # staff holding the post of the subject's current step (multi-step flows)

Label = str | Promise


@dataclass(frozen=True)
class Transition:
    """Where an act may lead from one state, and who may do it. `posts` are the staff posts that
    may act: the only ones for POSTS, and for a person's own act (an applicant's), the staff who
    may act for them at a window."""

    targets: frozenset[str]
    actor: str
    posts: tuple[str, ...] = ()

    @property
    def target(self) -> str:
        """The one state an act with a single target leads to."""
        (only,) = self.targets
        return only

    def admits(self, role: str, *, step_post: str = "") -> bool:
        """Whether the table lets someone in `role` (an actor kind or a post code) do the act;
        `step_post` is the post of the subject's current step, for STEP acts."""
        return role == self.actor or role in self.posts or (self.actor == STEP and role == step_post != "")


def move(*targets: str, actor: str, posts: tuple[str, ...] = ()) -> Transition:
    """A table row: `move(APPROVED, actor=POSTS, posts=("approve",))`."""
    return Transition(frozenset(targets), actor, posts)


@dataclass(frozen=True)
class Workflow:
    """One aggregate's states, acts and transition table, with the refusal it gives.

    `refusal` is a message with {state} and {act} in it, written in Chinese as every service
    message is; `ended` are the states whose refusal adds `ended_hint` (the person is probably
    looking at a stale page)."""

    states: Mapping[str, Label]
    acts: Mapping[str, Label]
    table: Mapping[tuple[str, str], Transition]
    refusal: str
    refusal_code: str
    ended: frozenset[str] = field(default_factory=frozenset)
    ended_hint: str = ""

    def __post_init__(self) -> None:
        for (state, act), transition in self.table.items():
            unknown = {state, *transition.targets} - set(self.states)
            if unknown or act not in self.acts:
                raise ValueError(f"workflow row ({state}, {act}) names an unknown state or act: {unknown or act}")
            if transition.actor == POSTS and not transition.posts:
                raise ValueError(f"workflow row ({state}, {act}) is for staff posts but names none")

    def check(self, state: str, act: str) -> Transition:
        """The row for this act from `state`, or a Conflict that names the state and the act."""
        transition = self.table.get((state, act))
        if transition is None:
            hint = self.ended_hint if state in self.ended else ""
            message = self.refusal.format(state=self.state_label(state), act=self.act_label(act))
            raise Conflict(message + hint, code=self.refusal_code)
        return transition

    def acts_from(self, state: str, *, role: str | None = None) -> list[str]:
        """The acts that may leave `state`, in table order: all but the system's, or those the
        table lets `role` do."""
        return [
            act
            for (source, act), transition in self.table.items()
            if source == state and (transition.admits(role) if role else transition.actor != SYSTEM)
        ]

    def posts_for(self, state: str, act: str) -> tuple[str, ...]:
        return self.check(state, act).posts

    def act_label(self, act: str) -> str:
        """The act's Chinese name, for messages services raise whatever the page's language."""
        with translation.override("zh-hans"):
            return str(self.acts.get(act, act))

    def state_label(self, state: str) -> str:
        with translation.override("zh-hans"):
            return str(self.states.get(state, state))

    def allowed(self) -> Iterator[tuple[str, str]]:
        yield from self.table

    def forbidden(self) -> Iterator[tuple[str, str]]:
        """Every (state, act) pair the table does not allow."""
        for state in self.states:
            for act in self.acts:
                if (state, act) not in self.table:
                    yield state, act
