from django import forms
from django.contrib import admin

from tongban.core.admin_mixins import AuditedAdmin
from tongban.core.forms import clean_with
from tongban.core.identifiers import parse_uscc, region_level, region_parent_code
from tongban.org.models import AgencyPoint, Department, Region, ServiceHall, Window


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["code", "name"]

    def clean_code(self):
        code = self.cleaned_data["code"]
        self.level = clean_with(region_level, code)
        return code

    def save(self, commit=True):
        region = super().save(commit=False)
        region.level = self.level
        region.parent_id = region_parent_code(region.code) if self.level != "city" else None
        if region.parent_id and not Region.objects.filter(code=region.parent_id).exists():
            region.parent_id = None
        if commit:
            region.save()
        return region


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    form = RegionForm
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "short_name", "uscc", "region", "parent"]

    def clean_uscc(self):
        return clean_with(parse_uscc, self.cleaned_data["uscc"])


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    form = DepartmentForm
    list_display = ["name", "short_name", "uscc", "region", "parent"]
    list_filter = ["region__level"]
    search_fields = ["name", "short_name", "uscc"]
    list_select_related = ["region", "parent"]
    autocomplete_fields = ["region", "parent"]


class WindowInline(admin.TabularInline):
    model = Window
    extra = 0
    filter_horizontal = ["departments"]


@admin.register(ServiceHall)
class ServiceHallAdmin(AuditedAdmin):
    list_display = ["name", "region", "address", "phone"]
    search_fields = ["name", "address"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    inlines = [WindowInline]


@admin.register(AgencyPoint)
class AgencyPointAdmin(AuditedAdmin):
    list_display = ["name", "region", "address", "phone"]
    search_fields = ["name", "address"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
