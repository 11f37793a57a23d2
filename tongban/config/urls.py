from django.contrib import admin
from django.urls import include, path
from django.views.defaults import page_not_found

from tongban.accounts.forms import AdminLoginForm
from tongban.config.api import api, problem
from tongban.core.views import healthz

admin.site.site_header = "通办 · 管理后台"
admin.site.site_title = "通办管理后台"
admin.site.index_title = "平台数据管理"
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("workbench/cases/", include("tongban.cases.urls_workbench")),
    path("workbench/exchange/access/", include("tongban.exchange.urls_access")),
    path("workbench/exchange/calls/", include("tongban.exchange.urls_calls")),
    path("workbench/exchange/", include("tongban.exchange.urls")),
    path("workbench/licences/", include("tongban.licences.urls")),
    path("workbench/", include("tongban.workbench.urls")),
    path("me/cases/", include("tongban.cases.urls_portal")),
    path("me/data/", include("tongban.exchange.urls_portal")),
    path("me/licences/", include("tongban.licences.urls_portal")),
    path("me/inbox/", include("tongban.notifications.urls")),
    path("verify/licences/", include("tongban.licences.urls_public")),
    path("verify/", include("tongban.cases.urls_public")),
    path("services/", include("tongban.catalog.urls")),
    path("documents/cases/", include("tongban.cases.urls_documents")),
    path("", include("tongban.portal.urls")),
]


def not_found(request, exception):
    """An API address that names no operation, or whose path parameter has the wrong form (a
    letter where a number goes), is refused like every API call: problem+json in Chinese. Pages
    keep the site's own page."""
    if request.path.startswith("/api/"):
        return problem(
            request,
            status=404,
            code="endpoint_not_found",
            title="接口地址不存在",
            detail="请求的地址不对应任何接口，或路径参数的格式不对（如证照、批次的编号应为数字）：请对照接口文档检查。",
        )
    return page_not_found(request, exception)


handler404 = not_found
