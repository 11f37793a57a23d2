from django import forms
from django.contrib import admin

from tongban.core.calendar_services import (
    WEEKDAYS,
    calendar_day_check,
    calendar_day_clear,
    calendar_day_set,
    calendar_year_declare,
)
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


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ("date", "kind", "name")

    def clean(self):
        cleaned = super().clean()
        day, kind = cleaned.get("date") or getattr(self.instance, "date", None), cleaned.get("kind")
        if day and kind:
            problem = calendar_day_check(day=day, kind=kind, name=cleaned.get("name", ""))
            if problem:
                raise forms.ValidationError(problem)
        return cleaned


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """Declaring a year known goes through calendar_year_declare (audit + cache). Years are not
    deleted here: that would stop every deadline in them; re-import instead."""

    list_display = ("year", "source", "updated_at")
    search_fields = ("source",)
    readonly_fields = ("updated_at",)

    def get_readonly_fields(self, request, obj=None):
        # The year is the key: changing it would declare another year, not edit this one.
        return ("year", *self.readonly_fields) if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = calendar_year_declare(year=obj.year, source=obj.source, actor=request.user)
        obj.updated_at = saved.updated_at


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Every save and delete goes through the calendar services (audit + cache)."""

    form = CalendarDayForm
    list_display = ("date", "weekday", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("name",)

    @admin.display(description="星期")
    def weekday(self, obj: CalendarDay) -> str:
        return "星期" + WEEKDAYS[obj.date.weekday()]

    def get_readonly_fields(self, request, obj=None):
        # The date is the key: changing it would add another day, not move this one.
        return ("date",) if obj else ()

    def save_model(self, request, obj, form, change):
        calendar_day_set(day=obj.date, kind=obj.kind, name=obj.name, actor=request.user)

    def delete_model(self, request, obj):
        calendar_day_clear(day=obj.date, actor=request.user)

    def delete_queryset(self, request, queryset):
        for day in queryset.values_list("date", flat=True):
            calendar_day_clear(day=day, actor=request.user)
