"""Staff pages of cases (mounted at /workbench/cases/): the queues, one case with the acts this
person may do now, material files, one-window acceptance and village agents' filing.

Views check the shape of input (forms_workbench) and call one service per act; scope comes from
the selectors (a case outside it is "not found"); refusals are shown next to the form."""

import json
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from tongban.accounts import selectors as accounts
from tongban.accounts.decorators import staff_required
from tongban.accounts.types import Actor
from tongban.cases import consent, results, selectors, services, workflow
from tongban.cases import forms_workbench as forms
from tongban.cases.models import Case
from tongban.cases.uploads import stored_file_response, upload_read
from tongban.catalog import selectors as catalog
from tongban.catalog.selectors import form_prefill, form_spec
from tongban.core.audit import audit_record
from tongban.core.errors import Conflict, NotFound, PermissionDenied, TongbanError
from tongban.core.identifiers import REGION_PREFIX_LENGTH
from tongban.core.masking import mask
from tongban.notifications.services import sms_available

CLOCK_FILTERS = [(Case.GREEN, "正常"), (Case.YELLOW, "预警"), (Case.RED, "超期"), (Case.PAUSED, "暂停计时")]
SORTS = [("due", "到期日期（早→晚）"), ("-due", "到期日期（晚→早）"), ("new", "最新申请")]


def _has_post(user, *posts: str) -> bool:
    return any(accounts.staff_has_post(user, post) for post in posts)


def _post_required(*posts: str):
    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not _has_post(request.user, *posts):
                raise PermissionDenied(_("您的岗位不能使用此功能。"), code="post_required")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


# ---------------------------------------------------------------- queues


@staff_required
def queue_list(request):
    queues = selectors.queues_for(request.user)
    query = selectors.QueueQuery(
        queue=request.GET.get("queue") or queues[0]["code"],
        text=request.GET.get("q", "").strip(),
        clock=request.GET.get("clock", ""),
        sort=request.GET.get("sort", "due"),
        page=request.GET.get("page", 1),
    )
    page = selectors.queue_page(actor=request.user, query=query)
    context = {
        "queues": queues,
        "query": query,
        "page": page,
        "clock_filters": CLOCK_FILTERS,
        "sorts": SORTS,
        "bulk": query.queue == "accept" and _has_post(request.user, *workflow.FRONT_DESK),
        "params": _params_without_page(request, query),
    }
    template = "cases/workbench/_queue_rows.html" if request.htmx else "cases/workbench/queue_list.html"
    return render(request, template, context)


def _params_without_page(request, query: selectors.QueueQuery) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    params["queue"] = query.queue
    return params.urlencode()


@staff_required
@require_POST
def case_claim(request, case_id: int):
    _act_simply(request, lambda: services.case_claim(actor=request.user, case_id=case_id), _("已认领，该件由您办理。"))
    return redirect(_safe_next(request, reverse("caseswork:case_detail", args=[case_id])))


@staff_required
@require_POST
def case_release(request, case_id: int):
    _act_simply(
        request, lambda: services.case_release(actor=request.user, case_id=case_id), _("已释放，其他人可以认领。")
    )
    return redirect(_safe_next(request, reverse("caseswork:case_detail", args=[case_id])))


def _act_simply(request, act, success: str) -> None:
    try:
        act()
    except TongbanError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)


@staff_required
@require_POST
@_post_required(*workflow.FRONT_DESK)
def queue_bulk_accept(request):
    """Accept the ticked cases; each one accepted or refused on its own, both reported."""
    ids = [int(value) for value in request.POST.getlist("case_ids") if value.isdigit()]
    if not ids:
        messages.warning(request, _("请先勾选要受理的办件。"))
        return redirect(_safe_next(request, reverse("caseswork:queue_list") + "?queue=accept"))
    numbers = _numbers_in_scope(request.user, ids)
    outcome = services.case_bulk_accept(actor=request.user, case_ids=list(numbers))
    if outcome.done:
        messages.success(
            request, _("已受理 %(n)d 件：%(numbers)s") % {"n": len(outcome.done), "numbers": "、".join(outcome.done)}
        )
    for case_id, reason in outcome.refused:
        messages.error(
            request, _("%(number)s 未受理：%(reason)s") % {"number": numbers[int(case_id)], "reason": reason}
        )
    return redirect(_safe_next(request, reverse("caseswork:queue_list") + "?queue=accept"))


def _numbers_in_scope(actor: Actor, ids: list[int]) -> dict[int, str]:
    """The case numbers of the ids the actor may see (others are dropped as not found)."""
    numbers = {}
    for case_id in ids[: selectors.PAGE_SIZE * 5]:
        try:
            numbers[case_id] = selectors.case_for_staff(actor=actor, case_id=case_id).number
        except NotFound:
            continue
    return numbers


# ---------------------------------------------------------------- one case


@staff_required
def case_detail(request, case_id: int):
    case = selectors.case_for_staff(actor=request.user, case_id=case_id)
    return _case_page(request, case)


@staff_required
def case_find(request):
    """Jump to a case by its full number (the box at the top of the queues)."""
    case = selectors.case_by_number_for_staff(actor=request.user, number=request.GET.get("number", ""))
    return redirect("caseswork:case_detail", case.pk)


def _case_page(request, case: Case, *, bound: forms.ActForm | None = None, error=None, status: int = 200):
    version = catalog.version_for_case(case.version_id)
    acts = [act for act in selectors.acts_allowed(actor=request.user, case=case) if act in forms.ACT_FORMS]
    panel = []
    for act in acts:
        form = bound if bound is not None and bound.act == act else _act_form(case, act, version)
        if act == "return_step" and not form.fields["to_step"].choices:
            continue
        panel.append({"act": act, "label": workflow.ACTS[act], "form": form, "error": error if form is bound else None})
    context = {
        "case": case,
        "applicant_shown": case.applicant_shown,
        "answers": _answer_rows(version, case.answers),
        "materials": selectors.case_materials(case),
        "history": [_history_row(row) for row in selectors.case_history(case)],
        "corrections": list(case.corrections.all()),
        "specials": list(case.special_procedures.all()),
        "panel": panel,
        # a refusal of an act this person may no longer do (claimed meanwhile …) shows at the top
        "page_error": error if bound is not None and bound.act not in acts else None,
        "may_claim": selectors.claim_offered(actor=request.user, case=case),
        "may_release": selectors.release_offered(actor=request.user, case=case),
        "documents": _documents(case),
    }
    return render(request, "cases/workbench/case_detail.html", context, status=status)


def _act_form(case: Case, act: str, version, data=None) -> forms.ActForm:
    return forms.ACT_FORMS[act](data, case=case, **_form_extras(case, act, version))


def _form_extras(case: Case, act: str, version) -> dict:
    if act == "request_correction":
        return {"materials": list(selectors.case_materials(case))}
    if act == "return_step":
        return {"steps": [s for s in workflow.handling_steps(version) if s.order < case.step]}
    if act == "issue_result":
        return {"result_fields": results.result_fields(case=case, version=version)}
    return {}


MASKED_KINDS = {"id_number": "id_number", "phone": "phone", "uscc": "uscc"}


def _answer_rows(version, answers: dict) -> list[tuple[str, str]]:
    """The answers with their labels; identifiers masked like everywhere else."""
    fields = {f.key: f for f in version.form_fields.all()}
    rows = []
    for key, value in answers.items():
        field = fields.get(key)
        kind = MASKED_KINDS.get(field.kind) if field else None
        rows.append((field.label if field else key, mask(kind, str(value)) if kind else _answer_text(value)))
    return rows


def _answer_text(value) -> str:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "、".join(
            _answer_text(v) if not isinstance(v, dict) else json.dumps(v, ensure_ascii=False) for v in value
        )
    if isinstance(value, dict):
        return value.get("detail", "") if "detail" in value else json.dumps(value, ensure_ascii=False)
    return str(value)


def _history_row(row) -> dict:
    return {
        "act": workflow.HISTORY_LABELS.get(row.act, row.act),
        "code": row.code,
        "status": row.get_status_display(),
        "step_name": row.step_name,
        "office": row.office_name,
        "actor": row.actor_name,
        "time": row.created_at,
        "opinion": row.opinion,
    }


def _documents(case: Case) -> list:
    """The printable notices (受理通知书 …), when the documents module is installed."""
    try:
        from tongban.cases.documents import documents_for
    except ImportError:
        return []
    return list(documents_for(case))


@staff_required
@require_POST
def case_act(request, case_id: int, act: str):
    """One act from the case page's panel, with the revision the clerk saw."""
    if act not in forms.ACT_FORMS:
        raise Http404
    case = selectors.case_for_staff(actor=request.user, case_id=case_id)
    form = _act_form(case, act, catalog.version_for_case(case.version_id), request.POST)
    if not form.is_valid():
        return _case_page(request, case, bound=form, status=422)
    try:
        done = ACT_HANDLERS[act](request.user, case, form)
    except Conflict as error:
        if error.code != "case_changed":
            return _case_page(request, case, bound=form, error=error, status=error.status)
        messages.warning(request, error.message)
        fresh = selectors.case_for_staff(actor=request.user, case_id=case_id)
        return _case_page(request, fresh, status=error.status)
    except TongbanError as error:
        return _case_page(request, case, bound=form, error=error, status=error.status)
    messages.success(request, done)
    return redirect("caseswork:case_detail", case.pk)


def _accept(actor: Actor, case, form):
    data = form.cleaned_data
    case = services.case_accept(
        actor=actor, case_id=case.pk, expected_revision=data["revision"], opinion=data["opinion"]
    )
    return _("已受理，办件进入“%(step)s”环节。") % {"step": case.step_name}


def _refuse(actor: Actor, case, form):
    data = form.cleaned_data
    services.case_refuse(
        actor=actor,
        case_id=case.pk,
        reason=data["reason"],
        legal_basis=data["legal_basis"],
        expected_revision=data["revision"],
    )
    return _("已作出不予受理决定。")


def _correction(actor: Actor, case, form):
    data = form.cleaned_data
    correction = services.case_correction_request(
        actor=actor,
        case_id=case.pk,
        items=[services.CorrectionItem(**line) for line in form.lines()],
        note=data["note"],
        limit_days=data["limit_days"],
        expected_revision=data["revision"],
    )
    return _("已出具一次性补正告知，补正期限至%(due)s。") % {"due": correction.due_date.isoformat()}


def _approve_step(actor: Actor, case, form):
    data = form.cleaned_data
    case = services.case_step_approve(
        actor=actor, case_id=case.pk, opinion=data["opinion"], expected_revision=data["revision"]
    )
    return _("已审核通过，办件转入“%(step)s”环节。") % {"step": case.step_name}


def _return_step(actor: Actor, case, form):
    data = form.cleaned_data
    case = services.case_step_return(
        actor=actor, case_id=case.pk, to_step=data["to_step"], reason=data["reason"], expected_revision=data["revision"]
    )
    return _("已退回至“%(step)s”环节。") % {"step": case.step_name}


def _special_start(actor: Actor, case, form):
    data = form.cleaned_data
    procedure = services.case_special_start(
        actor=actor,
        case_id=case.pk,
        kind=data["kind"],
        note=data["note"],
        limit_days=data["limit_days"],
        expected_revision=data["revision"],
    )
    return _("已启动%(kind)s，暂停计时。") % {"kind": procedure.get_kind_display()}


def _special_end(actor: Actor, case, form):
    data = form.cleaned_data
    services.case_special_end(actor=actor, case_id=case.pk, result=data["result"], expected_revision=data["revision"])
    return _("特别程序已结束，恢复计时。")


def _decide(actor: Actor, case, form):
    data = form.cleaned_data
    case = services.case_decide(
        actor=actor,
        case_id=case.pk,
        decision=data["decision"],
        opinion=data["opinion"],
        owed_material=data["owed_material"],
        owed_days=data["owed_days"],
        expected_revision=data["revision"],
    )
    return _("已作出决定：%(decision)s。") % {"decision": case.get_decision_display()}


def _issue(actor: Actor, case, form):
    data = form.cleaned_data
    case = services.case_result_issue(
        actor=actor,
        case_id=case.pk,
        reference=data.get("reference", ""),
        result_data=form.result_data(),
        expected_revision=data["revision"],
    )
    return _("已办结，结果：%(name)s（%(reference)s）。") % {
        "name": case.result_name,
        "reference": case.result_reference,
    }


def _deliver(actor: Actor, case, form):
    data = form.cleaned_data
    case = services.case_deliver(
        actor=actor,
        case_id=case.pk,
        method=data["method"],
        carrier=data["carrier"],
        tracking_number=data["tracking_number"],
        expected_revision=data["revision"],
    )
    return _("已送达（%(method)s）。") % {"method": case.get_delivery_display()}


def _owed_receive(actor: Actor, case, form):
    data = form.cleaned_data
    services.case_owed_receive(actor=actor, case_id=case.pk, note=data["note"], expected_revision=data["revision"])
    return _("已登记收到容缺材料。")


def _revoke(actor: Actor, case, form):
    data = form.cleaned_data
    services.case_revoke(
        actor=actor,
        case_id=case.pk,
        legal_basis=data["legal_basis"],
        reason=data["reason"],
        expected_revision=data["revision"],
    )
    return _("已撤销该审批决定。")


def _withdraw(actor: Actor, case, form):
    data = form.cleaned_data
    services.case_withdraw(actor=actor, case_id=case.pk, reason=data["reason"], expected_revision=data["revision"])
    return _("已按申请人要求撤回申请。")


ACT_HANDLERS = {
    "accept": _accept,
    "refuse": _refuse,
    "request_correction": _correction,
    "approve_step": _approve_step,
    "return_step": _return_step,
    "start_special": _special_start,
    "end_special": _special_end,
    "decide": _decide,
    "issue_result": _issue,
    "deliver": _deliver,
    "receive_owed": _owed_receive,
    "revoke": _revoke,
    "withdraw": _withdraw,
}


@staff_required
@xframe_options_sameorigin
def case_file(request, file_id: int):
    """A material file shown inline (the case page previews it); every view is audited."""
    case_file = selectors.case_file_for(actor=request.user, file_id=file_id)
    audit_record(
        action="case.file_view",
        obj=case_file.case,
        actor=request.user,
        region_code=case_file.case.region_code,
        detail={"file_id": case_file.pk, "name": case_file.original_name, "sha256": case_file.sha256},
    )
    return stored_file_response(
        case_file.file.open("rb"), content_type=case_file.content_type, name=case_file.original_name, inline=True
    )


# ---------------------------------------------------------------- window and agent: finding who and what


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


def _applicant_find(actor: Actor, who: str) -> Applicant | None:
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


def _start_page(request, *, agent: bool):
    lookup = forms.ApplicantLookupForm(request.POST if request.method == "POST" else None)
    not_found = False
    if lookup.is_bound and lookup.is_valid():
        applicant = _applicant_find(request.user, lookup.cleaned_data["who"])
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
        "not_found": not_found,
        "query": query,
        "items": _items_for(request, applicant, query, agent=agent),
        "recent": selectors.cases_of_applicant(actor=request.user).object_list,
        "drafts": selectors.cases_of_applicant(actor=request.user, drafts=True).object_list,
    }
    template = "cases/workbench/_item_choices.html" if request.htmx else "cases/workbench/filing_start.html"
    return render(request, template, context)


def _desk_applicant(request) -> Applicant | None:
    who = request.session.get(DESK_APPLICANT)
    return _applicant_find(request.user, who) if who else None


def _chosen(request, *, agent: bool) -> tuple[Applicant, object]:
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
@_post_required(*workflow.FRONT_DESK)
def window_start(request):
    """一窗受理: find the applicant, choose the item, start the draft."""
    if "item_id" not in request.POST:
        return _start_page(request, agent=False)
    try:
        applicant, version = _chosen(request, agent=False)
        case = services.case_draft_start(
            actor=request.user,
            item_id=version.item_id,
            person_id=applicant.person.pk,
            legal_person_id=applicant.legal_person.pk if applicant.legal_person else None,
            channel=Case.WINDOW,
        )
    except TongbanError as error:
        messages.error(request, error.message)
        return redirect("caseswork:window_start")
    return redirect("caseswork:filing", case.pk)


# ---------------------------------------------------------------- agent: the applicant's consent


@staff_required
@_post_required("agent")
def agent_start(request):
    """代办: find the villager and the item, then record their consent."""
    if "item_id" not in request.POST:
        return _start_page(request, agent=True)
    try:
        applicant, version = _chosen(request, agent=True)
    except TongbanError as error:
        messages.error(request, error.message)
        return redirect("caseswork:agent_start")
    request.session["agent_pending"] = {"who": applicant.who, "item_id": version.item_id}
    request.session.pop("agent_sms", None)
    return redirect("caseswork:agent_consent")


def _pending(request) -> tuple[Applicant, object] | None:
    pending = request.session.get("agent_pending")
    if not pending:
        return None
    applicant = _applicant_find(request.user, pending["who"])
    if applicant is None:
        return None
    return applicant, catalog.item_guide(pending["item_id"])


@staff_required
@_post_required("agent")
def agent_consent(request):
    """The villager authorises the agent: a code sent to their phone read out, or a signature."""
    chosen = _pending(request)
    if chosen is None:
        messages.warning(request, _("请先查找申请人并选择事项。"))
        return redirect("caseswork:agent_start")
    applicant, version = chosen
    action = request.POST.get("action", "") if request.method == "POST" else ""
    handlers = {"sms_send": _sms_send, "sms_confirm": _sms_confirm, "signature": _signature}
    if action in handlers:
        return handlers[action](request, applicant, version)
    return _consent_page(request, applicant, version)


def _consent_page(request, applicant, version, *, sms_form=None, signature_form=None, error="", status=200):
    sent = request.session.get("agent_sms")
    context = {
        "applicant": applicant,
        "version": version,
        "sms_sent_to": sent["phone_masked"] if sent else "",
        "sms_available": sms_available(),
        "sms_form": sms_form or forms.SmsCodeForm(),
        "signature_form": signature_form or forms.SignatureForm(),
        "error": error,
    }
    return render(request, "cases/workbench/agent_consent.html", context, status=status)


def _sms_send(request, applicant, version):
    try:
        challenge = consent.consent_sms_send(agent=request.user, person=applicant.person, item_name=version.name)
    except TongbanError as error:
        return _consent_page(request, applicant, version, error=error.message, status=error.status)
    request.session["agent_sms"] = challenge
    messages.info(request, _("验证码已发送至 %(phone)s。") % {"phone": challenge["phone_masked"]})
    return redirect("caseswork:agent_consent")


def _sms_confirm(request, applicant, version):
    form = forms.SmsCodeForm(request.POST)
    if not form.is_valid():
        return _consent_page(request, applicant, version, sms_form=form, status=422)
    challenge = request.session.get("agent_sms")
    try:
        given = consent.consent_sms_confirm(challenge, person_id=applicant.person.pk, code=form.cleaned_data["code"])
    except TongbanError as error:
        request.session.modified = True  # the try counted
        return _consent_page(request, applicant, version, sms_form=form, error=error.message, status=422)
    return _agent_draft(request, applicant, version, given)


def _signature(request, applicant, version):
    form = forms.SignatureForm(request.POST, request.FILES)
    if not form.is_valid():
        return _consent_page(request, applicant, version, signature_form=form, status=422)
    upload = form.cleaned_data["signature"]
    content = upload.read()
    try:
        given = consent.consent_signature(name=upload.name, content=content)
    except TongbanError as error:
        return _consent_page(request, applicant, version, signature_form=form, error=error.message, status=422)
    return _agent_draft(request, applicant, version, given, signature=(upload.name, content))


def _agent_draft(request, applicant, version, given: dict, signature=None):
    try:
        case = services.case_draft_start(
            actor=request.user,
            item_id=version.item_id,
            person_id=applicant.person.pk,
            legal_person_id=applicant.legal_person.pk if applicant.legal_person else None,
            channel=Case.AGENT,
            consent=given,
        )
        if signature is not None:
            name, content = signature
            consent.consent_signature_keep(actor=request.user, case=case, name=name, content=content)
    except TongbanError as error:
        return _consent_page(request, applicant, version, error=error.message, status=error.status)
    request.session.pop("agent_pending", None)
    request.session.pop("agent_sms", None)
    messages.success(request, _("已记录申请人授权，请填写申请表并上传材料。"))
    return redirect("caseswork:filing", case.pk)


# ---------------------------------------------------------------- filing: form, materials, submission


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


def _filing_keep(request, case: Case) -> None:
    """Save what the clerk entered: the answers, paper originals checked, scans uploaded."""
    specs = form_spec(catalog.version_for_case(case.version_id))
    answers = {**forms.answers_from_post(specs, request.POST), **_known_identifiers(specs, case)}
    services.case_draft_save(actor=request.user, case_id=case.pk, answers=answers)
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
        "documents": _documents(case),
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


@staff_required
def recomputation_progress(request, job_id: int):
    """HTMX: the progress of a rebuild of deadlines after a calendar change (polled while it runs)."""
    job = selectors.deadline_recomputation_get(job_id=job_id)
    return render(request, "cases/workbench/_recomputation.html", {"job": job})
