"""Who may act on licences: staff holding an issuing post (办结/发证 or 审批) whose data scope covers
the issuing department; holders see their own licences and those of the legal persons they act for."""

from django.utils.translation import gettext as _

from tongban.accounts import selectors as accounts
from tongban.accounts.types import Actor
from tongban.core.errors import PermissionDenied
from tongban.licences.workflow import ISSUING_POSTS


def staff_may_issue(actor: Actor, *, department_id: int, region_code: str) -> bool:
    if actor is None or accounts.staff_of(actor) is None:
        return False
    if not accounts.staff_scope(actor).covers_department(department_id, region_code):
        return False
    return any(accounts.staff_has_post(actor, post) for post in ISSUING_POSTS)


def require_issuer_staff(actor: Actor, *, department_id: int, region_code: str) -> None:
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("请先登录。"), code="login_required")
    if not staff_may_issue(actor, department_id=department_id, region_code=region_code):
        raise PermissionDenied(
            _("您没有发证或审批岗位权限，或该颁发机构不在您的数据范围内。"), code="licence_not_your_department"
        )


def is_holder_side(actor: Actor, *, holder_person_id: int | None, holder_legal_person_id: int | None) -> bool:
    if actor is None or not actor.is_authenticated or not actor.person_id:
        return False
    if holder_person_id:
        return holder_person_id == actor.person_id
    return bool(holder_legal_person_id) and accounts.person_acts_for(actor.person_id, holder_legal_person_id)
