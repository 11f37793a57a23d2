"""代办: the villager's consent to a village agent filing for them, by a code read out or a
signature (cases.consent does the proving)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tongban.accounts.decorators import post_required, staff_required
from tongban.cases import consent, forms_workbench as forms
from tongban.cases.models import Case
from tongban.cases.views_workbench.desk import Applicant, applicant_find, chosen, start_page
from tongban.catalog import selectors as catalog
from tongban.core.errors import TongbanError
from tongban.notifications.services import sms_available


@staff_required
@post_required("agent")
def agent_start(request):
    """代办: find the villager and the item, then record their consent."""
    if "item_id" not in request.POST:
        return start_page(request, agent=True)
    try:
        applicant, version = chosen(request, agent=True)
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
    applicant = applicant_find(request.user, pending["who"])
    if applicant is None:
        return None
    return applicant, catalog.item_guide(pending["item_id"])


@staff_required
@post_required("agent")
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
        case = applicant.draft_start(request.user, version, channel=Case.AGENT, consent=given)
        if signature is not None:
            name, content = signature
            consent.consent_signature_keep(actor=request.user, case=case, name=name, content=content)
    except TongbanError as error:
        return _consent_page(request, applicant, version, error=error.message, status=error.status)
    request.session.pop("agent_pending", None)
    request.session.pop("agent_sms", None)
    messages.success(request, _("已记录申请人授权，请填写申请表并上传材料。"))
    return redirect("caseswork:filing", case.pk)
