from django.contrib import admin
from django.db import models, transaction
from django.forms import ModelForm
from django.http import HttpRequest

from tongban.core.audit import audit_record


class AuditedAdmin[M: models.Model](admin.ModelAdmin[M]):
    """Admin changes are state changes: each save and delete commits with its audit entry."""

    def save_model(self, request: HttpRequest, obj: M, form: ModelForm[M], change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                action=f"{obj._meta.model_name}.{'change' if change else 'create'}",
                obj=obj,
                actor=request.user,
                detail={"fields": sorted(form.changed_data), "via": "admin"},
            )

    def delete_model(self, request: HttpRequest, obj: M) -> None:
        with transaction.atomic():
            audit_record(
                action=f"{obj._meta.model_name}.delete",
                obj=obj,
                actor=request.user,
                detail={"repr": str(obj), "via": "admin"},
            )
            super().delete_model(request, obj)
