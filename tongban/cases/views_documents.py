"""Downloads of a case's documents (文书) as PDF. Who may read the case and which documents it has
are decided in documents.py; anyone else gets "not found"."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tongban.cases import documents


@require_GET
@never_cache
def case_document_pdf(request, case_id: int, kind: str):
    actor = request.user if request.user.is_authenticated else None
    document = documents.case_document_download(actor=actor, case_id=case_id, kind=kind)
    response = HttpResponse(document.content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=document.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
