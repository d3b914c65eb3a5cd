from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clients.models import Contact
from tests.browser.conftest import fill_contact, go_to, log_in, screenshot
from tests.factories import ContactFactory, WorkerSafetyAlertFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_case_manager_logs_a_contact_on_a_phone_and_sees_it_top_the_timeline(
    phone, case_manager, own_young_person
):
    ContactFactory(
        young_person=own_young_person,
        recorded_by=case_manager,
        started_at=timezone.now() - timedelta(days=6),
        notes="Visit last week",
    )
    WorkerSafetyAlertFactory(
        young_person=own_young_person,
        details="Dog at the back gate",
        created_at=timezone.now() - timedelta(days=30),
    )
    log_in(phone, case_manager)

    go_to(phone, "My caseload")
    row = phone.get_by_role("row").filter(has_text="Jayden Own")
    expect(row).to_contain_text("6 days ago")
    expect(row).to_contain_text("overdue")
    screenshot(phone, "contact-1-caseload-phone")

    row.get_by_role("link", name="Jayden Own").click()
    expect(phone.get_by_role("alert").filter(has_text="Dog at the back gate")).to_be_visible()
    phone.get_by_role("link", name="Log a contact").click()
    fill_contact(phone, "Met at the skate park. Talked about the court date.")
    screenshot(phone, "contact-2-form-phone")
    phone.get_by_role("button", name="Record contact").click()

    first = phone.locator(".timeline-entry").first
    expect(first).to_contain_text("Outreach support")
    expect(first).to_contain_text("Met at the skate park")
    screenshot(phone, "contact-3-timeline-phone")

    go_to(phone, "My caseload")
    row = phone.get_by_role("row").filter(has_text="Jayden Own")
    expect(row).to_contain_text("Today")
    expect(row).not_to_contain_text("overdue")
    assert Contact.objects.filter(notes__startswith="Met at the skate park").count() == 1
