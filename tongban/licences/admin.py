"""Read-only admin views of licences: every change goes through the services (history, seal and
audit must stay consistent), so the admin only shows."""

from django.contrib import admin

from tongban.licences.models import Licence, LicenceStatus, LicenceType, SealKey


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LicenceType)
class LicenceTypeAdmin(ReadOnlyAdmin):
    list_display = ["short_code", "name", "code", "holder_kind", "validity_years", "active"]
    search_fields = ["short_code", "name", "code"]


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdmin):
    list_display = ["identifier", "type", "issuer_name", "status", "issued_on", "valid_until"]
    list_filter = ["status"]
    search_fields = ["identifier"]
    list_select_related = ["type"]
    exclude = ["holder_id_number"]  # shown masked only, on the licence pages


@admin.register(LicenceStatus)
class LicenceStatusAdmin(ReadOnlyAdmin):
    list_display = ["licence", "act", "code", "actor_name", "created_at"]
    list_select_related = ["licence__type"]


@admin.register(SealKey)
class SealKeyAdmin(ReadOnlyAdmin):
    list_display = ["key_id", "department", "algorithm", "created_at", "retired_at"]
    exclude = ["private_key_encrypted"]
    list_select_related = ["department"]
