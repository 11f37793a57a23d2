"""U+0000 in input: PostgreSQL text and jsonb cannot hold it, so a query carrying it fails in the
database, and nothing a person means contains it. Every request is checked before its view runs:
pages by core.middleware (an error page), the API by config.api (problem+json)."""

import re

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest

NUL_REFUSED = "请求中含有空字符（U+0000），平台不接受该字符：请从路径、查询参数或请求体中删除后重试。"
# A JSON escape of U+0000 that is not itself an escaped backslash followed by "u0000".
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def json_has_nul(raw: bytes) -> bool:
    """Whether a JSON document would decode to a string holding U+0000."""
    return b"\x00" in raw or _JSON_NUL.search(raw) is not None


def request_has_nul(request: HttpRequest) -> bool:
    """Whether anything a view reads holds U+0000: the path, the query, a form's fields and file
    names, or a JSON body's strings."""
    texts = [request.path, *(part for key, values in request.GET.lists() for part in (key, *values))]
    if request.method == "POST" and request.content_type in (
        "multipart/form-data",
        "application/x-www-form-urlencoded",
    ):
        texts += [part for key, values in request.POST.lists() for part in (key, *values)]
        # values(): the last file of each field; the stubs allow for a field's empty list too.
        texts += [upload.name or "" for upload in request.FILES.values() if isinstance(upload, UploadedFile)]
    if any("\x00" in text for text in texts):
        return True
    return request.content_type == "application/json" and json_has_nul(request.body)
