"""One way of writing a date and a time, on every page and in every message: "4 Dec 2026",
"14:30", "4 Dec 2026, 14:30" (icms/settings.py). Templates name those formats; Python puts a date
into words with toolkit.formats. A template or a module that writes a date another way fails here,
and messages, notifications and refusals show the one way."""

import ast
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse

from register.services import list_young_person
from toolkit.formats import show_date, show_datetime, show_month, show_time

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
NAMED = {
    "DATE_FORMAT",
    "SHORT_DATE_FORMAT",
    "TIME_FORMAT",
    "DATETIME_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "YEAR_MONTH_FORMAT",
}
# Formats for machines, not people: a <time datetime=""> attribute (ISO 8601).
MACHINE_TEMPLATE_FORMATS = {"c"}
# Formats for machines, not people: date and datetime-local inputs and CSV cells (ISO 8601),
# the time stamp in a download's file name, and the keys that send a reminder once a day.
MACHINE_FORMATS = {
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%H:%M",
    "%Y%m%d-%H%M",
    "%Y%m%d",
    "%Y%m%dT%H%M%S",
}
FILTER_ARGUMENT = re.compile(r"\|(?:date|time):\s*(?P<quote>[\"'])(?P<format>.*?)(?P=quote)")
STRFTIME = re.compile(r"%-?[aAbBdHIjmMpSyYZz]")


def python_files():
    skipped = {".venv", ".venv-bench", "tests", "migrations", "node_modules", ".data"}
    for path in sorted(ROOT.rglob("*.py")):
        if not skipped & set(path.relative_to(ROOT).parts):
            yield path


def date_formats_in(tree: ast.AST):
    """(line, format) for each strftime-style format the module writes with: an f-string's
    format spec, a strftime() argument, a date_format() or time_format() format."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FormattedValue) and isinstance(node.format_spec, ast.JoinedStr):
            spec = "".join(
                part.value for part in node.format_spec.values if isinstance(part, ast.Constant)
            )
            if STRFTIME.search(spec):
                yield node.lineno, spec
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            position = {"strftime": 0, "date_format": 1, "time_format": 1}.get(name)
            if position is not None and len(node.args) > position:
                argument = node.args[position]
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    yield node.lineno, argument.value


def test_templates_write_dates_only_in_the_named_formats():
    found = [
        f"{path.relative_to(ROOT)}: {match['format']}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for match in FILTER_ARGUMENT.finditer(path.read_text())
        if match["format"] not in NAMED | MACHINE_TEMPLATE_FORMATS
    ]

    assert found == [], 'write |date, |date:"DATETIME_FORMAT" or |time'


def test_python_writes_dates_only_through_icms_formats():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {written}"
        for path in python_files()
        for line, written in date_formats_in(ast.parse(path.read_text()))
        if written not in NAMED | MACHINE_FORMATS
    ]

    assert found == [], "put a date into words with toolkit.formats.show_date and its siblings"


def test_the_scan_finds_a_date_written_another_way():
    tree = ast.parse(
        'f"due {day:%d/%m/%Y}"\nmoment.strftime("%a %H:%M")\ndate_format(day, "D j M")\n'
    )

    assert [written for _, written in sorted(date_formats_in(tree))] == [
        "%d/%m/%Y",
        "%a %H:%M",
        "D j M",
    ]
    assert [m["format"] for m in FILTER_ARGUMENT.finditer('{{ x|date:"D j M" }}')] == ["D j M"]


def test_dates_and_times_are_written_the_australian_way():
    moment = datetime(2026, 12, 4, 3, 30, tzinfo=UTC)  # 14:30 in Melbourne

    assert (show_date(date(2026, 12, 4)), show_date(moment)) == ("4 Dec 2026", "4 Dec 2026")
    assert show_datetime(moment) == "4 Dec 2026, 14:30"
    assert show_time(moment) == "14:30"
    assert show_month(date(2026, 12, 1)) == "Dec 2026"
    page = Template('{{ day|date }} · {{ moment|date:"DATETIME_FORMAT" }} · {{ moment|time }}')
    assert page.render(Context({"day": date(2026, 12, 4), "moment": moment})) == (
        "4 Dec 2026 · 4 Dec 2026, 14:30 · 14:30"
    )
    assert settings.TIME_ZONE == "Australia/Melbourne"


@pytest.mark.django_db
def test_a_refusal_gives_its_date_the_one_way(
    client, log_in, register_coordinator, own_young_person, time_machine
):
    time_machine.move_to(datetime(2026, 11, 20, 9, tzinfo=UTC), tick=False)
    listed_on = date(2026, 11, 2)
    entry = list_young_person(
        own_young_person, by=register_coordinator, listed_on=listed_on, risk_factors=[]
    )
    log_in(register_coordinator)

    response = client.post(
        reverse("register:review", args=[entry.pk]),
        {"reviewed_on": "2026-10-30", "outcome": "remain"},
    )

    assert "This is before the listing (2 Nov 2026)." in response.text
