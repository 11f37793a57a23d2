"""U+0000 in input: PostgreSQL text and jsonb cannot hold it, so a query carrying it fails in the
database, and nothing a person means contains it. The API refuses it before parsing (config.api);
forms refuse it through Django's ProhibitNullCharactersValidator."""

import re

NUL_REFUSED = "请求中含有空字符（U+0000），平台不接受该字符：请从路径、查询参数或请求体中删除后重试。"
# A JSON escape of U+0000 that is not itself an escaped backslash followed by "u0000".
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def json_has_nul(raw: bytes) -> bool:
    """Whether a JSON document would decode to a string holding U+0000."""
    return b"\x00" in raw or _JSON_NUL.search(raw) is not None
