"""The register with the demo agency: the coordinator, on a phone, holds an overdue review and
then a liaison meeting that escalates a young person; the supervisor's overdue list empties and
the young person escalated is on the supervisor's home."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import go_to, screenshot, switch_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_coordinator_holds_an_overdue_review_and_a_liaison_meeting(phone, desktop, demo):
    switch_to(desktop, demo["sup.demo"])
    overdue = desktop.get_by_role("region", name="Register reviews overdue")
    expect(overdue).to_contain_text("Mia Thompson")
    escalated = desktop.get_by_role("region", name="Escalated from the register")
    expect(escalated).to_contain_text("Ruby Anderson")  # the demo's escalation
    expect(escalated).not_to_contain_text("Noah Martin")

    switch_to(phone, demo["reg.demo"])
    go_to(phone, "Register")
    row = phone.get_by_role("row").filter(has_text="Mia Thompson")
    expect(row).to_contain_text("overdue")
    row.get_by_role("link", name="Mia Thompson").click()
    phone.get_by_label("Child protection").check()
    phone.get_by_label("ICMS", exact=True).check()
    phone.get_by_label("Remain listed").check()
    phone.get_by_label("Notes").fill("Still missing from placement at weekends.")
    phone.get_by_role("button", name="Record the review").click()
    expect(phone.get_by_text("The review is recorded.")).to_be_visible()
    next_due = timezone.localdate() + timedelta(days=14)
    expect(phone.get_by_text(f"Due {next_due:%-d %b %Y}", exact=True)).to_be_visible()
    screenshot(phone, "register-1-review-phone")

    phone.get_by_role("link", name="Back to the register").click()
    phone.get_by_role("link", name="Liaison meetings").click()
    phone.get_by_role("link", name="Record a meeting").click()
    for agency in ["Child protection", "Placement coordination", "Mental health"]:
        phone.get_by_label(agency, exact=True).check()
    phone.get_by_label("Drug and alcohol services").check()
    phone.get_by_label("ICMS", exact=True).check()
    phone.get_by_label("Outcome for Noah Martin").select_option(label="Escalate")
    phone.get_by_label("What is escalated for Noah Martin, and why").fill(
        "Placement breaking down: needs a case conference this week."
    )
    phone.locator("#id_actions-0-description").fill("Case conference on Noah's placement")
    phone.locator("#id_actions-0-owner").fill("Rita Gomez")
    screenshot(phone, "register-2-meeting-form-phone")
    phone.get_by_role("button", name="Record the meeting").click()
    expect(phone.get_by_text("The meeting is recorded, with 1 review.")).to_be_visible()
    expect(phone.get_by_role("listitem").filter(has_text="Noah Martin")).to_contain_text("escalate")
    screenshot(phone, "register-2-meeting-phone")

    desktop.reload()
    expect(desktop.get_by_role("region", name="Register reviews overdue")).to_have_count(0)
    expect(escalated).to_contain_text("Noah Martin")
    expect(escalated).to_contain_text("Placement breaking down: needs a case conference")

    # The supervisor records what was done: the flag comes off Noah's record and the home.
    escalated.get_by_role("link", name="Noah Martin").click()
    screenshot(desktop, "register-3-escalation")
    desktop.get_by_role("textbox", name="What was done").fill(
        "Case conference held with the carers on Thursday."
    )
    desktop.get_by_role("button", name="Record what was done").click()
    expect(desktop.get_by_text("What was done is recorded.")).to_be_visible()
    expect(desktop.get_by_role("heading", name="Noah Martin")).to_be_visible()
    expect(desktop.get_by_role("heading", name="Escalated", exact=True)).to_have_count(0)
    desktop.get_by_role("link", name="ICMS", exact=True).click()
    expect(escalated).not_to_contain_text("Noah Martin")
