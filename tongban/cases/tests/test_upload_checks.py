"""Uploads refused as a class: decompression bombs, PDFs with active content or streams that
inflate past the limit, names with control characters; long names keep their extension."""

import io
import struct
import zlib

import pytest
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, TextStringObject

from tongban.cases.tests.factories import pdf_bytes
from tongban.cases.uploads import NAME_MAX, stored_file_response, upload_check, upload_name
from tongban.core.errors import ValidationFailed


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` × `height` pixels, with almost no data behind it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b"")


def _pdf(build) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    build(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _with_script(writer: PdfWriter) -> None:
    """A document-level JavaScript action (the Names tree), as a page-opening script is carried."""
    script = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
    )
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("x"), writer._add_object(script)])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})


def _refused(content: bytes, name: str = "材料.pdf") -> str:
    with pytest.raises(ValidationFailed) as refused:
        upload_check(name=name, content=content)
    return refused.value.code


@pytest.mark.parametrize(("width", "height"), [(100_000, 100_000), (10_000, 7_000)])
def test_an_image_claiming_enormous_dimensions_is_refused_cleanly(width, height):
    assert _refused(_png_claiming(width, height), "照片.png") == "upload_image_too_large"


@pytest.mark.parametrize(
    "active",
    [
        _with_script,
        lambda writer: writer.add_attachment("readme.txt", b"hello"),
        lambda writer: writer._root_object.update({NameObject("/OpenAction"): writer.pages[0].indirect_reference}),
        lambda writer: writer.pages[0].update({NameObject("/AA"): writer._root_object.indirect_reference}),
    ],
    ids=["javascript", "embedded file", "open action", "page action"],
)
def test_a_pdf_with_active_content_is_refused(active):
    assert _refused(_pdf(active)) == "upload_pdf_active"


def test_an_active_name_hidden_by_hex_escapes_is_still_found():
    content = _pdf(_with_script).replace(b"/JavaScript", b"/J#61vaScript")
    assert b"/JavaScript" not in content
    assert _refused(content) == "upload_pdf_active"


def test_a_pdf_whose_streams_inflate_past_the_limit_is_refused(settings):
    settings.TONGBAN_UPLOAD_MAX_INFLATED_BYTES = 1024 * 1024

    def huge_content(writer):
        stream = DecodedStreamObject()
        stream.set_data(b"0 0 m\n" * 1_000_000)  # 6 MB of drawing operators, a few KB compressed
        writer.pages[0].replace_contents(stream.flate_encode())

    content = _pdf(huge_content)
    assert len(content) < 100_000
    assert _refused(content) == "upload_pdf_inflates"


def test_a_plain_pdf_and_image_still_pass():
    assert upload_check(name="申请表.pdf", content=pdf_bytes(2)).pages == 2
    assert upload_check(name="申请表.pdf", content=_pdf(lambda writer: None)).pages == 1


@pytest.mark.parametrize("name", ["a\x00.pdf", "invoice\u202efdp.exe", "line\nbreak.pdf", "tab\t.pdf"])
def test_a_name_with_control_or_invisible_characters_is_refused(name):
    with pytest.raises(ValidationFailed) as refused:
        upload_name(name)
    assert refused.value.code == "upload_name_refused"


def test_a_very_long_name_keeps_its_extension_and_folders_are_dropped():
    kept = upload_name("很长的名字" * 100 + ".pdf")
    assert len(kept) == NAME_MAX and kept.endswith(".pdf")
    assert upload_name("C:\\Users\\王\\身份证.jpg") == "身份证.jpg"
    assert upload_name("../../etc/passwd.pdf") == "passwd.pdf"


@pytest.mark.parametrize(
    ("content_type", "inline", "disposition", "sandboxed"),
    [
        ("application/pdf", True, "inline", False),
        ("image/png", True, "inline", True),
        ("application/pdf", False, "attachment", False),
        ("text/html", True, "attachment", False),  # never stored today; would still download
    ],
)
def test_stored_files_download_unless_a_safe_preview_and_load_nothing(content_type, inline, disposition, sandboxed):
    response = stored_file_response(io.BytesIO(b"x"), content_type=content_type, name="材料.pdf", inline=inline)
    assert response["Content-Disposition"].startswith(disposition)
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and policy.startswith("sandbox") == sandboxed
    assert response["Cache-Control"] == "private, no-store"
