"""Staff pages of the import of historical licences (存量证照入库, /workbench/licences/imports/): the
batches of the departments in scope with the upload form and the template download, and one batch
with its progress (polled with HTMX while it runs) and its rejected rows. Views check the shape of
input; `services.licence_import_start` checks the rest and queues the batch."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_GET

from tongban.accounts.decorators import staff_required
from tongban.core.errors import TongbanError
from tongban.core.forms import add_service_error
from tongban.core.import_batches import rejections_download
from tongban.licences import imports, selectors, services


class ImportForm(forms.Form):
    department = forms.TypedChoiceField(label=gettext_lazy("颁发机构"), coerce=int)
    file = forms.FileField(
        label=gettext_lazy("证照文件"),
        help_text=gettext_lazy("CSV（UTF-8编码，可带BOM）或xlsx；第1行为标题行，写列代码或列名称。"),
    )

    def __init__(self, *args, departments: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.pk, d.name) for d in departments]


def _csv_response(content: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required
def import_list(request):
    departments = selectors.licence_import_departments(request.user)
    form = ImportForm(request.POST or None, request.FILES or None, departments=departments)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.licence_import_start(
                actor=request.user, department_id=form.cleaned_data["department"], upload=form.cleaned_data["file"]
            )
        except TongbanError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("文件已上传，正在后台导入，可在本页查看进度。"))
            return redirect("licwork:import_detail", batch_id=batch.pk)
    context = {
        "form": form,
        "departments": departments,
        "types": selectors.licence_import_types(departments),
        "page": selectors.licence_imports_page(actor=request.user, page=request.GET.get("page", 1)),
    }
    return render(request, "licences/workbench/imports.html", context, status=422 if form.errors else 200)


@staff_required
@require_GET
def import_template(request):
    departments = selectors.licence_import_departments(request.user)
    licence_type = selectors.licence_import_types(departments).filter(short_code=request.GET.get("type", "")).first()
    if licence_type is None:
        messages.error(request, _("请选择本机构颁发的证照类型后再下载模板。"))
        return redirect("licwork:imports")
    return _csv_response(imports.import_template_csv(licence_type), f"licence-import-{licence_type.short_code}.csv")


@staff_required
def import_detail(request, batch_id: int):
    batch = selectors.licence_import_get(actor=request.user, batch_id=batch_id)
    context = {"batch": batch, "live": batch.live}
    template = "licences/workbench/_import_progress.html" if request.htmx else "licences/workbench/import_detail.html"
    return render(request, template, context)


@staff_required
@require_GET
def import_rejections(request, batch_id: int):
    return rejections_download(selectors.licence_import_get(actor=request.user, batch_id=batch_id))
