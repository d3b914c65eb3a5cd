"""No input gets a server error: every page of the access matrix, as each role that sees it, is
asked with bad values in its query string and its URL numbers, and every form on it is sent
back with bad values in its fields. Bad values: a NUL character (PostgreSQL refuses it in text
and in jsonb), a number too large for any column, and dates far in the past and the future.

The forms are read from the page itself (its inputs, selects and text areas, with the values
the page gives them), so a new page or a new field is probed without a change here.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django import forms
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from caseplans.models import CrisisPlan
from tests import test_access_matrix
from tests.test_access_matrix import MATRIX
from tests.test_form_choices import _project_modules

world = test_access_matrix.world_of_its_own  # the fixture: the matrix's records and people

pytestmark = pytest.mark.django_db

NUL = "x\x00y"
HUGE = "99999999999999999999999"  # beyond a bigint
EARLY_DAY, LATE_DAY = "0001-01-01", "9999-12-31"
VARIANTS = {
    "a NUL character": {"text": NUL, "number": NUL, "date": NUL, "datetime": NUL},
    "a huge number": {"number": HUGE},
    "year 1": {"date": EARLY_DAY, "datetime": f"{EARLY_DAY}T00:00"},
    "year 9999": {"date": LATE_DAY, "datetime": f"{LATE_DAY}T23:59"},
}
# Every name the pages read from their query string: their filters' and forms', and the few
# they read by hand.
QUERY_NAMES = [
    "q", "page", "before", "worker", "with", "young_person", "kind", "next", "status",
    "intensity", "sort", "overdue", "division", "review", "since", "until", "after_hours",
    "logged_from", "logged_before", "starts_on", "ends_on", "team", "username", "action",
    "who", "record",
]  # fmt: skip
QUERY_KINDS = {"page": "number", "worker": "number", "with": "number", "young_person": "number"}
QUERY_KINDS |= {"record": "number"}
QUERY_KINDS |= dict.fromkeys(["since", "until", "starts_on", "ends_on"], "date")
QUERY_KINDS |= dict.fromkeys(["logged_from", "logged_before"], "datetime")
NOT_SENT = {"accounts:logout"}  # would end the session the rest of the test needs


@dataclass
class Form:
    action: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # name, kind, value


class Forms(HTMLParser):
    """The POST forms of a page, each field with its kind and the value the page gives it."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url, self.forms, self.current, self.select, self.textarea = url, [], None, None, None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "").lower() == "post":
            self.current = Form(action=attrs.get("action") or self.url)
            self.forms.append(self.current)
        elif self.current is None or ("name" not in attrs and tag != "option"):
            return
        elif tag == "input":
            kind = attrs.get("type", "text")
            if (kind in {"checkbox", "radio"} and "checked" not in attrs) or kind == "file":
                return
            value = attrs.get("value") or ""
            if kind == "number" or (kind == "hidden" and (value.isdigit() or not value)):
                kind = "number"
            elif kind not in {"date", "datetime-local"}:
                kind = "text"
            kind = "datetime" if kind == "datetime-local" else kind
            self.current.fields.append((attrs["name"], kind, value))
        elif tag == "select":
            self.select = [attrs["name"], None]
        elif tag == "option" and self.select is not None:
            if self.select[1] is None or "selected" in attrs:
                self.select[1] = attrs.get("value", "")
        elif tag == "textarea":
            self.textarea = [attrs["name"], ""]

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "select" and self.select is not None and self.current is not None:
            name, value = self.select
            kind = "number" if (value or "").isdigit() else "text"
            self.current.fields.append((name, kind, value or ""))
            self.select = None
        elif tag == "textarea" and self.textarea is not None and self.current is not None:
            self.current.fields.append((self.textarea[0], "text", self.textarea[1]))
            self.textarea = None


def _bad(fields: list[tuple[str, str, str]], bad: dict[str, str]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, kind, value in fields:
        if name == "csrfmiddlewaretoken":
            continue
        data.setdefault(name, []).append(bad.get(kind, value))
    return data


PROBED_AS = ["case_manager", "supervisor", "register_coordinator", "practitioner", "administrator"]


def _pages_of(role: str) -> list[tuple[str, str]]:
    """The matrix's pages (a GET answered 200) that this role is the first of PROBED_AS to be
    shown, for its own object: each page is probed once."""
    pages = []
    for name, entry in MATRIX.items():
        shown_to = [who for who in PROBED_AS if entry.expect[who][0] == 200]
        if entry.method == "get" and shown_to[:1] == [role] and not name.startswith("api:"):
            pages.append((name, entry.kwargs))
    return pages


def _url_with_huge_numbers(url: str) -> str:
    return re.sub(r"/\d+/", f"/{HUGE}/", url)


@pytest.mark.parametrize("role", PROBED_AS)
def test_no_bad_input_gets_a_server_error(client, log_in, world, role):
    client.raise_request_exception = False
    log_in(world.users[role])
    server_errors = []

    def ask(method: str, url: str, data: dict, why: str) -> None:
        response = getattr(client, method)(url, data)
        if response.status_code >= 500:
            server_errors.append(f"{method.upper()} {url} with {why}: {response.status_code}")

    for name, kwargs in _pages_of(role):
        arguments = getattr(world, kwargs)[0] if kwargs else {}
        if not isinstance(arguments, dict):
            arguments = {"pk": arguments.pk}
        url = reverse(name, kwargs=arguments)
        for why, bad in VARIANTS.items():
            query = {key: bad.get(QUERY_KINDS.get(key, "text"), "") for key in QUERY_NAMES}
            ask("get", url, {key: value for key, value in query.items() if value}, why)
        if arguments:
            ask("get", _url_with_huge_numbers(url), {}, "a huge number in the address")
        page = client.get(url)
        if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
            continue
        parser = Forms(url)
        parser.feed(page.content.decode())
        for form in parser.forms:
            action = urlsplit(form.action).path
            if action in {reverse(name) for name in NOT_SENT}:
                continue
            for why, bad in VARIANTS.items():
                ask("post", form.action, _bad(form.fields, bad), f"{why} in its form")

    assert server_errors == [], "\n".join(server_errors)


def test_a_nul_in_the_caseload_export_query_is_refused_and_audited(client, log_in, case_manager):
    """It was a server error: the query goes into the audit row, and PostgreSQL refuses NUL in
    jsonb. The search is refused as invalid; the trail keeps what was sent, NUL written out."""
    log_in(case_manager)

    response = client.get(reverse("clients:caseload-export"), {"q": "Mia\x00"})

    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode().count("\n") == 1  # the header only
    export = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert export.detail["filters"] == {"q": "Mia\\x00"}


def test_a_version_too_large_for_its_column_is_refused_with_a_message(
    client, log_in, case_manager, own_young_person
):
    """It was a server error (bigint out of range) on the crisis plan form."""
    log_in(case_manager)

    response = client.post(
        reverse("caseplans:crisis", args=[own_young_person.pk]),
        {"warning_signs": "Stops answering the phone.", "version": HUGE},
    )

    assert response.status_code == 200
    assert "This form does not match the record: reload the page and try again." in response.text
    assert not CrisisPlan.objects.exists()


def test_every_number_taken_in_has_a_bound():
    """A number is bounded by its form field (max_value), or comes from a model field whose
    range Django checks when the form validates the model."""
    from django_filters import FilterSet
    from rest_framework import serializers

    unbounded = []
    for module in _project_modules():
        for name, value in vars(module).items():
            if not isinstance(value, type) or value.__module__ != module.__name__:
                continue
            fields = {}
            if issubclass(value, forms.BaseForm):
                model_fields = set(getattr(getattr(value, "_meta", None), "fields", None) or [])
                fields = {
                    field_name: field.max_value
                    for field_name, field in value.base_fields.items()
                    if isinstance(field, forms.IntegerField | forms.DecimalField)
                    and not (field_name in model_fields and field_name not in value.declared_fields)
                }
            elif issubclass(value, FilterSet):
                fields = {
                    field_name: number.extra.get("max_value")
                    for field_name, number in value.base_filters.items()
                    if issubclass(number.field_class, forms.IntegerField | forms.DecimalField)
                }
            elif issubclass(value, serializers.Serializer):
                fields = {
                    field_name: field.max_value
                    for field_name, field in value().fields.items()
                    if isinstance(field, serializers.IntegerField) and not field.read_only
                }
            unbounded += [
                f"{module.__name__}.{name}.{f}" for f, top in fields.items() if top is None
            ]

    assert unbounded == []
