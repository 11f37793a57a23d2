"""The versioned HTTP API (/api/v1): one NinjaAPI, a router per context, one error mapping."""

import functools

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tongban.accounts.api import router as accounts_router
from tongban.cases.api import router as cases_router
from tongban.catalog.api import router as catalog_router
from tongban.core.api import router as calendar_router
from tongban.core.errors import TongbanError
from tongban.core.nul import NUL_REFUSED, request_has_nul
from tongban.exchange.api import router as exchange_router
from tongban.licences.api import router as licences_router
from tongban.org.api import router as org_router

PROBLEM_SCHEMA = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details: a Chinese title and detail, a stable machine-readable code.",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "examples": ["urn:tongban:error:not_found"]},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "field": {"type": "string", "description": "the field at fault, when one is"},
        "problems": {"type": "array", "items": {"type": "string"}, "description": "every failure of a file check"},
        "errors": {"type": "array", "items": {}, "description": "the schema errors of a malformed request"},
    },
}
REFUSALS = {
    400: "请求格式不符合接口定义（errors 列出字段）",
    401: "未登录，或 API 密钥无效、已吊销、已过期",
    403: "无权执行此操作，或网页调用未带 CSRF 令牌",
    404: "对象不存在、不在调用方的数据范围内，或路径参数的格式不对",
    409: "与他人的操作冲突（如已被认领、版本已变），或唯一值已被占用",
    413: "请求体过大（文件以 Base64 计）",
    422: "内容未通过业务校验（message 说明如何改正）",
    429: "本时段内次数已达上限，请稍后再试",
    503: "依赖的部门系统或服务暂时不可用，请稍后重试",
}


def _refusals_of(path: str, method: str, operation: dict) -> list[int]:
    """The refusals an operation can answer: every one can be malformed or refused by a rule;
    signed-in ones can be unauthenticated or forbidden, ones naming an object (in the path, the
    query or the body) or answering within the caller's scope not find it, writes conflict or
    carry too large a body, exchange calls meet an unavailable provider, and an operation marked
    `x-throttled` is counted against a limit."""
    codes = [400, 422]
    if operation.get("security"):
        codes += [401, 403]
    if operation.get("security") or operation.get("parameters") or operation.get("requestBody"):
        codes.append(404)
    if method != "get":
        codes += [409, 413]
    if "/exchange/" in path:
        codes.append(503)
    if operation.get("x-throttled"):
        codes.append(429)
    return sorted(codes)


def _nul_refused(request: HttpRequest) -> None:
    """No U+0000 in what an operation reads: path, query, JSON or form body (core.nul)."""
    if request_has_nul(request):
        raise TongbanError(NUL_REFUSED, code="nul_character")


INTEGER_RANGE = (-(2**63), 2**63 - 1)  # what every database column of the platform holds


def _integers_in_range(values: dict) -> None:
    """Every integer an operation received (path, query, the body's declared fields) fits a
    database integer: beyond it, a lookup fails in the database instead of finding nothing."""
    pending = list(values.items())
    while pending:
        name, value = pending.pop()
        if isinstance(value, Schema):
            pending += [(field, getattr(value, field, None)) for field in type(value).model_fields]
        elif isinstance(value, list | tuple):
            pending += [(name, item) for item in value]
        elif (
            isinstance(value, int)
            and not isinstance(value, bool)
            and not (INTEGER_RANGE[0] <= value <= INTEGER_RANGE[1])
        ):
            raise TongbanError(
                f"“{name}”的值超出范围：整数应在 {INTEGER_RANGE[0]} 到 {INTEGER_RANGE[1]} 之间。",
                code="integer_out_of_range",
                field=name,
            )


def integers_checked(view):
    """Decorates every operation's view (after Ninja has parsed its input)."""

    @functools.wraps(view)
    def checked(request, *args, **values):
        _integers_in_range(values)
        return view(request, *args, **values)

    return checked


class TongbanAPI(NinjaAPI):
    """Ninja, with every operation's refusals documented as problem+json, and input refused
    before it is parsed when it holds a character no field may hold."""

    def create_temporal_response(self, request: HttpRequest):
        """Ninja's first step inside every operation's error handling (after authentication)."""
        _nul_refused(request)
        return super().create_temporal_response(request)

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema["components"].setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                for code in _refusals_of(path, method, operation):
                    if code not in responses and str(code) not in responses:  # Ninja keys them by int
                        responses[code] = {"description": REFUSALS[code], "content": problem}
        return schema


api = TongbanAPI(
    title="通办 API",
    version="1",
    description="示范市一网通办平台接口。错误以 application/problem+json 返回，含中文说明与机器可读代码。",
    urls_namespace="api-v1",
)
api.add_decorator(integers_checked, mode="operation")
api.add_router("/org", org_router, tags=["组织机构"])
api.add_router("/calendar", calendar_router, tags=["工作日日历"])
api.add_router("/accounts", accounts_router, tags=["用户与身份"])
api.add_router("/catalog", catalog_router, tags=["事项清单"])
api.add_router("/cases", cases_router, tags=["办件"])
api.add_router("/exchange", exchange_router, tags=["数据共享交换"])
api.add_router("/licences", licences_router, tags=["电子证照"])


def problem(request: HttpRequest, *, status: int, code: str, title: str, detail: str, **extra):
    body = {"type": f"urn:tongban:error:{code}", "title": title, "status": status, "detail": detail, "code": code}
    body.update(extra)
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = "application/problem+json"
    return response


@api.exception_handler(TongbanError)
def tongban_error(request, error: TongbanError):
    extra = {"field": error.field} if error.field else {}
    if error.problems:
        extra["problems"] = error.problems
    return problem(request, status=error.status, code=error.code, title=error.message, detail=error.message, **extra)


@api.exception_handler(ValidationError)
def schema_error(request, error: ValidationError):
    return problem(
        request,
        status=400,
        code="bad_request",
        title="请求格式不正确",
        detail="请求参数不符合接口定义，请按 errors 中列出的字段修改后重试。",
        errors=error.errors,
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request, error):
    return problem(request, status=401, code="unauthenticated", title="请先登录", detail="请先登录后再调用此接口。")


@api.exception_handler(RequestDataTooBig)
def body_too_large(request, error):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1_048_576
    return problem(
        request,
        status=413,
        code="request_too_large",
        title="请求体过大",
        detail=f"请求体超过{limit} MB（文件以 Base64 计，约大三分之一）：每个文件不超过"
        f"{settings.TONGBAN_UPLOAD_MAX_BYTES // 1_048_576} MB，文件较多时请压缩或降低扫描分辨率后再提交。",
    )


@api.exception_handler(HttpError)
def http_error(request, error: HttpError):
    """Ninja's own refusals (CSRF, throttling), in Chinese like every other answer."""
    if "CSRF" in error.message:
        code, title = "csrf_failed", "请求未通过 CSRF 校验"
        detail = "网页内调用请在 X-CSRFToken 头中带上 csrftoken Cookie 的值；系统调用请只发送 X-Api-Key。"
    elif error.status_code == 429:
        code, title, detail = "throttled", "请求过于频繁", "请稍后再试。"
    else:
        code, title, detail = "bad_request", "请求无法处理", "请求不符合接口要求，请对照接口文档检查后重试。"
    return problem(request, status=error.status_code, code=code, title=title, detail=detail)
