from datetime import datetime

from crispy_forms.templatetags.crispy_forms_filters import optgroups
from django import template
from django.forms import BoundField
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

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


@register.simple_tag(takes_context=True)
def choice_options(context: template.Context, field: BoundField, inline_class: str = "") -> str:
    """The options of a radio or checkbox list, drawn as crispy-bootstrap5's
    radio_checkbox_select.html draws them, but in Python: that template drew each option
    through two more, and a contact's "what it moved forward" (a case plan's goals and tasks,
    sixty choices) cost 6 ms of the contact form that way."""
    invalid = " is-invalid" if field.errors else ""
    wrapper = "form-check form-check-inline" if inline_class else "form-check"
    groups = optgroups(field)
    drawn = []
    for group_number, (group, options, _) in enumerate(groups):
        if group:
            drawn.append(format_html("<strong>{}</strong>", group))
        for number, option in enumerate(options):
            last = group_number == len(groups) - 1 and number == len(options) - 1
            errors = ""
            if last and field.errors and not inline_class:
                errors = render_to_string(
                    "bootstrap5/layout/field_errors_block.html", context.flatten()
                )
            drawn.append(
                format_html(
                    '<div class="{}"><input type="{}" class="form-check-input{}" name="{}" '
                    'value="{}"{}><label for="{}" class="form-check-label">{}</label>{}</div>',
                    wrapper,
                    option["type"],
                    invalid,
                    field.html_name,
                    str(option["value"]),
                    _attributes(option["attrs"]),
                    option["attrs"].get("id", ""),
                    str(option["label"]),
                    mark_safe(errors),  # noqa: S308 - a template's output, escaped by it
                )
            )
    return mark_safe("\n".join(drawn))  # noqa: S308 - each part made by format_html


def _attributes(attrs: dict) -> str:
    """As crispy-bootstrap5's attrs.html: ` name="value"`, a bare ` name` for True, nothing for
    False."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )
