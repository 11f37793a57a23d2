"""The window and the village agent: find who applies and for what, then file the application
for them (form, materials, submission)."""

import json
from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tongban.accounts import selectors as accounts, services as accounts_services
from tongban.accounts.decorators import post_required, staff_required
from tongban.accounts.types import Actor
from tongban.cases import forms_workbench as forms, selectors, services, workflow
from tongban.cases.delivery_posted import delivery_keep
from tongban.cases.models import Case
from tongban.cases.uploads import upload_read
from tongban.cases.views_workbench.case import MASKED_KINDS, documents
from tongban.catalog import selectors as catalog
from tongban.catalog.selectors import form_prefill, form_spec
from tongban.core.errors import NotFound, PermissionDenied, TongbanError
from tongban.core.identifiers import REGION_PREFIX_LENGTH
from tongban.core.masking import mask


@dataclass(frozen=True)
class Applicant:
    who: str
    person: object
    legal_person: object | None = None

    @property
    def shown(self) -> str:
        person = f"{mask('name', self.person.real_name)}（{self.person.masked_id_number}）"
        return (
            f"{self.legal_person.name}（{self.legal_person.uscc}），{_('经办人')} {person}"
            if self.legal_person
            else person
        )

    def draft_start(self, actor: Actor, version, *, channel: str, consent: dict | None = None) -> Case:
        """A draft of the item for this applicant, filed by staff at the window or as an agent."""
        return services.case_draft_start(
            actor=actor,
            item_id=version.item_id,
            person_id=self.person.pk,
            legal_person_id=self.legal_person.pk if self.legal_person else None,
            channel=channel,
            consent=consent,
        )


def applicant_find(actor: Actor, who: str) -> Applicant | None:
    """The applicant by a full ID number (a person) or USCC (an enterprise, with its legal
    representative as the person), within the clerk's scope."""
    who = who.strip().upper()
    if len(who) != 18:
        return None
    person = next(iter(accounts.person_search(actor=actor, query=who).object_list), None)
    if person is not None:
        return Applicant(who, person)
    legal = next(
        (lp for lp in accounts.legal_person_search(actor=actor, query=who).object_list if lp.uscc == who), None
    )
    if legal is not None:
        return Applicant(who, legal.legal_representative, legal)
    return None


ITEM_CHOICES, ITEM_PAGES = 30, 10  # the catalogue is searched a page at a time, then kept to the clerk's area


def _items_for(request, applicant: Applicant | None, query: str, *, agent: bool) -> list:
    """Items the clerk may file: their department's region lies within the clerk's scope (for a
    village agent: the departments serving the agent's area, at or above it)."""
    if applicant is None:
        return []
    audience = "legal" if applicant.legal_person else "person"
    allowed = []
    for number in range(1, ITEM_PAGES + 1):
        page = catalog.item_search(query=query, audience=audience, page=number, page_size=100).page
        allowed += [v for v in page.object_list if _item_allowed(request, v, agent=agent)]
        if len(allowed) >= ITEM_CHOICES or not page.has_next():
            break
    return allowed[:ITEM_CHOICES]


def _item_allowed(request, version, *, agent: bool) -> bool:
    region_code = version.item.department.region_id
    scope = accounts.staff_scope(request.user)
    if scope.covers_region(region_code):
        return True
    if not agent:
        return False
    home = request.staff.scope_region_id
    return region_code in {home[:n].ljust(12, "0") for n in REGION_PREFIX_LENGTH.values()}


# The applicant found at the desk is kept in the session: a full ID number never travels in a URL
# (where logs, history and the Referer header would keep it).
DESK_APPLICANT = "desk_applicant"


def start_page(request, *, agent: bool):
    lookup = forms.ApplicantLookupForm(request.POST if request.method == "POST" else None)
    not_found = False
    if lookup.is_bound and lookup.is_valid():
        applicant = applicant_find(request.user, lookup.cleaned_data["who"])
        if applicant is not None:
            request.session[DESK_APPLICANT] = applicant.who
            return redirect(request.path)
        request.session.pop(DESK_APPLICANT, None)
        not_found = True
    applicant = _desk_applicant(request)
    query = request.GET.get("q", "").strip()
    context = {
        "agent": agent,
        "lookup": lookup,
        "applicant": applicant,
        # the full name of the person at the desk, to check against their card (audited)
        "identified_name": _identified(request, applicant, agent=agent) if applicant and not request.htmx else "",
        "not_found": not_found,
        "query": query,
        "items": _items_for(request, applicant, query, agent=agent),
        "recent": selectors.cases_of_applicant(actor=request.user).object_list,
        "drafts": selectors.cases_of_applicant(actor=request.user, drafts=True).object_list,
    }
    template = "cases/workbench/_item_choices.html" if request.htmx else "cases/workbench/filing_start.html"
    return render(request, template, context)


def _identified(request, applicant: Applicant, *, agent: bool) -> str:
    return accounts_services.person_identify(
        actor=request.user, person_id=applicant.person.pk, via="agent" if agent else "window"
    )


def _desk_applicant(request) -> Applicant | None:
    who = request.session.get(DESK_APPLICANT)
    return applicant_find(request.user, who) if who else None


def chosen(request, *, agent: bool) -> tuple[Applicant, object]:
    """The applicant found earlier and the item posted by the start page, checked again (scope,
    item region)."""
    applicant = _desk_applicant(request)
    if applicant is None:
        raise NotFound(_("未找到该申请人，或其不在您的数据范围内。"), code="person_not_found")
    item_id = request.POST.get("item_id", "")
    version = catalog.item_guide(int(item_id)) if item_id.isdigit() else None
    if version is None or not _item_allowed(request, version, agent=agent):
        raise NotFound(_("该事项不在您可以受理的范围内。"), code="item_not_found")
    return applicant, version


@staff_required
@post_required(*workflow.FRONT_DESK)
def window_start(request):
    """一窗受理: find the applicant, choose the item, start the draft."""
    if "item_id" not in request.POST:
        return start_page(request, agent=False)
    try:
        applicant, version = chosen(request, agent=False)
        case = applicant.draft_start(request.user, version, channel=Case.WINDOW)
    except TongbanError as error:
        messages.error(request, error.message)
        return redirect("caseswork:window_start")
    return redirect("caseswork:filing", case.pk)


def _draft_of(request, case_id: int) -> Case:
    """A case this staff member filed (window or agent); drafts are only ever the filer's."""
    return selectors.case_for_applicant(actor=request.user, case_id=case_id)


@staff_required
def filing(request, case_id: int):
    case = _draft_of(request, case_id)
    if case.status != Case.DRAFT:
        return redirect("caseswork:receipt", case.pk)
    if request.method != "POST":
        return _filing_page(request, case)
    try:
        _filing_keep(request, case)
    except TongbanError as error:
        return _filing_page(request, _draft_of(request, case_id), error=error, status=error.status)
    return _filing_finish(request, case)


def _filing_page(request, case: Case, *, error=None, status: int = 200):
    specs = form_spec(catalog.version_for_case(case.version_id))
    values = {**form_prefill(specs, person=case.person, legal_person=case.legal_person), **case.answers}
    known = _known_identifiers(specs, case)
    posted = request.POST if error else None
    context = {
        "case": case,
        "applicant_shown": case.applicant_shown,
        "fields": [_field_row(spec, values.get(spec.key), posted, known) for spec in specs],
        "materials": selectors.case_materials(case),
        "window": case.channel == Case.WINDOW,
        "may_mark_paper": case.channel == Case.WINDOW,
        "delivery_methods": [(code, dict(Case.DELIVERIES)[code]) for code in _version_methods(case)],
        "delivery_chosen": request.POST.get("delivery", case.delivery_choice),
        "delivery_address": request.POST.get("delivery_address", case.delivery_address),
        "error": error,
    }
    return render(request, "cases/workbench/filing.html", context, status=status)


def _known_identifiers(specs, case: Case) -> dict:
    """Identifiers the platform already holds for the applicant (ID number, phone …): shown
    masked and filled in by the server, never typed or shown in full."""
    known = form_prefill(specs, person=case.person, legal_person=case.legal_person)
    return {spec.key: known[spec.key] for spec in specs if spec.kind in MASKED_KINDS and known.get(spec.key)}


def _field_row(spec, value, posted, known: dict) -> dict:
    name = f"f_{spec.key}"
    if spec.key in known:
        return {"spec": spec, "name": name, "locked": mask(MASKED_KINDS[spec.kind], known[spec.key])}
    if posted is not None:
        value = forms.answers_from_post([spec], posted)[spec.key]
    if spec.kind == "table" and isinstance(value, list):
        value = "\n".join(json.dumps(row, ensure_ascii=False) for row in value)
    return {"spec": spec, "name": name, "value": value if value is not None else ""}


def _version_methods(case: Case) -> list[str]:
    return catalog.version_for_case(case.version_id).delivery_methods


def _filing_keep(request, case: Case) -> None:
    """Save what the clerk entered: the answers, paper originals checked, scans uploaded."""
    specs = form_spec(catalog.version_for_case(case.version_id))
    answers = {**forms.answers_from_post(specs, request.POST), **_known_identifiers(specs, case)}
    services.case_draft_save(actor=request.user, case_id=case.pk, answers=answers)
    delivery_keep(request, case)
    for material in selectors.case_materials(case):
        _material_keep(request, case, material)


def _material_keep(request, case: Case, material) -> None:
    if case.channel == Case.WINDOW and material.provided in ("", "paper"):
        checked = request.POST.get(f"paper_{material.pk}") == "on"
        if checked != (material.provided == "paper"):
            services.case_material_mark_paper(
                actor=request.user, case_id=case.pk, material_id=material.pk, checked=checked
            )
    upload = request.FILES.get(f"file_{material.pk}")
    if upload is not None:
        services.case_file_add(
            actor=request.user, case_id=case.pk, material_id=material.pk, name=upload.name, content=upload_read(upload)
        )


def _filing_finish(request, case: Case):
    action = request.POST.get("action", "save")
    if action == "save":
        messages.success(request, _("已保存。"))
        return redirect("caseswork:filing", case.pk)
    if action in ("submit_accept", "submit_correction") and case.channel != Case.WINDOW:
        raise PermissionDenied(_("只有窗口可以当场受理或告知补正。"), code="not_front_desk")
    try:
        if action == "submit_correction":
            return _submit_with_correction(request, case)
        case = services.case_submit(actor=request.user, case_id=case.pk)
    except TongbanError as error:
        return _filing_page(request, _draft_of(request, case.pk), error=error, status=error.status)
    return _after_submit(request, case, action)


def _submit_with_correction(request, case: Case):
    correction = services.case_submit_with_correction(
        actor=request.user,
        case_id=case.pk,
        items=[services.CorrectionItem(**line) for line in _filing_correction_lines(request, case)],
        note=request.POST.get("correction_note", ""),
        limit_days=_int_or_none(request.POST.get("correction_days")),
    )
    number = correction.case.number
    messages.success(request, _("已出具一次性补正告知，办件编号 %(number)s。") % {"number": number})
    return redirect("caseswork:receipt", case.pk)


def _after_submit(request, case: Case, action: str):
    """The case is received; at the window it is accepted at once. Should that refuse, the case
    waits in the 待受理 queue and the clerk is told why."""
    try:
        if action == "submit_accept":
            services.case_accept(actor=request.user, case_id=case.pk)
            messages.success(request, _("已提交并受理，办件编号 %(number)s。") % {"number": case.number})
        else:
            messages.success(request, _("已提交，办件编号 %(number)s，请等待部门受理。") % {"number": case.number})
    except TongbanError as error:
        problems = "；".join(error.problems)
        messages.error(
            request,
            _("申请已提交（办件编号 %(number)s），但%(message)s%(problems)s 请在待受理队列中处理。")
            % {"number": case.number, "message": error.message, "problems": problems},
        )
    return redirect("caseswork:receipt", case.pk)


def _filing_correction_lines(request, case: Case) -> list[dict]:
    lines = [
        {"material_id": m.pk, "name": "", "reason": request.POST.get(f"correct_reason_{m.pk}", "")}
        for m in selectors.case_materials(case)
        if request.POST.get(f"correct_{m.pk}") == "on"
    ]
    for row in request.POST.get("correction_other", "").splitlines():
        name, _sep, reason = row.replace("：", ":").partition(":")
        if row.strip():
            lines.append({"material_id": None, "name": name.strip(), "reason": reason.strip() or name.strip()})
    return lines


def _int_or_none(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


@staff_required
def receipt(request, case_id: int):
    """After submission: the number, what happens next, and the notice to print."""
    case = _draft_of(request, case_id)
    if case.status == Case.DRAFT:
        return redirect("caseswork:filing", case.pk)
    context = {
        "case": case,
        "applicant_shown": case.applicant_shown,
        "correction": case.corrections.last(),
        "documents": documents(case),
        "in_scope": _visible_to_staff(request.user, case),
        "again": reverse("caseswork:agent_start" if case.channel == Case.AGENT else "caseswork:window_start"),
    }
    return render(request, "cases/workbench/receipt.html", context)


def _visible_to_staff(actor: Actor, case: Case) -> bool:
    try:
        selectors.case_for_staff(actor=actor, case_id=case.pk)
    except NotFound:
        return False
    return True
