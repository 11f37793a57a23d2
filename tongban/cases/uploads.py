"""Checks an uploaded material file by what it really is, not by its name: the content type from
its first bytes, its size, and for a PDF that it opens and how many pages it has."""

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from tongban.core.errors import ValidationFailed

SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


@dataclass(frozen=True)
class CheckedUpload:
    content: bytes
    content_type: str
    pages: int
    sha256: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def upload_check(*, name: str, content: bytes) -> CheckedUpload:
    """A file fit to keep as a material, or ValidationFailed saying what to do instead."""
    limit = settings.TONGBAN_UPLOAD_MAX_BYTES
    if not content:
        raise ValidationFailed(f"文件“{name}”是空的，请重新选择。", code="upload_empty")
    if len(content) > limit:
        raise ValidationFailed(
            f"文件“{name}”有{len(content) / 1_048_576:.1f} MB，超过{limit // 1_048_576} MB的上限，请压缩或分拆后上传。",
            code="upload_too_large",
        )
    content_type = _sniff(content)
    if content_type is None:
        raise ValidationFailed(
            f"文件“{name}”不是PDF、JPG或PNG格式（按文件内容判断），请转换后上传。", code="upload_type_refused"
        )
    pages = _pdf_pages(name, content) if content_type == "application/pdf" else _image_pages(name, content)
    return CheckedUpload(content, content_type, pages, hashlib.sha256(content).hexdigest())


def _sniff(content: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES.items() if content.startswith(magic)), None)


def _pdf_pages(name: str, content: bytes) -> int:
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise ValidationFailed(f"PDF“{name}”设有密码，请去掉密码后上传。", code="upload_pdf_encrypted")
        pages = len(reader.pages)
    except (PdfReadError, ValueError, KeyError, OSError):
        raise ValidationFailed(f"PDF“{name}”已损坏，无法打开，请重新生成后上传。", code="upload_pdf_broken") from None
    if pages == 0:
        raise ValidationFailed(f"PDF“{name}”没有页面。", code="upload_pdf_empty")
    if pages > settings.TONGBAN_UPLOAD_MAX_PAGES:
        raise ValidationFailed(
            f"PDF“{name}”有{pages}页，超过{settings.TONGBAN_UPLOAD_MAX_PAGES}页的上限，请分拆后上传。",
            code="upload_pdf_too_long",
        )
    return pages


def _image_pages(name: str, content: bytes) -> int:
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationFailed(
            f"图片“{name}”已损坏，无法打开，请重新拍摄或扫描。", code="upload_image_broken"
        ) from None
    return 1
