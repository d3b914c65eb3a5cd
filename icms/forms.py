from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, QueryDict


def submitted(request: HttpRequest) -> QueryDict | None:
    """The form data of a POST, even an empty one (which must show "required" errors), or None
    for a GET. (`request.POST or None` would treat an empty POST as a first visit.)"""
    return request.POST if request.method == "POST" else None


class DateInput(forms.DateInput):
    """The browser's date picker; its value must be ISO (yyyy-mm-dd) whatever the locale."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's refusal on the form: beside the field it names when the form has that
    field, at the top otherwise (Form.add_error would raise for an unknown field)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
