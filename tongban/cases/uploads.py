"""Checks an uploaded material file by what it really is, not by its name: the content type from
its first bytes, its size, its name (no control characters; shortened keeping its extension), for
an image its pixel count (no decompression bomb), and for a PDF that it opens, how many pages it
has, that it carries no active content and that its streams do not inflate past a limit (ADR 0009).
"""

import hashlib
import io
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

from tongban.core.errors import ValidationFailed

SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
NAME_MAX = 200  # CaseFile.original_name
# PDF names that make a reader act: run script, open a file or a link, play media, carry files.
ACTIVE_KEYS = {"/JavaScript", "/JS", "/OpenAction", "/AA", "/Launch", "/EmbeddedFile", "/EmbeddedFiles"}
ACTIVE_KEYS |= {"/RichMedia", "/XFA", "/GoToE", "/GoToR", "/SubmitForm", "/ImportData", "/Sound", "/Movie"}
PDF_OBJECTS_MAX = 200_000
# Shown inline only when asked and of a type the platform itself checked; anything else downloads.
SAFE_PREVIEW = frozenset(EXTENSIONS)
# A stored file may load nothing and run nothing. Images also get a sandbox; PDFs cannot (Chromium's
# viewer refuses a sandboxed document), which is why a PDF with active content is refused at upload.
FILE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'; frame-ancestors 'self'"


@dataclass(frozen=True)
class CheckedUpload:
    name: str  # the name to keep: checked, at most NAME_MAX characters, its extension kept
    content: bytes
    content_type: str
    pages: int
    sha256: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def upload_check(*, name: str, content: bytes) -> CheckedUpload:
    """A file fit to keep as a material, or ValidationFailed saying what to do instead."""
    name = upload_name(name)
    limit = settings.TONGBAN_UPLOAD_MAX_BYTES
    if not content:
        raise ValidationFailed(f"文件“{name}”是空的，请重新选择。", code="upload_empty")
    if len(content) > limit:
        raise _too_large(name, len(content))
    content_type = _sniff(content)
    if content_type is None:
        raise ValidationFailed(
            f"文件“{name}”不是PDF、JPG或PNG格式（按文件内容判断），请转换后上传。", code="upload_type_refused"
        )
    pages = _pdf_pages(name, content) if content_type == "application/pdf" else _image_pages(name, content)
    return CheckedUpload(name, content, content_type, pages, hashlib.sha256(content).hexdigest())


def upload_read(file: UploadedFile) -> bytes:
    """The content of a file sent as multipart (a page's form or the API), refused before it is read
    into memory when it is over the limit: the same words as `upload_check`."""
    if file.size is not None and file.size > settings.TONGBAN_UPLOAD_MAX_BYTES:
        raise _too_large(upload_name(file.name or ""), file.size)
    return file.read()


def _too_large(name: str, size: int) -> ValidationFailed:
    limit = settings.TONGBAN_UPLOAD_MAX_BYTES
    return ValidationFailed(
        f"文件“{name}”有{size / 1_048_576:.1f} MB，超过{limit // 1_048_576} MB的上限，请压缩或分拆后上传。",
        code="upload_too_large",
    )


def upload_name(raw: str) -> str:
    """The file's own name (no folders), refused if it holds control characters, shortened to
    NAME_MAX characters with its extension kept."""
    name = PurePosixPath((raw or "").replace("\\", "/")).name.strip()
    if any(unicodedata.category(c) in {"Cc", "Cf", "Cs"} for c in name):
        raise ValidationFailed(
            "文件名含有控制字符或不可见字符，请把文件改名（只用文字、数字和常见符号）后重新上传。",
            code="upload_name_refused",
        )
    if not name:
        return "未命名文件"
    if len(name) <= NAME_MAX:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 10:
        return name[:NAME_MAX]
    return stem[: NAME_MAX - len(extension) - 2] + "…." + extension


def _sniff(content: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES.items() if content.startswith(magic)), None)


def _pdf_pages(name: str, content: bytes) -> int:
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise ValidationFailed(f"PDF“{name}”设有密码，请去掉密码后上传。", code="upload_pdf_encrypted")
        pages = len(reader.pages)
        _pdf_passive(name, reader)
    except (PdfReadError, ValueError, KeyError, OSError, RecursionError, zlib.error):
        raise ValidationFailed(f"PDF“{name}”已损坏，无法打开，请重新生成后上传。", code="upload_pdf_broken") from None
    if pages == 0:
        raise ValidationFailed(f"PDF“{name}”没有页面。", code="upload_pdf_empty")
    if pages > settings.TONGBAN_UPLOAD_MAX_PAGES:
        raise ValidationFailed(
            f"PDF“{name}”有{pages}页，超过{settings.TONGBAN_UPLOAD_MAX_PAGES}页的上限，请分拆后上传。",
            code="upload_pdf_too_long",
        )
    return pages


def _pdf_passive(name: str, reader: PdfReader) -> None:
    """Every object reachable from the trailer: no active content, streams within the inflation
    limit. pypdf resolves #-escaped names and object streams, so hiding a name does not help."""
    inflated, seen, pending = 0, set(), [reader.trailer]
    while pending:
        node = pending.pop()
        if isinstance(node, IndirectObject):
            if (node.idnum, node.generation) in seen:
                continue
            seen.add((node.idnum, node.generation))
            if len(seen) > PDF_OBJECTS_MAX:
                raise ValidationFailed(f"PDF“{name}”的对象过多，请重新生成后上传。", code="upload_pdf_too_complex")
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            active = ACTIVE_KEYS & ({str(key) for key in node} | {str(node.get("/S", "")), str(node.get("/Type", ""))})
            if active:
                raise ValidationFailed(
                    f"PDF“{name}”含有脚本、自动动作或嵌入文件（{'、'.join(sorted(active))}），不能作为材料；"
                    "请用“打印为PDF”重新生成后上传。",
                    code="upload_pdf_active",
                )
            if isinstance(node, StreamObject):
                inflated += _inflated_size(name, node, settings.TONGBAN_UPLOAD_MAX_INFLATED_BYTES - inflated)
            pending.extend(value for key, value in node.items() if key != "/Parent")
        elif isinstance(node, ArrayObject):
            pending.extend(node)


def _inflated_size(name: str, stream: StreamObject, room: int) -> int:
    """The stream's size once inflated, refused beyond `room` (only Flate inflates by orders of magnitude)."""
    data = stream._data
    filters = stream.get("/Filter")
    names = [str(f) for f in filters] if isinstance(filters, ArrayObject) else [str(filters)] if filters else []
    if "/FlateDecode" not in names:
        return len(data)
    inflater = zlib.decompressobj()
    size = len(inflater.decompress(data, room + 1))
    if size > room:
        raise ValidationFailed(
            f"PDF“{name}”解压后超过{settings.TONGBAN_UPLOAD_MAX_INFLATED_BYTES // 1_048_576} MB，"
            "可能是异常文件，请重新生成后上传。",
            code="upload_pdf_inflates",
        )
    return size


def _image_pages(name: str, content: bytes) -> int:
    try:
        with Image.open(io.BytesIO(content)) as image:
            pixels = image.width * image.height
            limit = settings.TONGBAN_UPLOAD_MAX_PIXELS
            if pixels > limit:
                raise ValidationFailed(
                    f"图片“{name}”有{pixels // 1_000_000}百万像素，"
                    f"超过{limit // 1_000_000}百万像素的上限，请缩小后上传。",
                    code="upload_image_too_large",
                )
            image.verify()
    except Image.DecompressionBombError:
        raise ValidationFailed(f"图片“{name}”的尺寸异常大，请缩小后上传。", code="upload_image_too_large") from None
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationFailed(
            f"图片“{name}”已损坏，无法打开，请重新拍摄或扫描。", code="upload_image_broken"
        ) from None
    return 1


def stored_file_response(file, *, content_type: str, name: str, inline: bool = False) -> FileResponse:
    """The one way a stored upload is served: attachment unless an inline preview of a safe type,
    under a policy that lets it load and run nothing, never cached by a shared cache."""
    preview = inline and content_type in SAFE_PREVIEW
    response = FileResponse(file, content_type=content_type, filename=name, as_attachment=not preview)
    sandbox = "sandbox; " if content_type.startswith("image/") else ""
    response["Content-Security-Policy"] = sandbox + FILE_POLICY
    response["Cache-Control"] = "private, no-store"
    return response
