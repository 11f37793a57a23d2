"""Who may act on a case: the applicant's side (the applicant, whoever filed for them, a person
acting for the applicant enterprise) and staff holding the right post with the case's office in
their data scope. One place for the rule; services enforce it, pages ask it which buttons to show."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from tongban.accounts import selectors as accounts
from tongban.accounts.types import Actor
from tongban.cases import workflow
from tongban.cases.models import Case
from tongban.core.errors import Conflict, NotFound, PermissionDenied
from tongban.core.workflow import Transition


def is_applicant_side(actor: Actor, case: Case) -> bool:
    if actor is None or not actor.is_authenticated:
        return False
    if actor.pk == case.filed_by_id or (actor.person_id and actor.person_id == case.person_id):
        return True
    return bool(
        case.legal_person_id and actor.person_id and accounts.person_acts_for(actor.person_id, case.legal_person_id)
    )


def staff_may(actor: Actor, case: Case, posts: Iterable[str]) -> bool:
    staff = accounts.staff_of(actor)
    if staff is None or not accounts.staff_scope(actor).covers_department(case.office_id, case.region_code):
        return False
    return any(accounts.staff_has_post(actor, post) for post in posts)


def authorise(actor: Actor, case: Case, transition: Transition) -> None:
    if transition.actor == workflow.SYSTEM:
        if actor is not None:
            raise PermissionDenied(_("该操作由系统按期限自动执行。"), code="case_system_only")
        return
    if actor is None:
        raise PermissionDenied(_("请先登录。"), code="login_required")
    if transition.actor == workflow.APPLICANT:
        # The applicant acts online; a front-desk clerk in scope may act for them at the window.
        if is_applicant_side(actor, case) or staff_may(actor, case, transition.posts):
            return
        raise NotFound(_("未找到该办件。"), code="case_not_found")
    posts = (case.step_post,) if transition.actor == workflow.STEP else transition.posts
    if not staff_may(actor, case, posts):
        raise PermissionDenied(_("您没有办理该环节的岗位权限，或该办件不在您的数据范围内。"), code="case_not_your_step")
    if case.claimed_by_id and case.claimed_by_id != actor.pk:
        raise Conflict(_("该办件已由其他工作人员认领，请先由其释放。"), code="case_claimed")
