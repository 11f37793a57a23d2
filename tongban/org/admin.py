from django import forms
from django.contrib import admin

from tongban.core.admin_mixins import AuditedAdmin
from tongban.core.forms import clean_with
from tongban.core.identifiers import parse_uscc
from tongban.org import services
from tongban.org.models import AgencyPoint, Department, Region, ServiceHall, Window


class RegionForm(forms.ModelForm):
    """A new region is placed by services.region_create's own rules (its form refuses what the
    service would); an existing one only changes its name."""

    class Meta:
        model = Region
        fields = ["code", "name"]

    def clean_code(self):
        code = self.cleaned_data["code"]
        clean_with(services.region_placement, code)
        return code


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    form = RegionForm
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = services.region_create(code=obj.code, name=obj.name, actor=request.user)  # audited there
        obj.pk, obj.level, obj.parent_id = created.pk, created.level, created.parent_id


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
