"""The versioned HTTP API (/api/v1): one NinjaAPI, a router per context, one error mapping."""

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tongban.accounts.api import router as accounts_router
from tongban.cases.api import router as cases_router
from tongban.catalog.api import router as catalog_router
from tongban.core.api import router as calendar_router
from tongban.core.errors import TongbanError
from tongban.exchange.api import router as exchange_router
from tongban.licences.api import router as licences_router
from tongban.org.api import router as org_router

api = NinjaAPI(
    title="通办 API",
    version="1",
    description="示范市一网通办平台接口。错误以 application/problem+json 返回，含中文说明与机器可读代码。",
    urls_namespace="api-v1",
)
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
