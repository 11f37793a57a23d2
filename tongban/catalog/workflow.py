"""States of an item version and the allowed transitions (one table)."""

from tongban.catalog.models import ItemVersion
from tongban.core.errors import Conflict

DRAFT, PUBLISHED, SUPERSEDED, WITHDRAWN = (
    ItemVersion.DRAFT,
    ItemVersion.PUBLISHED,
    ItemVersion.SUPERSEDED,
    ItemVersion.WITHDRAWN,
)

TRANSITIONS: dict[tuple[str, str], str] = {
    (DRAFT, "publish"): PUBLISHED,
    (PUBLISHED, "supersede"): SUPERSEDED,
    (PUBLISHED, "withdraw"): WITHDRAWN,
}

ACT_NAMES = {"publish": "发布", "supersede": "替代", "withdraw": "撤销"}


def version_next_status(version: ItemVersion, act: str) -> str:
    """The status `act` leads to from the version's status, or a Conflict saying why not."""
    target = TRANSITIONS.get((version.status, act))
    if target is None:
        raise Conflict(
            f"“{version.get_status_display()}”状态的版本不能{ACT_NAMES.get(act, act)}。",
            code="version_transition_refused",
        )
    return target
