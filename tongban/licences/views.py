"""Licence pages: the public verification page (no log-in, /verify/licences/), the holder's wallet
(/me/licences/) and the staff pages (/workbench/licences/). Views check the shape of input; every
write is a service call; refusals show their Chinese message."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from tongban.accounts.decorators import staff_required
from tongban.core.errors import NotFound, TongbanError, ValidationFailed
from tongban.licences import documents, permissions, selectors, services, workflow
from tongban.licences.models import STATUS_CHOICES, VALID
from tongban.licences.views_wallet import holder_sections

# ---------------------------------------------------------------- public


@require_GET
@never_cache
def licence_verify(request, identifier: str):
    try:
        verification = selectors.licence_verify_public(identifier)
    except (NotFound, ValidationFailed) as error:
        response = render(request, "licences/public/not_found.html", {"message": error.message}, status=404)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
    licence = verification.licence
    context = {
        "v": verification,
        "licence": licence,
        "checked_at": timezone.localtime(),
    }
    response = render(request, "licences/public/verify.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# ---------------------------------------------------------------- holder


@login_required
def my_licences(request):
    page = selectors.licences_of_holder_page(request.user, page=request.GET.get("page", 1))
    return render(request, "licences/portal/list.html", {"page": page})


@login_required
def my_licence(request, licence_id: int):
    licence = selectors.licence_for_holder(user=request.user, licence_id=licence_id)
    context = {"licence": licence, "rows": selectors.licence_rows(licence)}
    context.update(holder_sections(request, licence))  # 授权使用 and 使用记录 (views_wallet)
    return render(request, "licences/portal/detail.html", context)


@login_required
@require_GET
@never_cache
def licence_pdf(request, licence_id: int):
    download = documents.licence_download(actor=request.user, licence_id=licence_id)
    response = HttpResponse(download.content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=download.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
@never_cache
def licence_document(request, licence_id: int):
    """The licence in its layout (版式), the same as the PDF, to view and print in the browser."""
    response = HttpResponse(documents.licence_document(actor=request.user, licence_id=licence_id))
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# ---------------------------------------------------------------- staff


@staff_required
def licence_list(request):
    query = {key: request.GET.get(key, "").strip() for key in ("q", "status", "type")}
    page = selectors.licence_search(
        actor=request.user,
        query=query["q"],
        status=query["status"],
        type_code=query["type"],
        page=request.GET.get("page", 1),
    )
    extra = urlencode({key: value for key, value in query.items() if value})
    context = {
        "page": page,
        "query": query,
        "extra": extra,
        "statuses": STATUS_CHOICES,
        "types": selectors.licence_type_choices(),
    }
    return render(request, "licences/workbench/list.html", context)


@staff_required
def licence_detail(request, licence_id: int):
    licence = selectors.licence_get(actor=request.user, licence_id=licence_id)
    may_act = permissions.staff_may_issue(
        request.user, department_id=licence.issuer_id, region_code=licence.region_code
    )
    acts = [(act, workflow.ACTS[act]) for act in workflow.acts_from(licence.status)] if may_act else []
    context = {
        "licence": licence,
        "history": [(row, workflow.HISTORY_LABELS.get(row.act, row.act)) for row in selectors.licence_history(licence)],
        "rows": selectors.licence_rows(licence),
        "acts": acts,
        "may_renew": may_act and licence.status == VALID and bool(licence.type.validity_years),
        "successors": list(licence.successors.only("pk", "identifier", "version")),
        "signature_valid": selectors.licence_verify_public(licence.identifier).signature_valid,
    }
    return render(request, "licences/workbench/detail.html", context)


@staff_required
@require_POST
def licence_act(request, licence_id: int):
    act = request.POST.get("act", "")
    reason = request.POST.get("reason", "")
    try:
        if act == "renew":
            licence = services.licence_renew(actor=request.user, licence_id=licence_id, reason=reason or "延续")
            messages.success(request, _("已延续，新版本 %(id)s 已签发。") % {"id": licence.identifier})
            return redirect(reverse("licwork:detail", args=[licence.pk]))
        services.licence_act(actor=request.user, licence_id=licence_id, act=act, reason=reason)
    except TongbanError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已%(act)s。") % {"act": workflow.ACTS.get(act, act)})
    return redirect(reverse("licwork:detail", args=[licence_id]))


@staff_required
def licence_type_list(request):
    types = selectors.licence_types().order_by("short_code")
    return render(request, "licences/workbench/types.html", {"types": types})
