"""The applicant's side of cases on the portal (mounted at /me/cases/): apply from an item's guide
(a draft that autosaves on the server, so it resumes on any device), my cases, and the case page
with its live status, plain-language history, correction answer and withdrawal.

Views validate the shape of what was posted; every write is a service call, and every refusal is
shown with its Chinese message (field problems beside their fields, missing materials listed)."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from tongban.accounts import selectors as accounts
from tongban.cases import results, selectors, services
from tongban.cases.delivery_posted import delivery_keep
from tongban.cases.models import Case, CaseMaterial
from tongban.cases.uploads import stored_file_response, upload_read
from tongban.catalog import selectors as catalog
from tongban.catalog.selectors import FieldSpec, form_prefill, form_spec, form_validate, rule_applies
from tongban.core.errors import TongbanError
from tongban.core.money import yuan
from tongban.org import selectors as org

TABS = {"open": gettext_lazy("办理中"), "done": gettext_lazy("已结束"), "drafts": gettext_lazy("草稿")}
TABLE_BLANK_ROWS = 3
TABLE_MAX_ROWS = 100


# ---------------------------------------------------------------- my cases


@login_required
def case_list(request):
    tab = request.GET.get("tab", "open")
    if tab not in TABS:
        tab = "open"
    page = selectors.cases_of_applicant(
        actor=request.user,
        status="" if tab == "drafts" else tab,
        drafts=tab == "drafts",
        page=request.GET.get("page", 1),
    )
    return render(request, "cases/portal/case_list.html", {"page": page, "tab": tab, "tabs": TABS})


# ---------------------------------------------------------------- apply: identity and draft start


@login_required
def apply(request, item_id: int):
    """Start (or resume) the applicant's draft for the item; someone acting for enterprises first
    chooses whether to apply as themselves or for one of them."""
    version = catalog.item_guide(item_id)
    identities = _Identities.of(request.user.person, version)
    if request.method == "POST":
        chosen = request.POST.get("as", "")
        legal_person_id = None if chosen == "person" else _int(chosen)
        if not identities.allows(chosen, legal_person_id):
            return _identity_page(request, version, identities, error=_("请选择以何种身份申请。"))
    elif identities.enterprises or not identities.as_person:
        return _identity_page(request, version, identities)
    else:
        legal_person_id = None
    return _draft_start(request, version, legal_person_id)


@dataclass(frozen=True)
class _Identities:
    """Whom the applicant may apply as: themselves, or an enterprise they act for, as the item's
    audience and the holder of the e-licence it promises allow (cases.results)."""

    as_person: bool
    enterprises: list
    promise: results.ResultPromise | None

    @classmethod
    def of(cls, person, version) -> "_Identities":
        promise = results.result_promise(version=version)
        holder = promise.holder if promise else ""
        as_person = version.for_persons and holder != results.LEGAL_PERSON
        may_enterprise = person and version.for_legal_persons and holder != results.PERSON
        return cls(as_person, list(accounts.legal_persons_for(person)) if may_enterprise else [], promise)

    def allows(self, chosen: str, legal_person_id: int | None) -> bool:
        if chosen == "person":
            return self.as_person
        return legal_person_id in {e.pk for e in self.enterprises}


def _identity_page(request, version, identities: _Identities, *, error: str = ""):
    context = {"version": version, "identities": identities, "error": error}
    return render(request, "cases/portal/apply_identity.html", context, status=422 if error else 200)


def _draft_start(request, version, legal_person_id: int | None):
    resumed = selectors.draft_to_resume(actor=request.user, version_id=version.pk, legal_person_id=legal_person_id)
    if resumed is not None:
        messages.info(request, _("已为您打开上次保存的草稿，可以接着填写。"))
        return redirect("mycases:draft", resumed.pk)
    try:
        case = services.case_draft_start(actor=request.user, item_id=version.item_id, legal_person_id=legal_person_id)
        case = selectors.case_for_applicant(actor=request.user, case_id=case.pk)
        prefill = form_prefill(_specs(case), person=case.person, legal_person=case.legal_person)
        if prefill:
            services.case_draft_save(actor=request.user, case_id=case.pk, answers=prefill)
    except TongbanError as error:
        messages.error(request, error.message)
        return redirect("catalog:guide_detail", version.item_id)
    return redirect("mycases:draft", case.pk)


# ---------------------------------------------------------------- the draft: eligibility, form, materials


@dataclass
class FieldView:
    """One form field ready for its template (cases/portal/fields/<kind>.html)."""

    spec: FieldSpec
    value: Any
    error: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"f_{self.spec.key}"

    @property
    def template(self) -> str:
        return f"cases/portal/fields/{self.spec.kind}.html"

    @property
    def shown(self) -> str:
        return answer_text(self.spec, self.value)

    @property
    def cells(self) -> list[list[str]]:
        """A table answer's rows as cells in the order of its columns."""
        rows = self.value if isinstance(self.value, list) else []
        return [[str(row.get(str(c), "")) for c in self.spec.options] for row in rows if isinstance(row, dict)]


@dataclass
class MaterialView:
    material: CaseMaterial
    files: list
    condition: str = ""
    conditional: bool = False  # its rule applies to the answers: needed like a required one
    reason: str = ""  # why a correction notice asks for it again
    renewed: bool = False  # a file came after the correction notice
    error: str = ""

    @property
    def needed(self) -> bool:
        return self.material.required or self.conditional

    @property
    def from_source(self) -> bool:
        return self.material.source in ("licence", "shared")


def _specs(case: Case) -> list[FieldSpec]:
    return form_spec(catalog.version_for_case(case.version_id))


def _draft_for(request, case_id: int) -> Case:
    return selectors.case_for_applicant(actor=request.user, case_id=case_id)


@login_required
def draft(request, case_id: int):
    case = _draft_for(request, case_id)
    if case.status != Case.DRAFT:
        return redirect("mycases:detail", case.number)
    checked = request.GET.get("check") == "1"
    return render(request, "cases/portal/draft.html", _draft_context(case, show_errors=checked))


def _draft_context(case: Case, *, show_errors: bool = False, upload_error: tuple[int, str] | None = None) -> dict:
    version = catalog.version_for_case(case.version_id)
    specs = form_spec(version)
    errors = form_validate(specs, case.answers)[1] if show_errors else {}
    return {
        "case": case,
        "version": version,
        "current": catalog.version_is_current(case.version_id),
        "eligible": bool(case.eligibility.get("confirmed")),
        "fields": _field_views(case, specs, errors),
        "materials": _draft_materials(case, upload_error),
        "materials_url": reverse("mycases:draft_file_add", args=[case.pk]),
    }


def _field_views(case: Case, specs: list[FieldSpec], errors: dict[str, str]) -> list[FieldView]:
    known = form_prefill(
        [s for s in specs if s.key not in case.answers], person=case.person, legal_person=case.legal_person
    )
    views = []
    for spec in specs:
        value = case.answers[spec.key] if spec.key in case.answers else known.get(spec.key, "")
        views.append(FieldView(spec, value, errors.get(spec.key, ""), _field_extra(case, spec, value)))
    return views


def _field_extra(case: Case, spec: FieldSpec, value) -> dict:
    if spec.kind == "table":
        rows = value if isinstance(value, list) else []
        columns = [str(c) for c in spec.options]
        filled = [[(c, str(row.get(c, ""))) for c in columns] for row in rows if isinstance(row, dict)]
        return {"columns": columns, "rows": filled + [[(c, "") for c in columns]] * TABLE_BLANK_ROWS}
    if spec.kind == "address":
        county = case.region_code[:6].ljust(12, "0")
        regions = [(r.code, r.name) for r in org.region_children(county)]
        return {"regions": [(county, _region_name(county)), *regions]}
    if spec.kind == "file":
        files = [f for m in selectors.case_materials(case) for f in m.files.all()]
        return {"files": [(str(f.pk), f.original_name) for f in files]}
    return {}


def _rules(case: Case) -> dict[int, tuple[dict, str]]:
    version = catalog.version_for_case(case.version_id)
    return {m.pk: (m.condition_rule, m.condition) for m in version.materials.all()}


def _draft_materials(case: Case, upload_error: tuple[int, str] | None = None) -> list[MaterialView]:
    """The materials that apply to the answers so far (conditional ones only when their rule does)."""
    rules = _rules(case)
    shown = []
    for material in selectors.case_materials(case):
        rule, condition = rules.get(material.version_material_id, ({}, ""))
        if not rule_applies(rule, case.answers):
            continue
        error = upload_error[1] if upload_error and upload_error[0] == material.pk else ""
        files = list(material.files.all())
        shown.append(MaterialView(material, files, condition=condition, conditional=bool(rule), error=error))
    return shown


def _applicable(case: Case, answers: dict) -> frozenset[int]:
    return frozenset(pk for pk, (rule, _c) in _rules(case).items() if rule_applies(rule, answers))


@login_required
@require_POST
def draft_save(request, case_id: int):
    """Autosave (HTMX, on every change) and the plain 保存 / 下一步 buttons without JavaScript."""
    case = _draft_for(request, case_id)
    specs = _specs(case)
    before = _applicable(case, case.answers)
    try:
        case = services.case_draft_save(
            actor=request.user,
            case_id=case.pk,
            answers=answers_from_post(specs, request.POST),
            eligibility=_eligibility_from_post(case, request.POST),
        )
    except TongbanError as error:
        if request.htmx:
            return render(request, "cases/portal/_autosaved.html", {"error": error.message})
        messages.error(request, error.message)
        return redirect("mycases:draft", case.pk)
    if request.htmx:
        context = {"saved_at": timezone.localtime(case.updated_at)}
        if _applicable(case, case.answers) != before:  # the materials list changes with the answers
            context |= {"materials": _draft_materials(case), "case": case, "oob": True}
            context["materials_url"] = reverse("mycases:draft_file_add", args=[case.pk])
        return render(request, "cases/portal/_autosaved.html", context)
    if request.POST.get("go") == "review":
        return redirect("mycases:draft_review", case.pk)
    messages.success(request, _("已保存。"))
    return redirect(reverse("mycases:draft", args=[case.pk]) + request.POST.get("anchor", ""))


def answers_from_post(specs: list[FieldSpec], data) -> dict:
    """The answers as typed, in the shapes the form engine reads (booleans, lists, an address, table
    rows); validated only at submission."""
    return {spec.key: _READERS.get(spec.kind, _read_text)(spec, data, f"f_{spec.key}") for spec in specs}


def _read_text(spec, data, name):
    return data.get(name, "").strip()


def _read_boolean(spec, data, name):
    return {"true": True, "false": False}.get(data.get(name, ""))


def _read_multichoice(spec, data, name):
    return [value for value in data.getlist(name) if value]


def _read_address(spec, data, name):
    region, detail = data.get(f"{name}__region", "").strip(), data.get(f"{name}__detail", "").strip()
    return {"region": region, "detail": detail} if region or detail else None


def _read_table(spec, data, name):
    columns = [str(c) for c in spec.options]
    rows = []
    for index in range(min(_int(data.get(f"{name}__rows")) or 0, TABLE_MAX_ROWS)):
        row = {column: data.get(f"{name}__{index}__{n}", "").strip() for n, column in enumerate(columns)}
        if any(row.values()):
            rows.append(row)
    return rows


_READERS = {
    "boolean": _read_boolean,
    "multichoice": _read_multichoice,
    "address": _read_address,
    "table": _read_table,
}


def _eligibility_from_post(case: Case, data) -> dict | None:
    """The 受理条件 confirmation, kept with when it was given; None when it did not change."""
    confirmed = data.get("eligible") == "1"
    if confirmed == bool(case.eligibility.get("confirmed")):
        return None
    return {"confirmed": True, "confirmed_at": timezone.now().isoformat()} if confirmed else {}


def answer_text(spec: FieldSpec, value) -> str:
    """An answer in words, for the review and the case page (money after submission is in fen)."""
    if value is None or value in ("", [], {}):
        return ""
    if spec.kind == "boolean":
        return _("是") if value else _("否")
    if spec.kind == "multichoice" and isinstance(value, list):
        return "、".join(map(str, value))
    if spec.kind == "address" and isinstance(value, dict):
        return f"{_region_name(value.get('region', ''))} {value.get('detail', '')}".strip()
    if spec.kind == "money":
        return _("%(amount)s 元") % {"amount": yuan(value) if isinstance(value, int) else value}
    if spec.kind == "table":
        return ""  # shown as a table
    return str(value)


def _region_name(code: str) -> str:
    try:
        return org.region_by_code(code).name
    except TongbanError:
        return code


# ---------------------------------------------------------------- files


@login_required
@require_POST
def draft_file_add(request, case_id: int):
    case = _draft_for(request, case_id)
    return _file_add(request, case)


@login_required
@require_POST
def case_file_add(request, number: str):
    case = selectors.case_for_applicant(actor=request.user, number=number)
    return _file_add(request, case)


def _file_add(request, case: Case):
    material_id = _int(request.POST.get("material_id"))
    upload = request.FILES.get("file")
    error = None
    if material_id is None:
        raise Http404
    if upload is None:
        error = (material_id, _("请先选择要上传的文件。"))
    else:
        try:
            services.case_file_add(
                actor=request.user,
                case_id=case.pk,
                material_id=material_id,
                name=upload.name,
                content=upload_read(upload),
            )
        except TongbanError as error_:
            error = (material_id, error_.message)
    return _materials_response(request, case, error)


@login_required
@require_POST
def file_remove(request, file_id: int):
    case_file = selectors.case_file_for(actor=request.user, file_id=file_id)
    case = selectors.case_for_applicant(actor=request.user, case_id=case_file.case_id)
    error = None
    try:
        services.case_file_remove(actor=request.user, file_id=file_id)
    except TongbanError as error_:
        error = (case_file.material_id, error_.message)
    return _materials_response(request, case, error)


def _materials_response(request, case: Case, error: tuple[int, str] | None):
    """HTMX gets the re-rendered materials (with the refusal beside its material); without
    JavaScript the whole page comes back, with the refusal, and the form as the server keeps it."""
    case = selectors.case_for_applicant(actor=request.user, case_id=case.pk)
    if case.status == Case.DRAFT:
        if request.htmx:
            context = {
                "case": case,
                "materials": _draft_materials(case, error),
                "materials_url": reverse("mycases:draft_file_add", args=[case.pk]),
            }
            return render(request, "cases/portal/_materials.html", context)
        if error is None:
            return redirect(reverse("mycases:draft", args=[case.pk]) + "#materials")
        return render(request, "cases/portal/draft.html", _draft_context(case, upload_error=error), status=422)
    if case.status != Case.CORRECTION or not case.number:
        messages.error(request, error[1] if error else _("申请已提交，只有在补正时才能补充材料。"))
        return redirect("mycases:detail", case.number) if case.number else redirect("mycases:list")
    if request.htmx:
        context = {"case": case, "correction": _correction_view(case, error)}
        return render(request, "cases/portal/_correction_materials.html", context)
    if error is None:
        return redirect(reverse("mycases:detail", args=[case.number]) + "#correction")
    context = _detail_context(request, case, upload_error=error)
    return render(request, "cases/portal/case_detail.html", context, status=422)


@login_required
def file_download(request, file_id: int):
    case_file = selectors.case_file_for(actor=request.user, file_id=file_id)
    selectors.case_for_applicant(actor=request.user, case_id=case_file.case_id)
    return stored_file_response(
        case_file.file.open("rb"), content_type=case_file.content_type, name=case_file.original_name
    )


@login_required
@require_POST
def draft_discard(request, case_id: int):
    case = _draft_for(request, case_id)
    try:
        services.case_draft_discard(actor=request.user, case_id=case.pk)
    except TongbanError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("草稿“%(item)s”已删除。") % {"item": case.item_name})
    return redirect(reverse("mycases:list") + "?tab=drafts")


# ---------------------------------------------------------------- review and submit


@login_required
def draft_review(request, case_id: int):
    case = _draft_for(request, case_id)
    if case.status != Case.DRAFT:
        return redirect("mycases:detail", case.number)
    return render(request, "cases/portal/draft_review.html", _review_context(case))


def _review_context(
    case: Case,
    *,
    refusal: str = "",
    problems: list[str] | None = None,
    delivery_error: str = "",
    delivery_posted: dict | None = None,
) -> dict:
    """The review page; after a refused submission, what the applicant posted stays as they typed it."""
    version = catalog.version_for_case(case.version_id)
    specs = form_spec(version)
    errors = form_validate(specs, case.answers)[1]
    materials = _draft_materials(case)
    missing = [
        m.material.name for m in materials if m.needed and not m.material.provided and not m.from_source and not m.files
    ]
    return {
        "case": case,
        "version": version,
        "eligible": bool(case.eligibility.get("confirmed")),
        "fields": [FieldView(s, case.answers.get(s.key), errors.get(s.key, "")) for s in specs],
        "errors": errors,
        "missing": missing,
        "materials": materials,
        "refusal": refusal,
        "problems": problems or [],
        "delivery_methods": [(code, DELIVERY_LABELS[code]) for code in version.delivery_methods],
        "delivery_chosen": (delivery_posted or {}).get("delivery", case.delivery_choice),
        "delivery_address": (delivery_posted or {}).get("delivery_address", case.delivery_address),
        "delivery_error": delivery_error,
    }


DELIVERY_LABELS = dict(Case.DELIVERIES)


@login_required
@require_POST
def draft_submit(request, case_id: int):
    """Keep the way the applicant chose to receive the result, then submit."""
    case = _draft_for(request, case_id)
    if case.status != Case.DRAFT:
        return redirect("mycases:detail", case.number)
    try:
        delivery_keep(request, case)
        case = services.case_submit(actor=request.user, case_id=case.pk)
    except TongbanError as error:
        case = _draft_for(request, case_id)
        delivery = error.message if error.field in ("delivery", "delivery_address") else ""
        posted = {key: request.POST[key] for key in ("delivery", "delivery_address") if key in request.POST}
        context = _review_context(
            case, refusal=error.message, problems=error.problems, delivery_error=delivery, delivery_posted=posted
        )
        return render(request, "cases/portal/draft_review.html", context, status=422)
    messages.success(
        request, _("申请已提交，办件编号 %(number)s。请记下编号，可随时查询办理进度。") % {"number": case.number}
    )
    return redirect("mycases:detail", case.number)


# ---------------------------------------------------------------- the case page


# What each act means to the applicant, in plain words.
ACT_SENTENCES = {
    "submit": gettext_lazy("您提交了申请，系统生成了办件编号。"),
    "accept": gettext_lazy("%(office)s受理了您的申请，开始计算办理时限。"),
    "start": gettext_lazy("申请进入“%(step)s”环节。"),
    "refuse": gettext_lazy("%(office)s决定不予受理。"),
    "request_correction": gettext_lazy("%(office)s一次性告知您需要补正的材料，办理时限暂停计算。"),
    "answer_correction": gettext_lazy("您提交了补正材料，办件继续办理。"),
    "expire_correction": gettext_lazy("您未在期限内补正，办件终止。"),
    "approve_step": gettext_lazy("上一环节审核通过，进入“%(step)s”环节。"),
    "return_step": gettext_lazy("办件退回“%(step)s”环节重新审核。"),
    "start_special": gettext_lazy("启动特别程序，办理时限暂停计算。"),
    "end_special": gettext_lazy("特别程序结束，恢复计算办理时限。"),
    "decide": gettext_lazy("%(office)s作出了审批决定：%(status)s。"),
    "issue_result": gettext_lazy("办理完毕，办理结果已制作。"),
    "deliver": gettext_lazy("办理结果已送达。"),
    "receive_owed": gettext_lazy("已收到您补交的容缺材料。"),
    "expire_owed": gettext_lazy("容缺材料逾期未补交，审批决定已撤销。"),
    "withdraw": gettext_lazy("您撤回了申请。"),
    "revoke": gettext_lazy("审批决定已依法撤销。"),
}
# Acts whose opinion the applicant should read (a reason, the correction list, the decision).
OPINION_SHOWN = frozenset(
    {"refuse", "request_correction", "answer_correction", "expire_correction", "decide", "deliver", "withdraw"}
    | {"revoke", "expire_owed", "receive_owed"}
)


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    sentence: str
    opinion: str
    code: int | None
    office: str


def timeline(case: Case) -> list[TimelineEntry]:
    entries = []
    for row in selectors.case_history(case):
        template = ACT_SENTENCES.get(row.act)
        words = {"office": row.office_name or _("办理部门"), "step": row.step_name, "status": row.get_status_display()}
        sentence = str(template) % words if template else row.act
        opinion = row.opinion if row.act in OPINION_SHOWN else ""
        entries.append(TimelineEntry(row.created_at, sentence, opinion, row.code, row.office_name))
    return entries


def document_links(case: Case) -> list:
    """The case's documents (receipt, notices, result), each with .title and .url; documents are
    listed by tongban.cases.documents when present."""
    try:
        from tongban.cases.documents import documents_for
    except ImportError:
        return []
    return list(documents_for(case))


@dataclass
class CorrectionView:
    notice: Any
    lines: list
    materials: list[MaterialView]


def _correction_view(case: Case, upload_error: tuple[int, str] | None = None) -> CorrectionView | None:
    notice = case.corrections.filter(answered_on__isnull=True, expired=False).order_by("-id").first()
    if notice is None:
        return None
    reasons = {line.get("material_id"): line.get("reason", "") for line in notice.items if line.get("material_id")}
    materials = []
    for material in selectors.case_materials(case).filter(pk__in=notice.material_ids()):
        files = list(material.files.all())
        error = upload_error[1] if upload_error and upload_error[0] == material.pk else ""
        renewed = notice.renewed(material, files)
        materials.append(MaterialView(material, files, reason=reasons[material.pk], renewed=renewed, error=error))
    return CorrectionView(notice, notice.items, materials)


@login_required
def case_detail(request, number: str):
    case = selectors.case_for_applicant(actor=request.user, number=number)
    return render(request, "cases/portal/case_detail.html", _detail_context(request, case))


def _detail_context(request, case: Case, *, upload_error=None, correction_problems=None, refusal: str = "") -> dict:
    version = catalog.version_for_case(case.version_id)
    specs = form_spec(version)
    return {
        "case": case,
        "version": version,
        "timeline": timeline(case),
        "acts": selectors.acts_allowed(actor=request.user, case=case),
        "correction": _correction_view(case, upload_error) if case.status == Case.CORRECTION else None,
        "correction_problems": correction_problems or [],
        "refusal": refusal,
        "documents": document_links(case),
        "answers": [FieldView(s, case.answers.get(s.key)) for s in specs],
        "materials": list(selectors.case_materials(case)),
        "hall": version.hall if case.status in (Case.APPROVED, Case.COMPLETED) else None,
    }


@login_required
def case_status(request, number: str):
    """The status box, polled by the case page every 30 seconds."""
    case = selectors.case_for_applicant(actor=request.user, number=number)
    seen = _int(request.GET.get("revision")) or case.revision  # the revision the page was drawn at
    context = {"case": case, "changed": seen != case.revision, "page_revision": seen}
    return render(request, "cases/portal/_status.html", context)


@login_required
@require_POST
def correction_answer(request, number: str):
    case = selectors.case_for_applicant(actor=request.user, number=number)
    try:
        services.case_correction_answer(actor=request.user, case_id=case.pk, answer=request.POST.get("answer", ""))
    except TongbanError as error:
        context = _detail_context(request, case, correction_problems=error.problems, refusal=error.message)
        context["answer"] = request.POST.get("answer", "")
        return render(request, "cases/portal/case_detail.html", context, status=422)
    messages.success(request, _("补正材料已提交，办件将继续办理。"))
    return redirect("mycases:detail", case.number)


@login_required
def case_withdraw(request, number: str):
    """GET asks to confirm; POST withdraws."""
    case = selectors.case_for_applicant(actor=request.user, number=number)
    if "withdraw" not in selectors.acts_allowed(actor=request.user, case=case):
        messages.error(request, _("办件当前为“%(status)s”，不能撤回。") % {"status": case.get_status_display()})
        return redirect("mycases:detail", case.number)
    if request.method != "POST":
        return render(request, "cases/portal/case_withdraw.html", {"case": case})
    try:
        services.case_withdraw(actor=request.user, case_id=case.pk, reason=request.POST.get("reason", ""))
    except TongbanError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("申请已撤回。"))
    return redirect("mycases:detail", case.number)


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None
