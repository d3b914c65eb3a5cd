from collections.abc import Callable

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


def save_versioned(
    request: HttpRequest,
    form: forms.BaseForm,
    action: Callable[..., object],
    *args: object,
    conflict: type[Exception],
    on_conflict: Callable[[forms.BaseForm, Exception], None],
    **extra: object,
) -> object | None:
    """Run a service with the form's fields (`form.fields_to_save()`) and the version of the
    record it was read at; what the service returns, or None: a refusal is put on the form, a
    `conflict` (someone saved in between) is handed to `on_conflict`."""
    try:
        return action(
            *args,
            by=request.user,
            version=form.cleaned_data.get("version"),
            **form.fields_to_save(),
            **extra,
        )
    except ValidationError as error:
        add_service_error(form, error)
    except conflict as error:
        on_conflict(form, error)
    return None


# The actions agreed at a meeting (a liaison meeting's, a supervision session's), as an inline
# formset's rows: three empty ones to fill in, and however many rows a request claims (its
# TOTAL_FORMS), at most twenty built.
ACTION_ROWS = {
    "fields": ["description", "owner", "due_on"],
    "widgets": {"due_on": DateInput()},
    "extra": 3,
    "max_num": 20,
    "absolute_max": 20,
    "validate_max": True,
    "can_delete": False,
}
