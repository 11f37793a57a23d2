"""The catalogue in the admin, in Chinese. Drafts are edited here; a published version is shown
read-only with what changed since the version before; publishing and new versions are actions
that call the services, so the consistency rules and the audit always apply. A department's
catalogue administrator sees only the items of the departments in their scope."""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html_join

from tongban.accounts import selectors as accounts_selectors
from tongban.catalog import selectors, services
from tongban.catalog.models import (
    Item,
    ItemType,
    ItemVersion,
    LifeEvent,
    StandardMaterial,
    Theme,
    VersionFee,
    VersionFormField,
    VersionMaterial,
    VersionStep,
)
from tongban.catalog.spreadsheet import catalogue_export, catalogue_import
from tongban.core.admin_mixins import AuditedAdmin
from tongban.core.errors import TongbanError

MAX_WORKBOOK_BYTES = 20 * 1024 * 1024


def _scoped(request, queryset: QuerySet, department_path: str) -> QuerySet:
    scope = accounts_selectors.staff_scope(request.user)
    queryset = queryset.filter(**{f"{department_path}__region__code__startswith": scope.region_prefix})
    if scope.department_ids is not None:
        queryset = queryset.filter(**{f"{department_path}__in": scope.department_ids})
    return queryset


class DraftOnlyInline(admin.TabularInline):
    extra = 0

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.editable

    has_add_permission = has_delete_permission = has_change_permission


class MaterialInline(DraftOnlyInline):
    model = VersionMaterial
    autocomplete_fields = ["standard"]
    fields = [
        "order",
        "standard",
        "name",
        "required",
        "condition",
        "original_count",
        "copy_count",
        "paper",
        "electronic",
        "source",
        "source_ref",
        "template",
        "sample",
    ]


class StepInline(DraftOnlyInline):
    model = VersionStep
    fields = ["order", "name", "post_code", "budget_days", "department"]
    autocomplete_fields = ["department"]


class FeeInline(DraftOnlyInline):
    model = VersionFee


class FormFieldInline(DraftOnlyInline):
    model = VersionFormField
    fields = ["order", "key", "label", "kind", "required", "prefill", "help_text", "options", "rules"]


@admin.register(ItemVersion)
class ItemVersionAdmin(AuditedAdmin):
    list_display = ["name", "number", "status", "department", "item_type", "promised_limit_days", "published_at"]
    list_filter = ["status", "item_type", "level", "online_depth"]
    search_fields = ["name", "keywords", "implementation_code", "item__basic_code"]
    list_select_related = ["item__department", "item_type"]
    autocomplete_fields = ["co_departments", "hall"]
    filter_horizontal = ["themes"]
    inlines = [MaterialInline, FormFieldInline, StepInline, FeeInline]
    readonly_fields = ["item", "number", "status", "published_at", "published_by", "changes_since_previous"]
    actions = ["publish", "draft_new"]
    show_full_result_count = False

    @admin.display(description="实施主体", ordering="item__department__name")
    def department(self, version):
        return version.item.department.name

    @admin.display(description="与上一版本相比的变化")
    def changes_since_previous(self, version):
        previous = version.item.versions.filter(number__lt=version.number).order_by("-number").first()
        if previous is None:
            return "（第一版）"
        rows = selectors.version_diff(previous, version)
        if not rows:
            return "（无变化）"
        return format_html_join("\n", "<div><strong>{}</strong>：{} → {}</div>", rows)

    def get_queryset(self, request):
        return _scoped(request, super().get_queryset(request), "item__department")

    def has_add_permission(self, request):
        return False  # new items start from 事项 (Item) with their first draft

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.editable)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.editable)

    @admin.action(description="发布所选草稿（逐条检查一致性）")
    def publish(self, request, queryset):
        self._each(request, queryset, lambda v: services.version_publish(actor=request.user, version_id=v.pk), "已发布")

    @admin.action(description="为所选事项新建草稿版本")
    def draft_new(self, request, queryset):
        self._each(
            request, queryset, lambda v: services.version_draft_new(actor=request.user, item_id=v.item_id), "已新建草稿"
        )

    def _each(self, request, queryset, act, done: str) -> None:
        for version in queryset:
            try:
                act(version)
            except TongbanError as error:
                detail = "；".join(f"{n}. {p}" for n, p in enumerate(error.problems, 1))
                self.message_user(request, f"“{version.name}”：{error.message}{detail}", messages.ERROR)
            else:
                self.message_user(request, f"“{version.name}”{done}。", messages.SUCCESS)


class VersionInline(admin.TabularInline):
    model = ItemVersion
    fields = ["number", "name", "status", "published_at"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class SpreadsheetForm(forms.Form):
    file = forms.FileField(label="事项清单工作簿（.xlsx）")
    dry_run = forms.BooleanField(label="只检查，不写入", required=False, initial=True)


@admin.register(Item)
class ItemAdmin(AuditedAdmin):
    list_display = ["__str__", "basic_code", "kind", "situation", "department", "popularity"]
    list_filter = ["kind", "situation"]
    search_fields = ["basic_code", "current__name"]
    list_select_related = ["department", "current"]
    autocomplete_fields = ["department", "parent"]
    readonly_fields = ["current", "popularity"]
    inlines = [VersionInline]
    show_full_result_count = False

    def get_queryset(self, request):
        return _scoped(request, super().get_queryset(request), "department")

    change_list_template = "admin/catalog/item/change_list.html"

    def has_add_permission(self, request):
        return False  # an item is born with its first draft (services.item_create): seed, API, import

    def get_urls(self):
        extra = [
            path("export/", self.admin_site.admin_view(self.export_view), name="catalog_item_export"),
            path("import/", self.admin_site.admin_view(self.import_view), name="catalog_item_import"),
        ]
        return extra + super().get_urls()

    def export_view(self, request):
        versions = _scoped(request, ItemVersion.objects.filter(status=ItemVersion.PUBLISHED), "item__department")
        response = HttpResponse(
            catalogue_export(versions),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = "attachment; filename=catalogue.xlsx"
        return response

    def import_view(self, request):
        """Upload a workbook; a dry run (the default) reports what would happen, row by row."""
        form = SpreadsheetForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_WORKBOOK_BYTES:
                form.add_error("file", "文件超过 20 MB，请分批导入。")
            else:
                report = catalogue_import(
                    content=upload.read(), actor=request.user, dry_run=form.cleaned_data["dry_run"]
                )
        context = {
            **self.admin_site.each_context(request),
            "title": "导入事项清单",
            "form": form,
            "report": report,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/catalog/item/import.html", context)


@admin.register(StandardMaterial)
class StandardMaterialAdmin(AuditedAdmin):
    list_display = ["code", "name", "licence_type_code", "shared_field"]
    search_fields = ["code", "name"]


@admin.register(ItemType)
class ItemTypeAdmin(AuditedAdmin):
    list_display = ["code", "name", "on_application", "order"]


@admin.register(LifeEvent)
class LifeEventAdmin(AuditedAdmin):
    list_display = ["code", "name", "audience", "order"]
    list_filter = ["audience"]
    filter_horizontal = ["themes"]


@admin.register(Theme)
class ThemeAdmin(AuditedAdmin):
    list_display = ["code", "name", "audience", "order"]
    list_filter = ["audience"]
