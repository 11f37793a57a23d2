"""States of an item version and the allowed transitions (one table). Only catalogue
administrators (post 系统管理) act, or the platform itself when it seeds and imports."""

from tongban.catalog.models import ItemVersion
from tongban.core.workflow import POSTS, Workflow, move

DRAFT, PUBLISHED, SUPERSEDED, WITHDRAWN = (
    ItemVersion.DRAFT,
    ItemVersion.PUBLISHED,
    ItemVersion.SUPERSEDED,
    ItemVersion.WITHDRAWN,
)
CATALOGUE_ADMIN = "admin"

WORKFLOW = Workflow(
    states=dict(ItemVersion.STATUSES),
    acts={"publish": "发布", "supersede": "替代", "withdraw": "撤销"},
    table={
        (DRAFT, "publish"): move(PUBLISHED, actor=POSTS, posts=(CATALOGUE_ADMIN,)),
        (PUBLISHED, "supersede"): move(SUPERSEDED, actor=POSTS, posts=(CATALOGUE_ADMIN,)),
        (PUBLISHED, "withdraw"): move(WITHDRAWN, actor=POSTS, posts=(CATALOGUE_ADMIN,)),
    },
    refusal="“{state}”状态的版本不能{act}。",
    refusal_code="version_transition_refused",
)


def version_next_status(version: ItemVersion, act: str) -> str:
    """The status `act` leads to from the version's status, or a Conflict saying why not."""
    return WORKFLOW.check(version.status, act).target
