"""cm.demo, on a phone, books a weekly appointment, sees it in the diary, turns this week's
into a contact in one tap, and marks next week's not attended: an attempt on the record."""

import re
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from clients.models import Contact, YoungPerson
from diary.models import Appointment
from tests.browser.conftest import follow, go_to, screenshot, switch_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ZONE = timezone.get_default_timezone()
# A Tuesday morning; the server's clock (time-machine) moves on through the journey.
TUESDAY = datetime(2026, 12, 8, 9, tzinfo=ZONE)


def test_a_weekly_appointment_becomes_a_contact_then_an_attempt(phone, demo, time_machine):
    time_machine.move_to(TUESDAY, tick=True)
    casey = demo["cm.demo"]
    mia = YoungPerson.objects.get(family_name="Thompson", primary_case_manager=casey)
    switch_to(phone, casey)

    phone.goto(reverse("clients:detail", args=[mia.pk]))
    follow(phone, phone.get_by_role("link", name="Book an appointment"))
    phone.get_by_label(re.compile(r"\bWhat\b(?! kind)")).fill("Weekly check-in")
    phone.get_by_label(re.compile(r"\bWhen\b")).fill("2026-12-08T10:00")
    phone.get_by_label("Repeats").select_option(label="Every week")
    phone.get_by_label("Until").fill("2026-12-15")
    screenshot(phone, "diary-1-book-phone")
    follow(phone, phone.get_by_role("button", name="Book"))
    if phone.get_by_role("button", name="Book it anyway").is_visible():  # a demo appointment
        follow(phone, phone.get_by_role("button", name="Book it anyway"))

    expect(phone.locator(".alert-success")).to_contain_text("2 appointments")
    row = phone.locator(".appointment").filter(has_text="Weekly check-in")
    expect(row).to_contain_text("Mia Thompson")
    expect(row).to_contain_text("10:00")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "diary-2-day-phone")

    # This week's, after it began: one tap to the contact form, filled in from it.
    time_machine.move_to(datetime(2026, 12, 8, 11, 5, tzinfo=ZONE), tick=True)
    switch_to(phone, casey)
    go_to(phone, "Diary")
    row = phone.locator(".appointment").filter(has_text="Weekly check-in")
    follow(phone, row.get_by_role("link", name="Record as contact"))
    expect(phone.get_by_label(re.compile(r"\bWhen\b"))).to_have_value("2026-12-08T10:00")
    expect(phone.get_by_label(re.compile(r"\bMinutes\b"))).to_have_value("60")
    phone.get_by_label(re.compile(r"\bNotes\b")).fill("Check-in at home; Mia is back at school.")
    expect(phone.locator("#draft-status")).to_contain_text("Draft saved")
    screenshot(phone, "diary-3-contact-phone")
    follow(phone, phone.get_by_role("button", name="Record contact"))
    expect(phone.locator(".timeline-entry").first).to_contain_text("Mia is back at school")

    # Next week's: she was not there.
    time_machine.move_to(datetime(2026, 12, 15, 11, 30, tzinfo=ZONE), tick=True)
    switch_to(phone, casey)
    go_to(phone, "Diary")
    row = phone.locator(".appointment").filter(has_text="Weekly check-in")
    follow(phone, row.get_by_role("button", name="Not attended"))
    expect(phone.locator(".alert-success")).to_contain_text("Marked not attended")
    phone.goto(reverse("clients:timeline", args=[mia.pk]))
    attempt = phone.locator(".timeline-entry").filter(
        has_text="Appointment not attended: Weekly check-in"
    )
    expect(attempt).to_contain_text("did not reach them")
    screenshot(phone, "diary-4-attempt-phone")

    first, second = Appointment.objects.filter(what="Weekly check-in").order_by("starts_at")
    assert (first.outcome, second.outcome) == ("attended", "not_attended")
    assert first.contact.reached_young_person
    assert not second.contact.reached_young_person
    assert Contact.objects.filter(young_person=mia, reached_young_person=False).count() >= 1
