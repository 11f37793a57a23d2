from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from tongban.accounts.models import LegalPerson, Mandate, Person, Post, Staff, User
from tongban.core.admin_mixins import AuditedAdmin


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    """Personal data stays masked here too; the full value is read on the workbench, audited."""

    list_display = ["real_name", "masked_id_number", "sex", "birth_date", "masked_phone", "region"]
    list_filter = ["sex"]
    search_fields = ["=id_number", "=phone", "real_name"]
    list_select_related = ["region"]
    readonly_fields = ["masked_id_number", "birth_date", "sex", "masked_phone", "created_at"]
    fields = ["real_name", "masked_id_number", "birth_date", "sex", "masked_phone", "region", "created_at"]
    autocomplete_fields = ["region"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # persons come from real-name registration and the population base

    @admin.display(description="公民身份号码")
    def masked_id_number(self, person):
        return person.masked_id_number

    @admin.display(description="手机号码")
    def masked_phone(self, person):
        return person.masked_phone


@admin.register(LegalPerson)
class LegalPersonAdmin(AuditedAdmin):
    list_display = ["name", "uscc", "kind", "region", "established_on"]
    list_filter = ["kind"]
    search_fields = ["=uscc", "name"]
    list_select_related = ["region"]
    raw_id_fields = ["legal_representative"]
    autocomplete_fields = ["region"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # legal persons come from the legal-entity base


@admin.register(Mandate)
class MandateAdmin(admin.ModelAdmin):
    list_display = ["person", "legal_person", "role", "status", "requested_at", "decided_at", "revoked_at"]
    list_filter = ["role", "status"]
    search_fields = ["=legal_person__uscc", "legal_person__name"]
    list_select_related = ["person", "legal_person"]
    readonly_fields = ["person", "legal_person", "role", "status", "requested_at", "decided_at", "revoked_at"]

    def has_add_permission(self, request):
        return False  # mandates are requested and decided by the people concerned, on the portal

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "order"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StaffInline(admin.StackedInline):
    model = Staff
    can_delete = False
    filter_horizontal = ["posts", "scope_departments"]
    autocomplete_fields = ["department", "scope_region"]
    raw_id_fields = ["hall", "agency_point"]


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    list_display = ["username", "display_name", "kind", "is_active", "locked_until", "last_login"]
    list_filter = ["kind", "is_active", "is_staff"]
    search_fields = ["username", "first_name"]
    list_select_related = ["person"]
    raw_id_fields = ["person"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        ("通办", {"fields": ["kind", "person", "failed_logins", "locked_until"]}),
    ]
    inlines = [StaffInline]

    @admin.display(description="姓名")
    def display_name(self, user):
        return user.display_name
