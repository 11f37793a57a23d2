"""Admin views of the catalogue for platform staff: read-only lists (every write goes through the
services: the workbench pages, the import and the feeds), with publish / withdraw as actions."""

from django.contrib import admin, messages

from tongban.core.errors import TongbanError
from tongban.exchange import services
from tongban.exchange.models import DataResource, ImportBatch, ResourceField


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FieldInline(admin.TabularInline):
    model = ResourceField
    extra = 0
    fields = ("order", "name", "label", "type", "sensitivity", "required")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DataResource)
class DataResourceAdmin(ReadOnly):
    list_display = ("code", "name", "provider", "sharing", "served_by", "frequency", "is_active")
    list_filter = ("sharing", "served_by", "is_active")
    search_fields = ("code", "name", "description")
    list_select_related = ("provider",)
    inlines = [FieldInline]
    actions = ["publish", "withdraw"]

    @admin.action(description="发布所选资源")
    def publish(self, request, queryset):
        self._each(request, queryset, services.resource_publish)

    @admin.action(description="撤下所选资源")
    def withdraw(self, request, queryset):
        self._each(request, queryset, services.resource_withdraw)

    def _each(self, request, queryset, act):
        done = 0
        for resource in queryset:
            try:
                act(actor=request.user, code=resource.code)
                done += 1
            except TongbanError as error:
                self.message_user(request, f"{resource.code}：{error.message}", messages.WARNING)
        self.message_user(request, f"已处理 {done} 项。")


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnly):
    list_display = (
        "id",
        "resource",
        "filename",
        "status",
        "total_rows",
        "inserted",
        "updated",
        "rejected",
        "created_at",
    )
    list_filter = ("status",)
    list_select_related = ("resource",)
    exclude = ("rejections",)
