"""The referral journey with the demo agency's people: child protection refers, the register
coordinator confirms the listing, the ICMS supervisor decides, the case manager takes the young
person on, with all the referral said."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from referrals.models import Referral
from tests.browser.conftest import (
    add_goal,
    add_task,
    confirm_listing,
    follow,
    go_to,
    open_from_queue,
    refer,
    screenshot,
    switch_to,
)
from tests.factories import PDF_BYTES

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


def test_nothing_typed_is_lost_and_acceptance_carries_it_into_the_record(
    phone, desktop, demo, tmp_path
):
    cp, sup, cm = demo["cp.demo"], demo["sup.demo"], demo["cm.demo"]
    report, wrong = tmp_path / "cp-assessment.pdf", tmp_path / "other-child.pdf"
    for document in (report, wrong):
        document.write_bytes(PDF_BYTES)

    # Child protection types a referral on a phone and attaches a document before saving.
    switch_to(phone, cp)
    follow(phone, phone.get_by_role("link", name="Make a referral").first)
    phone.get_by_label("Given name").fill("Kayla")
    phone.get_by_label("Family name").fill("Reid")
    phone.get_by_label("Date of birth").fill("2011-03-04")
    phone.get_by_label("Cultural background").fill("Samoan")
    phone.get_by_label("Language spoken at home").fill("Samoan")
    phone.get_by_label("Interpreter needed").check()
    phone.get_by_label("Child protection client number").fill("CP-777010")
    mother = phone.get_by_role("group", name="Person 1")
    mother.get_by_label("Name", exact=True).fill("Dana Reid")
    mother.get_by_label("Relationship").select_option(label="Mother")
    mother.get_by_label("Phone").fill("0400 111 222")
    school = phone.get_by_role("group", name="Professional 1")
    school.get_by_label("Role").select_option(label="School or training")
    school.get_by_label("Name", exact=True).fill("Priya Shah")
    school.get_by_label("Organisation").fill("Northside Secondary College")
    phone.get_by_label("Housing", exact=True).fill("Sleeping at friends' places; left the unit.")
    phone.get_by_label("Attach a document").set_input_files(report)
    follow(phone, phone.get_by_role("button", name="Attach", exact=True))
    expect(phone.get_by_text("“cp-assessment.pdf” is attached")).to_be_visible()
    expect(phone.get_by_label("Given name")).to_have_value("Kayla")
    expect(phone.get_by_label("Cultural background")).to_have_value("Samoan")
    expect(mother.get_by_label("Name", exact=True)).to_have_value("Dana Reid")
    expect(school.get_by_label("Organisation")).to_have_value("Northside Secondary College")

    # A wrong document is attached, and removed; what was typed stays.
    phone.get_by_label("Attach a document").set_input_files(wrong)
    follow(phone, phone.get_by_role("button", name="Attach", exact=True))
    documents = phone.locator("#documents")
    expect(documents.get_by_role("link", name="other-child.pdf")).to_be_visible()
    follow(phone, documents.get_by_role("button", name="Remove other-child.pdf"))
    expect(phone.get_by_text("“other-child.pdf” is removed")).to_be_visible()
    expect(documents.get_by_role("link", name="other-child.pdf")).to_have_count(0)
    expect(documents.get_by_role("link", name="cp-assessment.pdf")).to_be_visible()
    expect(phone.get_by_label("Housing", exact=True)).to_have_value(
        "Sleeping at friends' places; left the unit."
    )
    phone.get_by_label("Sexual exploitation").check()
    phone.get_by_label("Absconding").check()
    follow(phone, phone.get_by_role("button", name="Save draft"))
    expect(phone.get_by_text("The draft is saved.")).to_be_visible()
    screenshot(phone, "referral-5-draft-phone")

    # What is typed next is saved as it is typed: a reload brings it back.
    follow(phone, phone.get_by_role("link", name="Edit the draft"))
    tried = phone.get_by_label(re.compile("what has been tried", re.IGNORECASE))
    tried.fill("Weekly CP visits and a youth worker; absconds before appointments.")
    expect(phone.locator("#draft-status")).to_contain_text("Draft saved")
    phone.reload()
    expect(tried).to_have_value(
        "Weekly CP visits and a youth worker; absconds before appointments."
    )
    phone.get_by_label("Listed on the divisional high-risk youth register").check()
    phone.get_by_label("Listed on", exact=True).fill("2026-11-02")
    phone.get_by_label("The young person and the referral").select_option("consents")
    follow(phone, phone.get_by_role("button", name="Submit to ICMS"))
    expect(phone.locator(".badge").filter(has_text="Submitted")).to_be_visible()
    referral = Referral.objects.get(family_name="Reid", referred_by=cp)
    assert referral.tried_before.startswith("Weekly CP visits")
    assert [str(document) for document in referral.attachments.all()] == ["cp-assessment.pdf"]

    # The division's register coordinator confirms the listing the referral reports.
    confirm_listing(phone, demo["reg.demo"], "Kayla Reid")

    # The supervisor accepts it, typing nothing about Kayla again.
    switch_to(desktop, sup)
    open_from_queue(desktop, "Kayla Reid")
    follow(desktop, desktop.get_by_role("link", name="Accept"))
    desktop.get_by_label("Case manager").select_option(label=str(cm))
    desktop.get_by_label("Intensity").select_option(label="High")
    follow(desktop, desktop.get_by_role("button", name="Accept and record the agreement"))
    expect(desktop.get_by_text("Kayla Reid is accepted into ICMS")).to_be_visible()

    # The case manager finds it all on the record, and names the mother on the first task.
    switch_to(desktop, cm)
    go_to(desktop, "My caseload")
    follow(
        desktop, desktop.get_by_role("row").filter(has_text="Kayla Reid").get_by_role("link").first
    )
    people = desktop.locator("section").filter(
        has=desktop.get_by_role("heading", name="Family and significant others")
    )
    expect(people).to_contain_text("Dana Reid, mother")
    network = desktop.locator("section").filter(
        has=desktop.get_by_role("heading", name="Professional network")
    )
    expect(network).to_contain_text(f"Child protection practitioner: {cp}")
    expect(network).to_contain_text("Priya Shah, Northside Secondary College")
    expect(desktop.get_by_text("Samoan · speaks Samoan at home")).to_be_visible()
    expect(desktop.get_by_text("Sexual exploitation", exact=True)).to_be_visible()
    expect(desktop.get_by_role("link", name=re.compile("From referral of"))).to_be_visible()
    expect(desktop.get_by_role("link", name="cp-assessment.pdf")).to_be_visible()
    screenshot(desktop, "referral-6-record-desktop")
    follow(desktop, desktop.get_by_role("link", name="Case plan"))
    follow(desktop, desktop.get_by_role("button", name="Start the case plan"))
    add_goal(desktop, "Safety", "Feel safe where I sleep")
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    add_task(
        desktop,
        "Feel safe where I sleep",
        "Ring Kayla after each family visit",
        "Family member or significant other",
        due,
        person="Dana Reid",
    )
