from django.contrib import admin

from tongban.core.models import AuditEntry, CalendarDay, CalendarYear


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the trail is evidence. Nobody, superusers included, adds, edits or deletes rows."""

    list_display = ["seq", "created_at", "actor_label", "action", "object_type", "object_id", "outcome"]
    list_filter = ["action", "outcome"]
    search_fields = ["actor_label", "object_id", "action"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
