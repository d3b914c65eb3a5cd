from datetime import datetime

from django import template
from django.utils import timezone

from toolkit.text import quoted

register = template.Library()


@register.filter
def days_ago(moment: datetime | None) -> int | None:
    """Calendar days from `moment` to today, in the service's time zone (0 for today)."""
    if moment is None:
        return None
    return (timezone.localdate() - timezone.localtime(moment).date()).days


@register.filter
def field_errors(form: object) -> list[tuple[object, str]]:
    """(field, message) for each error of each field; the form's own errors are shown apart."""
    return [(field, error) for field in form for error in field.errors]


@register.filter
def get_item(mapping: dict, key: object) -> object:
    """mapping[key], or an empty list when it has none (for lists grouped by a key)."""
    return mapping.get(key, [])


@register.filter(name="quoted")
def quoted_filter(text: object) -> str:
    """Typed text between curly quotation marks, never doubled (toolkit.text.quoted). The result
    is escaped as any text is."""
    return quoted(text)
