"""Wallet pages: on the holder's licence page (/me/licences/<id>/) the sections 授权使用 (authorise a
department or a case, revoke) and 使用记录 (every use of the licence); on the workbench
(/workbench/licences/shared/) the licences shared with the staff member's department or cases, each
opened or downloaded as one logged use. Views check the shape of input; wallet.py decides."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from tongban.accounts.decorators import staff_required
from tongban.core.errors import TongbanError
from tongban.core.forms import add_service_error
from tongban.licences import selectors, wallet
from tongban.licences.forms_wallet import AuthorisationForm
from tongban.licences.models import Licence

# ---------------------------------------------------------------- holder


def holder_sections(request, licence: Licence, form: AuthorisationForm | None = None) -> dict:
    """The context of the 授权使用 and 使用记录 sections for a licence read as its holder's side."""
    day = wallet.today()
    may_authorise = wallet.licence_may_be_authorised(licence)
    if may_authorise and form is None:
        form = AuthorisationForm(departments=wallet.department_choices())
    return {
        "authorisations": [
            (item, state, wallet.STATES[state])
            for item in wallet.authorisations_of_licence(licence)
            for state in [wallet.authorisation_state(item, on=day)]
        ],
        "may_authorise": may_authorise,
        "form": form if may_authorise else None,
        "uses": wallet.uses_of_licence(licence, page=request.GET.get("uses_page", 1)),
    }


@login_required
@require_POST
def my_licence_authorise(request, licence_id: int):
    licence = selectors.licence_for_holder(user=request.user, licence_id=licence_id)
    form = AuthorisationForm(request.POST, departments=wallet.department_choices())
    if form.is_valid():
        try:
            authorisation = wallet.licence_authorise(actor=request.user, licence_id=licence.pk, **form.cleaned_data)
        except TongbanError as error:
            add_service_error(form, error)
        else:
            target = authorisation.department.name if authorisation.department_id else authorisation.case_number
            messages.success(
                request,
                _("已授权“%(target)s”使用该证照至%(until)s。每次使用都会记入下方的使用记录。")
                % {"target": target, "until": f"{authorisation.valid_until:%Y-%m-%d}"},
            )
            return redirect(reverse("mylicences:detail", args=[licence.pk]) + "#authorisations")
    context = {
        "licence": licence,
        "rows": selectors.licence_rows(licence),
        **holder_sections(request, licence, form),
    }
    return render(request, "licences/portal/detail.html", context, status=422)


@login_required
@require_POST
def my_licence_authorisation_revoke(request, authorisation_id: int):
    authorisation = wallet.authorisation_for_holder(actor=request.user, authorisation_id=authorisation_id)
    try:
        wallet.licence_authorisation_revoke(actor=request.user, authorisation_id=authorisation.pk)
    except TongbanError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已撤回授权，被授权方即时起不能再使用该证照。"))
    return redirect(reverse("mylicences:detail", args=[authorisation.licence_id]) + "#authorisations")


# ---------------------------------------------------------------- authorised staff


@staff_required
def shared_list(request):
    page = wallet.authorisations_shared_page(request.user, page=request.GET.get("page", 1))
    return render(request, "licences/shared/list.html", {"page": page, "extra": ""})


@staff_required
@require_GET
@never_cache
def shared_detail(request, authorisation_id: int):
    read = wallet.licence_shared_read(actor=request.user, authorisation_id=authorisation_id)
    licence = read.licence
    context = {
        "authorisation": read.authorisation,
        "licence": licence,
        "rows": selectors.licence_rows(licence),
        "expired": bool(licence.valid_until and licence.valid_until < wallet.today()),
    }
    return render(request, "licences/shared/detail.html", context)


@staff_required
@require_GET
@never_cache
def shared_pdf(request, authorisation_id: int):
    read = wallet.licence_shared_read(actor=request.user, authorisation_id=authorisation_id, as_pdf=True)
    response = HttpResponse(read.content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=read.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
