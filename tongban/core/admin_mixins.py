from django.contrib import admin
from django.db import transaction

from tongban.core.audit import audit_record


class AuditedAdmin(admin.ModelAdmin):
    """Admin changes are state changes: each save and delete commits with its audit entry."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                action=f"{obj._meta.model_name}.{'change' if change else 'create'}",
                obj=obj,
                actor=request.user,
                detail={"fields": sorted(form.changed_data), "via": "admin"},
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_record(
                action=f"{obj._meta.model_name}.delete",
                obj=obj,
                actor=request.user,
                detail={"repr": str(obj), "via": "admin"},
            )
            super().delete_model(request, obj)
