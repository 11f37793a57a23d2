"""Uploaded tables (CSV in UTF-8, or xlsx) read row by row as lists of text, header first, and the
checks of an upload's content that a bulk import makes before it keeps the file. Shared by the
registries' imports (exchange) and the import of historical licences (licences); the batch and
its rejected-rows report are in core.import_batches.

CSV must be UTF-8 (a BOM is fine): a GBK file is refused with how to save it as UTF-8, rather
than guessed at — a wrong guess would put garbled names into signed records.
"""

import codecs
import csv
import datetime as dt
import io
from collections.abc import Generator
from typing import IO

from tongban.core.errors import TongbanError

NOT_UTF8 = "文件不是UTF-8编码。请在Excel中选择“另存为 → CSV UTF-8（逗号分隔）”后重新上传，或直接上传xlsx文件。"
XLSX_SUFFIX = ".xlsx"
ZIP_MAGIC = b"PK\x03\x04"  # an xlsx workbook is a zip archive
NOT_TEXT_MAGIC = (ZIP_MAGIC, b"\xd0\xcf\x11\xe0", b"%PDF")  # zip (xlsx, docx), legacy OLE (xls, doc), PDF
SNIFF_BYTES = 64 * 1024


class FileUnreadable(TongbanError):
    status = 422
    code = "import_unreadable"


def is_xlsx(filename: str) -> bool:
    return filename.lower().endswith(XLSX_SUFFIX)


def file_rows(handle: IO[bytes], filename: str) -> Generator[list[str]]:
    """The rows of an uploaded file as lists of text, header first. The handle stays the
    caller's: closing the rows leaves it open."""
    if is_xlsx(filename):
        return _xlsx_rows(handle)
    return _csv_rows(handle)


def _csv_rows(handle: IO[bytes]) -> Generator[list[str]]:
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    try:
        yield from csv.reader(text)
    except UnicodeDecodeError:
        raise FileUnreadable(NOT_UTF8) from None
    except csv.Error as error:
        raise FileUnreadable(f"CSV文件格式有误：{error}。") from None
    finally:
        if not handle.closed:  # a wrapper closes its buffer when collected: hand the handle back open
            text.detach()


def _xlsx_rows(handle: IO[bytes]) -> Generator[list[str]]:
    from openpyxl import load_workbook

    if not handle.seekable():
        handle = io.BytesIO(handle.read())
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception:  # openpyxl raises several kinds for a file that is not a workbook
        raise FileUnreadable("无法读取该xlsx文件，请确认文件未损坏且不是旧版xls格式。") from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [cell_text(value) for value in row]
    finally:
        workbook.close()


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def rows_estimate(handle: IO[bytes], filename: str) -> int:
    """Data rows in the file, for the progress bar: lines minus the header (quoted line breaks
    make it a slight over-estimate), or the sheet's recorded dimension for xlsx (0 when the
    workbook does not record it); corrected when the run ends."""
    if is_xlsx(filename):
        return _xlsx_rows_recorded(handle)
    lines, last = 0, b""
    while chunk := handle.read(1 << 20):
        lines += chunk.count(b"\n")
        last = chunk
    handle.seek(0)
    if last and not last.endswith(b"\n"):
        lines += 1
    return max(lines - 1, 0)


def _xlsx_rows_recorded(handle: IO[bytes]) -> int:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception:  # unreadable: the run that reads the rows reports it
        handle.seek(0)
        return 0
    try:
        return max((workbook.worksheets[0].max_row or 1) - 1, 0)
    finally:
        workbook.close()
        handle.seek(0)


def table_head(handle: IO[bytes], filename: str, *, rows: int = 2) -> list[list[str]]:
    """The first `rows` non-blank rows (header first), reading no further than needed; the
    handle is left open and rewound."""
    reader = file_rows(handle, filename)
    head: list[list[str]] = []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                head.append(row)
                if len(head) == rows:
                    break
    finally:
        reader.close()
        handle.seek(0)
    return head


def table_content_check(handle: IO[bytes], filename: str) -> None:
    """That the file is what its name says, by its content: an xlsx is a zip archive; a CSV is text
    (no binary signature, no NUL byte) in UTF-8 from end to end, so a run never stops halfway on
    an encoding error. Leaves the handle rewound."""
    handle.seek(0)
    start = handle.read(SNIFF_BYTES)
    handle.seek(0)
    if is_xlsx(filename):
        if not start.startswith(ZIP_MAGIC):
            raise FileUnreadable("文件内容不是xlsx工作簿（旧版xls请在Excel中另存为xlsx）。")
        return
    if start.startswith(NOT_TEXT_MAGIC) or b"\x00" in start:
        raise FileUnreadable("文件内容不是CSV文本：请上传CSV（UTF-8编码）或xlsx文件，不要只改文件扩展名。")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := handle.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise FileUnreadable(NOT_UTF8) from None
    finally:
        handle.seek(0)
