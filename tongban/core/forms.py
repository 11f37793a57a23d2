"""Bridges between Django forms (shape) and services (rules): a service's refusal lands on the
field it names, or on the form as a whole."""

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError

from tongban.core.errors import TongbanError


def add_service_error(form: forms.Form, error: TongbanError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def clean_with(parser: Callable[[str], object], value: str) -> str:
    """Run a core.identifiers parser inside a form's clean_<field>: its Chinese message becomes
    the field's error."""
    try:
        result = parser(value)
    except TongbanError as error:
        raise ValidationError(error.message) from None
    return getattr(result, "value", value)
