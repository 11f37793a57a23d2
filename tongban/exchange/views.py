"""Staff pages of the data-resource catalogue (mounted at /workbench/exchange/): the catalogue with
search, filters and export; one resource with its fields and the items it supplies; and, for the
provider's data officers, the import page with live progress and the rejected-rows report.

Views check the shape of input and call one service per act; visibility and the right to manage
come from the selectors."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.accounts.decorators import staff_required
from tongban.core.errors import TongbanError
from tongban.core.import_batches import rejections_download
from tongban.exchange import selectors, services
from tongban.exchange.forms import CatalogueFilterForm, ImportForm
from tongban.exchange.models import DataResource, ResourceField

SENSITIVITY_BADGES = {
    ResourceField.PUBLIC: "badge-active",
    ResourceField.INTERNAL: "",
    ResourceField.SENSITIVE: "badge-revoked",
}
SHARING_BADGES = {
    DataResource.UNCONDITIONAL: "badge-active",
    DataResource.CONDITIONAL: "badge-pending",
    DataResource.NOT_SHARED: "badge-revoked",
}
HOSTING = (DataResource.HOSTED, DataResource.POPULATION, DataResource.LEGAL_ENTITY)


# ---------------------------------------------------------------- the catalogue


@staff_required
def catalogue_list(request):
    form = CatalogueFilterForm(request.GET)
    filters = form.values()
    page = selectors.resources_search(actor=request.user, page=request.GET.get("page", 1), **filters)
    for resource in page.object_list:
        resource.sharing_badge = SHARING_BADGES[resource.sharing]
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "params": params.urlencode(),
        "providers": selectors.catalogue_providers(actor=request.user),
        "sharing_choices": DataResource.SHARING,
        "served_by_choices": DataResource.SERVED_BY,
    }
    template = "exchange/catalogue/_resource_rows.html" if request.htmx else "exchange/catalogue/list.html"
    return render(request, template, context)


@staff_required
def catalogue_export(request):
    filters = CatalogueFilterForm(request.GET).values()
    query = selectors.CatalogueQuery(
        text=filters["q"], provider=filters["provider"], sharing=filters["sharing"], served_by=filters["served_by"]
    )
    resources = selectors.resources_for_export(actor=request.user, query=query)
    stamp = timezone.localtime().strftime("%Y%m%d")
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            selectors.catalogue_xlsx(resources),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = f"catalogue-{stamp}.xlsx"
    else:
        response = HttpResponse(selectors.catalogue_csv(resources), content_type="text/csv; charset=utf-8")
        filename = f"catalogue-{stamp}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required
def resource_detail(request, code: str):
    resource = selectors.resource_detail(actor=request.user, code=code)
    fields = list(resource.fields.all())
    for item in fields:
        item.badge = SENSITIVITY_BADGES[item.sensitivity]
    context = {
        "resource": resource,
        "fields": fields,
        "sharing_badge": SHARING_BADGES[resource.sharing],
        "uses": selectors.items_using_resource(resource.code),
        "record_count": selectors.resource_record_count(resource) if resource.served_by in HOSTING else None,
        "may_manage": selectors.resource_may_manage(request.user, resource),
        "importable": resource.served_by in HOSTING,
    }
    return render(request, "exchange/catalogue/detail.html", context)


@staff_required
@require_POST
def resource_publication(request, code: str):
    publish = request.POST.get("publish") == "1"
    act = services.resource_publish if publish else services.resource_withdraw
    try:
        act(actor=request.user, code=code)
    except TongbanError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已发布到数据资源目录。") if publish else _("已从数据资源目录撤下。"))
    return redirect("exchange:resource_detail", code=code)


# ---------------------------------------------------------------- imports


@staff_required
def resource_imports(request, code: str):
    resource = selectors.resource_for_manager(actor=request.user, code=code)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.import_start(actor=request.user, resource_code=code, upload=form.cleaned_data["file"])
        except TongbanError as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, _("文件已上传，正在后台导入，可在本页查看进度。"))
            return redirect("exchange:import_detail", batch_id=batch.pk)
    context = {
        "resource": resource,
        "form": form,
        "fields": list(resource.fields.all()),
        "page": selectors.import_batches(resource=resource, page=request.GET.get("page", 1)),
    }
    return render(request, "exchange/catalogue/imports.html", context, status=422 if form.errors else 200)


@staff_required
def import_detail(request, batch_id: int):
    batch = selectors.import_batch(actor=request.user, batch_id=batch_id)
    context = {
        "batch": batch,
        "resource": batch.resource,
        "live": batch.live,
    }
    template = "exchange/catalogue/_progress.html" if request.htmx else "exchange/catalogue/import_detail.html"
    return render(request, template, context)


@staff_required
def import_report(request, batch_id: int):
    return rejections_download(selectors.import_batch(actor=request.user, batch_id=batch_id))
