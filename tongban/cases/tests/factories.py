"""Case factories: a published item fit for applications, the people who handle it, files that
pass the upload checks, and cases driven through the real services into any state."""

import io

from PIL import Image

from tongban.accounts.models import Mandate
from tongban.accounts.tests.factories import StaffFactory, UserFactory
from tongban.cases import services
from tongban.cases.models import Case
from tongban.catalog import services as catalog_services
from tongban.catalog.tests.factories import DEFAULT_STEPS, draft_item, standard_material
from tongban.org.tests.factories import DepartmentFactory

FORM_FIELDS = [
    {"order": 1, "key": "name", "label": "申请人姓名", "kind": "text", "prefill": "person.name"},
    {"order": 2, "key": "id_number", "label": "身份证号码", "kind": "id_number", "prefill": "person.id_number"},
    {"order": 3, "key": "shop_name", "label": "店铺名称", "kind": "text"},
    {"order": 4, "key": "has_agent", "label": "是否委托代理人", "kind": "boolean", "required": False},
]
MATERIALS = [
    {"standard": "居民身份证", "order": 1},
    {"standard": "经营场所证明", "order": 2},
    {
        "standard": "授权委托书",
        "order": 3,
        "required": False,
        "condition": "委托代理人办理的",
        "condition_rule": {"field": "has_agent", "truthy": True},
    },
]
ANSWERS = {"shop_name": "老街面馆"}


def case_item(department=None, *, steps=DEFAULT_STEPS, materials=MATERIALS, **overrides):
    """A published item with a form, two required materials, one conditional, and the default flow."""
    department = department or DepartmentFactory()
    version = draft_item(department, **overrides)
    catalog_services.version_parts_replace(
        actor=None,
        version_id=version.pk,
        steps=steps,
        form_fields=FORM_FIELDS,
        materials=[{**row, "standard": standard_material(row["standard"])} for row in materials],
        special_procedures=[{"kind": "inspection", "limit_days": 5, "note": "现场核查经营场所"}],
    )
    return catalog_services.version_publish(actor=None, version_id=version.pk)


def officer(department, *posts: str, **kwargs):
    """A staff member of `department` holding `posts`, scoped to the department's region."""
    return StaffFactory(department=department, scope_region=department.region, posts=list(posts), **kwargs).user


def pdf_bytes(pages: int = 1) -> bytes:
    buffer = io.BytesIO()
    images = [Image.new("RGB", (200, 280), "white") for _ in range(pages)]
    images[0].save(buffer, format="PDF", save_all=True, append_images=images[1:])
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(buffer, format="PNG")
    return buffer.getvalue()


def applicant():
    return UserFactory()


def draft_case(version, user=None, answers=ANSWERS, *, upload: bool = True, legal_person=None) -> Case:
    """A draft filled and with its files; `legal_person`: applied for by its representative."""
    user = user or applicant()
    if legal_person is not None:
        Mandate.objects.create(
            person=user.person, legal_person=legal_person, role=Mandate.REPRESENTATIVE, status=Mandate.ACTIVE
        )
    legal_person_id = legal_person.pk if legal_person is not None else None
    case = services.case_draft_start(actor=user, item_id=version.item_id, legal_person_id=legal_person_id)
    case.refresh_from_db()
    prefill = {"name": user.person.real_name, "id_number": user.person.id_number}
    services.case_draft_save(
        actor=user, case_id=case.pk, answers={**prefill, **answers}, eligibility={"confirmed": True}
    )
    for material in case.materials.filter(required=True) if upload else ():
        services.case_file_add(
            actor=user, case_id=case.pk, material_id=material.pk, name="证明.pdf", content=pdf_bytes()
        )
    return case


def submitted_case(version, user=None) -> Case:
    case = draft_case(version, user)
    return services.case_submit(actor=case.filed_by, case_id=case.pk)


class Crew:
    """One officer per post in the item's department: who moves a case along the default flow."""

    def __init__(self, department):
        self.department = department
        self.accept = officer(department, "accept")
        self.review = officer(department, "review")
        self.approve = officer(department, "approve")
        self.issue = officer(department, "issue")
        self.deliver = officer(department, "deliver")


def case_in(status: str, version=None, crew: Crew | None = None, *, legal_person=None) -> tuple[Case, Crew]:
    """A case driven through the services into `status` (any state of the workflow)."""
    version = version or case_item()
    crew = crew or Crew(version.item.department)
    case = draft_case(version, legal_person=legal_person)
    if status == Case.DRAFT:
        return case, crew
    case = services.case_submit(actor=case.filed_by, case_id=case.pk)
    steps = {
        Case.RECEIVED: [],
        Case.REFUSED: [
            lambda c: services.case_refuse(
                actor=crew.accept, case_id=c.pk, reason="不属于本部门职权", legal_basis="《行政许可法》第三十二条"
            )
        ],
        Case.CORRECTION: [
            lambda c: services.case_correction_request(
                actor=crew.accept,
                case_id=c.pk,
                items=[services.CorrectionItem(reason="照片模糊", material_id=c.materials.first().pk)],
            )
        ],
        Case.WITHDRAWN: [lambda c: services.case_withdraw(actor=c.filed_by, case_id=c.pk)],
    }
    if status in steps:
        for act in steps[status]:
            act(case)
        return _fresh(case), crew
    case = services.case_accept(actor=crew.accept, case_id=case.pk)
    if status == Case.HANDLING:
        return _fresh(case), crew
    if status == Case.SPECIAL:
        services.case_special_start(actor=crew.review, case_id=case.pk, kind="inspection")
        return _fresh(case), crew
    services.case_step_approve(actor=crew.review, case_id=case.pk, opinion="材料齐全，符合条件")
    decision = "not_approved" if status == Case.NOT_APPROVED else "approved"
    services.case_decide(
        actor=crew.approve,
        case_id=case.pk,
        decision=decision,
        opinion="同意" if decision == "approved" else "不符合条件",
    )
    if status in (Case.APPROVED, Case.NOT_APPROVED):
        return _fresh(case), crew
    services.case_result_issue(actor=crew.issue, case_id=case.pk)
    if status == Case.COMPLETED:
        return _fresh(case), crew
    services.case_deliver(actor=crew.deliver, case_id=case.pk, method="window")
    if status == Case.DELIVERED:
        return _fresh(case), crew
    assert status == Case.REVOKED, status
    services.case_revoke(
        actor=crew.approve, case_id=case.pk, legal_basis="《行政许可法》第六十九条", reason="以欺骗手段取得"
    )
    return _fresh(case), crew


def _fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)
