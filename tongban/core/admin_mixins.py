from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction

from tongban.core.audit import audit_record
from tongban.core.errors import TongbanError


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


def clean_with(parser, value: str) -> str:
    """Run a core.identifiers parser inside a form's clean_<field>: its Chinese message becomes
    the field's error."""
    try:
        result = parser(value)
    except TongbanError as error:
        raise ValidationError(error.message) from None
    return getattr(result, "value", value)
