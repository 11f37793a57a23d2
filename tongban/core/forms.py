"""Bridges between Django forms (shape) and services (rules): a service's refusal lands on the
field it names, or on the form as a whole."""

from django import forms

from tongban.core.errors import TongbanError


def add_service_error(form: forms.Form, error: TongbanError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
