from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path

from tongban.core.calendar_services import (
    SOURCE_MAX,
    WEEKDAYS,
    calendar_day_check,
    calendar_day_clear,
    calendar_day_set,
    calendar_import,
    calendar_year_declare,
)
from tongban.core.errors import TongbanError
from tongban.core.models import AuditEntry, CalendarDay, CalendarYear, FieldKeyRotation

IMPORT_MAX_BYTES = 64 * 1024


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    """Read-only: the trail is evidence. Nobody, superusers included, adds, edits or deletes rows."""

    list_display = ["seq", "created_at", "actor_label", "action", "object_type", "object_id", "outcome"]
    list_filter = ["action", "outcome"]
    search_fields = ["actor_label", "object_id", "action"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False


class CalendarDayForm(forms.ModelForm[CalendarDay]):
    class Meta:
        model = CalendarDay
        fields = ("date", "kind", "name")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        day, kind = cleaned.get("date") or getattr(self.instance, "date", None), cleaned.get("kind")
        if day and kind:
            problem = calendar_day_check(day=day, kind=kind, name=cleaned.get("name", ""))
            if problem:
                raise forms.ValidationError(problem)
        return cleaned


class CalendarImportForm(forms.Form):
    file = forms.FileField(
        label="安排文件", help_text="UTF-8 文本或 CSV，每行“日期,holiday|workday,名称”，# 开头为注释"
    )
    source = forms.CharField(label="来源", max_length=SOURCE_MAX, help_text="如发布通知的文号：国办发明电〔2026〕X号")

    def clean_file(self) -> list[str]:
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        if (upload.size or 0) > IMPORT_MAX_BYTES:  # an upload always has its size
            raise forms.ValidationError(
                f"文件过大：一年的安排不超过几十行，请检查是否选错了文件（上限 {IMPORT_MAX_BYTES // 1024} KB）。"
            )
        try:
            content: bytes = upload.read()
            return content.decode("utf-8-sig").splitlines()
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("文件不是 UTF-8 编码，请另存为 UTF-8 后重试。") from exc


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin[CalendarYear]):
    """Declaring a year official goes through calendar_year_declare (audit + cache), and so does
    the import of a published schedule (its own page, linked from the list). Years are not
    deleted here: re-import instead."""

    change_list_template = "admin/core/calendaryear/change_list.html"
    list_display = ("year", "source", "updated_at")
    search_fields = ("source",)
    readonly_fields = ("updated_at",)

    def get_readonly_fields(self, request: HttpRequest, obj: CalendarYear | None = None) -> list[str] | tuple[str, ...]:
        # The year is the key: changing it would declare another year, not edit this one.
        return ("year", *self.readonly_fields) if obj else self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: CalendarYear | None = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: CalendarYear, form: forms.ModelForm[CalendarYear], change: bool
    ) -> None:
        saved = calendar_year_declare(year=obj.year, source=obj.source, actor=request.user)
        obj.updated_at = saved.updated_at

    def get_urls(self) -> list[URLPattern]:
        page = self.admin_site.admin_view(self.import_view)
        return [path("import/", page, name="core_calendaryear_import"), *super().get_urls()]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload the State Council's schedule: the years in it turn official, and the open cases'
        deadlines in them are rebuilt in the background (progress on the workbench home)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CalendarImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                report = calendar_import(
                    lines=form.cleaned_data["file"], source=form.cleaned_data["source"], actor=request.user
                )
            except TongbanError as error:
                form.add_error(None, error.message)
            else:
                if report.accepted:
                    self.message_user(request, report.lines()[0] + "在办件的期限正在后台重算，进度见工作台首页。")
                    return redirect("admin:core_calendaryear_changelist")
                for line in report.lines():
                    form.add_error(None, line)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "导入节假日安排",
            "opts": self.model._meta,
        }
        return render(request, "admin/core/calendaryear/import.html", context)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin[CalendarDay]):
    """Every save and delete goes through the calendar services (audit + cache)."""

    form = CalendarDayForm
    list_display = ("date", "weekday", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("name",)

    @admin.display(description="星期")
    def weekday(self, obj: CalendarDay) -> str:
        return "星期" + WEEKDAYS[obj.date.weekday()]

    def get_readonly_fields(self, request: HttpRequest, obj: CalendarDay | None = None) -> list[str] | tuple[str, ...]:
        # The date is the key: changing it would add another day, not move this one.
        return ("date",) if obj else ()

    def save_model(
        self, request: HttpRequest, obj: CalendarDay, form: forms.ModelForm[CalendarDay], change: bool
    ) -> None:
        calendar_day_set(day=obj.date, kind=obj.kind, name=obj.name, actor=request.user)

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        calendar_day_clear(day=obj.date, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for day in queryset.values_list("date", flat=True):
            calendar_day_clear(day=day, actor=request.user)


@admin.register(FieldKeyRotation)
class FieldKeyRotationAdmin(admin.ModelAdmin[FieldKeyRotation]):
    """The rotations of the personal-data key and their progress; started with `tongban keys rotate`."""

    list_display = ["created_at", "key_id", "status", "progress", "started_by", "finished_at", "error"]
    readonly_fields = [field.name for field in FieldKeyRotation._meta.fields]

    @admin.display(description="进度")
    def progress(self, rotation: FieldKeyRotation) -> str:
        return f"{rotation.done}/{rotation.total}（{rotation.percent}%）"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: FieldKeyRotation | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: FieldKeyRotation | None = None) -> bool:
        return False
