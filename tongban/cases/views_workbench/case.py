"""One case: its page with the acts this person may do now, claim and release, the act forms,
the material files, the documents and the receipt."""

import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from tongban.accounts.decorators import staff_required
from tongban.accounts.types import Actor
from tongban.cases import forms_workbench as forms, results, selectors, services, workflow
from tongban.cases.models import Case
from tongban.cases.uploads import stored_file_response
from tongban.catalog import selectors as catalog
from tongban.core.audit import audit_record
from tongban.core.errors import Conflict, TongbanError
from tongban.core.masking import mask


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
        "documents": documents(case),
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


def documents(case: Case) -> list:
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
