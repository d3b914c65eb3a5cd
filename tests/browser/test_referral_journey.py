"""The referral journey with the demo agency's people: child protection refers, the register
coordinator confirms the listing, the ICMS supervisor decides, the case manager takes the young
person on."""

import re

import pytest
from playwright.sync_api import expect

from referrals.models import Referral
from tests.browser.conftest import (
    confirm_listing,
    go_to,
    open_from_queue,
    refer,
    screenshot,
    switch_to,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_referral_is_accepted_and_another_declined_with_advice(desktop, phone, demo):
    cp, sup, cm = demo["cp.demo"], demo["sup.demo"], demo["cm.demo"]

    switch_to(desktop, cp)
    refer(desktop, "Kayla", "Reid", "CP-777001")
    screenshot(desktop, "referral-1-submitted-desktop")
    desktop.goto("/")
    refer(desktop, "Owen", "Price", "CP-777002")

    # The register coordinator confirms Kayla's listing; Owen's is not confirmed yet.
    confirm_listing(phone, demo["reg.demo"], "Kayla Reid")
    screenshot(phone, "referral-1-listing-confirmed-phone")

    # The supervisor accepts the first and allocates cm.demo.
    switch_to(desktop, sup)
    expect(desktop.get_by_text("3 referrals waiting for a decision")).to_be_visible()
    go_to(desktop, "Referrals")
    waiting = desktop.get_by_role("row").filter(has_text="Owen Price")
    expect(waiting).to_contain_text("Waiting for the register")
    expect(desktop.get_by_role("row").filter(has_text="Kayla Reid")).not_to_contain_text(
        "Waiting for the register"
    )
    open_from_queue(desktop, "Kayla Reid")
    desktop.get_by_role("link", name="Accept").click()
    expect(desktop.get_by_role("heading", name="Team capacity")).to_be_visible()
    desktop.get_by_label("Case manager").select_option(label=str(cm))
    desktop.get_by_label("Intensity").select_option(label="High")
    screenshot(desktop, "referral-2-accept-desktop")
    desktop.get_by_role("button", name="Accept and record the agreement").click()
    expect(desktop.get_by_text("Kayla Reid is accepted into ICMS")).to_be_visible()
    desktop.get_by_role("link", name="read and print it").click()
    expect(desktop.get_by_role("heading", name="Case management agreement")).to_be_visible()
    expect(desktop.locator(".signature-line")).to_have_count(3)

    # The second cannot be accepted before the coordinator lists Owen: it is declined for
    # capacity, with advice to the practitioner.
    open_from_queue(desktop, "Owen Price")
    expect(desktop.get_by_role("button", name="Accept")).to_be_disabled()
    expect(desktop.locator("#accept-unavailable")).to_contain_text(
        "waiting for the register coordinator to confirm the listing"
    )
    desktop.get_by_role("link", name="Decline").click()
    desktop.get_by_label("Reason").select_option(label="No capacity")
    desktop.get_by_label("Explanation for the referrer").fill("The North team is full until March.")
    desktop.get_by_label(re.compile("Advice to the referrer")).fill(
        "Ask the youth justice outreach team; review again in February."
    )
    desktop.get_by_role("button", name="Decline").click()
    expect(desktop.get_by_text("is declined; the referrer is told")).to_be_visible()

    # The case manager, on the phone, finds Kayla on their caseload, with the agreement.
    switch_to(phone, cm)
    go_to(phone, "My caseload")
    phone.get_by_role("row").filter(has_text="Kayla Reid").get_by_role("link").first.click()
    expect(phone.get_by_text("Primary case manager")).to_be_visible()
    phone.get_by_role("link", name=re.compile("Agreed")).click()
    expect(phone.get_by_role("heading", name="Case management agreement")).to_be_visible()
    screenshot(phone, "referral-3-agreement-phone")

    # The practitioner sees what became of both referrals.
    switch_to(phone, cp)
    go_to(phone, "Your referrals")
    expect(phone.get_by_role("listitem").filter(has_text="Kayla Reid")).to_contain_text("Accepted")
    declined = phone.get_by_role("listitem").filter(has_text="Owen Price")
    expect(declined).to_contain_text("Declined")
    declined.get_by_role("link", name="Owen Price").click()
    expect(phone.get_by_role("heading", name=re.compile("Declined .*no capacity"))).to_be_visible()
    expect(phone.get_by_text("The North team is full until March.", exact=True)).to_be_visible()
    expect(phone.get_by_text("Ask the youth justice outreach team")).to_be_visible()
    screenshot(phone, "referral-4-declined-phone")

    made_here = Referral.objects.filter(referred_by=cp, family_name__in=["Reid", "Price"])
    assert made_here.count() == 2
