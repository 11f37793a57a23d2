"""The public verification page a document's QR code opens: no log-in, the case's current state
(never cached, so a revoked case shows as revoked at once), personal data masked. The address
carries an HMAC token of the case number; a wrong token looks exactly like an unknown number."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tongban.cases import documents, selectors
from tongban.cases.models import Case
from tongban.core.errors import NotFound
from tongban.core.masking import mask

NOT_FOUND = "未找到该办件，请核对二维码。"
ENDED_BADLY = {Case.REVOKED, Case.REFUSED, Case.NOT_APPROVED, Case.WITHDRAWN}
GRANTED = {Case.APPROVED, Case.COMPLETED, Case.DELIVERED}


@require_GET
@never_cache
def case_verify(request, number: str, token: str):
    if not documents.verification_token_valid(number, token):
        return _not_found(request)
    try:
        case = selectors.case_public(number)
    except NotFound:
        return _not_found(request)
    latest = documents.national_status(case)
    context = {
        "case": case,
        "applicant": mask("name", case.applicant_name),
        "revoked": case.status == Case.REVOKED,
        "tone": "declined" if case.status in ENDED_BADLY else "active" if case.status in GRANTED else "pending",
        "status_code": latest.code if latest else None,
        "status_code_name": documents.NATIONAL_STATUS_NAMES.get(latest.code, "") if latest else "",
        "status_since": latest.created_at if latest else None,
        "decided_on": timezone.localdate(case.decided_at) if case.decided_at else None,
        "checked_at": timezone.localtime(),
    }
    response = render(request, "cases/public/verify.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _not_found(request):
    response = render(request, "cases/public/not_found.html", {"message": NOT_FOUND}, status=404)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
