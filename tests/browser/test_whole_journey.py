"""One young person's whole way through ICMS, with the demo agency's five roles: child protection
refers her, the register coordinator confirms her listing, the supervisor accepts her and
allocates the case manager, who meets her, drafts
her case plan and later her exit plan; the supervisor approves the plan and closes the case;
the register coordinator holds her fortnightly review; the administrator reads it all back in
the audit trail. Each person logs in once on their own device (the case manager and the
coordinator on phones, the others at desks) and comes back to it; each step is checked from the
next person's screen, and axe-core checks every page loaded (axe_pages fails the test on a page
it did not check)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clients.models import YoungPerson
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    add_goal,
    add_task,
    check_accessibility,
    confirm_listing,
    fill_contact,
    follow,
    go_to,
    open_from_queue,
    refer,
    screenshot,
    switch_to,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GIVEN, FAMILY, NUMBER = "Tahlia", "Moore", "CP-778001"
NAME = f"{GIVEN} {FAMILY}"
GOAL = "Get my learner's permit"
TASKS = [("Book the learner's test", "The young person"), ("Find a driving mentor", "Case manager")]
EXIT_PLAN = {
    "Accommodation": "Living with her aunt in Preston.",
    "Support services": "TAFE; youth worker at headspace.",
    "Supportive adults who will remain": "Her aunt; her netball coach.",
}
EXIT_REASON = "Living with her aunt; TAFE place and youth worker in place."


def day(days_from_today: int = 0) -> str:
    return f"{timezone.localdate() + timedelta(days=days_from_today):%-d %b %Y}"


def the_practitioner_refers(page, practitioner) -> None:
    switch_to(page, practitioner)
    # Listed a fortnight ago: her first register review falls due today.
    listed_on = (timezone.localdate() - timedelta(days=14)).isoformat()
    refer(page, GIVEN, FAMILY, NUMBER, listed_on=listed_on)
    screenshot(page, "journey-01-referred-desktop")


def the_supervisor_accepts(page, supervisor, case_manager) -> None:
    switch_to(page, supervisor)
    expect(page.get_by_text("referrals waiting for a decision")).to_be_visible()
    open_from_queue(page, NAME)
    follow(page, page.get_by_role("link", name="Accept"))
    page.get_by_label("Case manager").select_option(label=str(case_manager))
    page.get_by_label("Intensity").select_option(label="High")
    follow(page, page.get_by_role("button", name="Accept and record the agreement"))
    expect(page.get_by_text(f"{NAME} is accepted into ICMS")).to_be_visible()
    screenshot(page, "journey-02-accepted-desktop")


def the_practitioner_sees_the_acceptance(page, case_manager) -> None:
    go_to(page, "Home")
    referral = page.get_by_role("listitem").filter(has_text=NAME)
    expect(referral).to_contain_text("Accepted")
    follow(page, referral.get_by_role("link", name=NAME))
    decision = page.get_by_role("region", name=re.compile("^Accepted"))
    expect(decision).to_contain_text(f"{NAME} is active with ICMS North")
    expect(decision).to_contain_text(f"case manager {case_manager}")
    expect(decision).to_contain_text(f"next review {day()}")
    screenshot(page, "journey-03-practitioner-sees-acceptance-desktop")


def the_case_manager_logs_the_first_contact(page, case_manager) -> None:
    switch_to(page, case_manager)
    mine = page.get_by_role("region", name="Your young people")
    allocated = mine.get_by_role("listitem").filter(has_text=NAME)
    expect(allocated).to_contain_text("Primary case manager")
    follow(page, allocated.get_by_role("link", name=NAME))
    expect(page.get_by_text("Last contact that reached Tahlia: none yet")).to_be_visible()
    follow(page, page.get_by_role("link", name="Log a contact"))
    fill_contact(page, "First visit: met Tahlia and her aunt at the library.")
    follow(page, page.get_by_role("button", name="Record contact"))
    # Its time is the minute it began, so it may follow the allocation made seconds before.
    expect(page.locator(".timeline-entry").filter(has_text="First visit")).to_be_visible()
    screenshot(page, "journey-04-first-contact-phone")


def the_case_manager_drafts_and_submits_the_plan(page) -> None:
    follow(page, page.get_by_role("link", name=NAME))
    follow(page, page.get_by_role("link", name="Case plan"))
    follow(page, page.get_by_role("button", name="Start the case plan"))
    about = page.get_by_role("region", name="The plan", exact=True)
    follow(page, about.get_by_role("link", name="Edit"))
    page.get_by_label("The young person", exact=True).check()
    page.get_by_label(re.compile("view of the plan")).fill("Driving first, then TAFE.")
    page.get_by_label(re.compile("Agreed with the young person on")).fill(
        timezone.localdate().isoformat()
    )
    follow(page, page.get_by_role("button", name="Save"))
    add_goal(page, "Education and employment", GOAL)
    for description, who in TASKS:
        add_task(page, GOAL, description, who, timezone.localdate().isoformat())
    check_accessibility(page)  # the action table as the rows added in place left it
    screenshot(page, "journey-05-plan-drafted-phone")
    follow(page, page.get_by_role("button", name="Submit for approval"))
    expect(page.get_by_text("The plan is sent to the supervisor for approval.")).to_be_visible()


def the_supervisor_approves_the_plan(page) -> None:
    go_to(page, "Home")
    follow(page, page.get_by_role("link", name=f"{NAME}, version 1"))
    expect(page.get_by_text("Waiting for approval")).to_be_visible()
    for description, _ in TASKS:
        expect(page.get_by_text(description)).to_be_visible()
    follow(page, page.get_by_role("button", name="Approve"))
    expect(page.get_by_text("The plan is approved: it is now the current plan.")).to_be_visible()
    screenshot(page, "journey-06-plan-approved-desktop")


def the_coordinator_holds_the_fortnightly_review(page, coordinator) -> None:
    switch_to(page, coordinator)
    go_to(page, "Register")
    page.get_by_label("Review", exact=True).select_option(label="Due within 7 days")
    follow(page, page.get_by_role("button", name="Show", exact=True))
    row = page.get_by_role("row").filter(has_text=NAME)
    expect(row).to_contain_text(day())
    follow(page, row.get_by_role("link", name=NAME))
    page.get_by_label("Child protection").check()
    page.get_by_label("ICMS", exact=True).check()
    page.get_by_label("Remain listed").check()
    page.get_by_label("Notes").fill("Settled at her aunt's; no missing episodes this fortnight.")
    follow(page, page.get_by_role("button", name="Record the review"))
    expect(page.get_by_text("The review is recorded.")).to_be_visible()
    screenshot(page, "journey-07-register-review-phone")


def the_case_manager_writes_the_exit_plan(page) -> None:
    go_to(page, "Home")
    follow(page, page.get_by_role("link", name=NAME))
    expect(page.get_by_role("link", name=f"review due {day(14)}")).to_be_visible()
    follow(page, page.get_by_role("link", name="Case plan"))
    exit_plan = page.get_by_role("region", name="Exit plan", exact=True)
    follow(page, exit_plan.get_by_role("link", name="Write it"))
    page.get_by_label("Planned exit date").fill(timezone.localdate().isoformat())
    for label, text in EXIT_PLAN.items():
        page.get_by_label(label, exact=True).fill(text)
    page.get_by_label("Accommodation is in place").check()
    follow(page, page.get_by_role("button", name="Save"))
    expect(page.get_by_text("The exit plan is saved.")).to_be_visible()
    screenshot(page, "journey-08-exit-plan-phone")


def the_supervisor_closes_the_case(page) -> None:
    go_to(page, "Team caseload")
    follow(page, page.get_by_role("row").filter(has_text=NAME).get_by_role("link", name=NAME))
    follow(page, page.get_by_role("link", name="Case plan"))
    exit_plan = page.get_by_role("region", name="Exit plan", exact=True)
    for text in EXIT_PLAN.values():
        expect(exit_plan).to_contain_text(text)
    expect(exit_plan).to_contain_text("Not yet in place: income, education or work, health")
    follow(page, page.get_by_role("heading", name=NAME).get_by_role("link"))
    follow(page, page.get_by_role("link", name="Close the episode"))
    page.get_by_label("Exit reason").select_option(label="Case plan goals achieved")
    page.get_by_label("Destination").select_option(label="Kinship care")
    page.get_by_label("Closing notes").fill(EXIT_REASON)
    follow(page, page.get_by_role("button", name="Close the episode"))
    expect(page.get_by_text(f"{NAME}'s episode is closed.")).to_be_visible()
    expect(page.get_by_role("region", name="The exit plan as it stood")).to_contain_text(
        EXIT_PLAN["Accommodation"]
    )
    screenshot(page, "journey-09-closed-desktop")


def the_practitioner_sees_the_exit(page) -> None:
    go_to(page, "Home")
    follow(page, page.get_by_role("listitem").filter(has_text=NAME).get_by_role("link"))
    decision = page.get_by_role("region", name=re.compile("^Accepted"))
    expect(decision).to_contain_text(f"{NAME} is closed with ICMS North.")
    follow(page, decision.get_by_role("link", name="The action table of the current case plan"))
    for description, _ in TASKS:
        expect(page.get_by_text(description)).to_be_visible()
    screenshot(page, "journey-10-practitioner-sees-exit-desktop")


def the_administrator_reads_the_audit_trail(page, demo, record_number: int) -> None:
    switch_to(page, demo["admin.demo"])
    go_to(page, "Audit trail")
    page.get_by_label("Young person (record number)").fill(str(record_number))
    follow(page, page.get_by_role("button", name="Search"))
    supervisor, case_manager = demo["sup.demo"], demo["cm.demo"]
    for who, did, what in [
        (supervisor, "Created", f"Case management agreement for {NAME}"),
        (case_manager, "Created", f"Outreach support with {NAME}"),
        (case_manager, "Created", f"Case plan 1 for {NAME}"),
        (supervisor, "Changed", f"Case plan 1 for {NAME}"),
        (case_manager, "Changed", f"Exit plan for {NAME}"),
        (supervisor, f"Changed: {EXIT_REASON}", NAME),
    ]:
        row = page.get_by_role("row").filter(has_text=str(who)).filter(has_text=what)
        expect(row.filter(has_text=did).first).to_be_visible()
    screenshot(page, "journey-11-audit-trail-desktop")
    # The review is kept under the register entry, not the young person: found by its author.
    page.get_by_label("Young person (record number)").fill("")
    page.get_by_label("Username").fill("reg.demo")
    follow(page, page.get_by_role("button", name="Search"))
    review = page.get_by_role("row").filter(has_text=f"Review of {NAME} on the North register")
    expect(review.filter(has_text="Changed")).to_be_visible()


def test_a_young_person_from_referral_to_exit(axe_pages, demo):
    cp, sup, cm = demo["cp.demo"], demo["sup.demo"], demo["cm.demo"]
    practitioner, supervisor, administrator = (axe_pages(DESKTOP) for _ in range(3))
    case_manager, coordinator = axe_pages(PHONE), axe_pages(PHONE)

    the_practitioner_refers(practitioner, cp)
    confirm_listing(coordinator, demo["reg.demo"], NAME)
    the_supervisor_accepts(supervisor, sup, case_manager=cm)
    the_practitioner_sees_the_acceptance(practitioner, case_manager=cm)
    the_case_manager_logs_the_first_contact(case_manager, cm)
    the_case_manager_drafts_and_submits_the_plan(case_manager)
    the_supervisor_approves_the_plan(supervisor)
    the_coordinator_holds_the_fortnightly_review(coordinator, demo["reg.demo"])
    the_case_manager_writes_the_exit_plan(case_manager)
    the_supervisor_closes_the_case(supervisor)
    the_practitioner_sees_the_exit(practitioner)
    young_person = YoungPerson.objects.get(child_protection_number=NUMBER)
    the_administrator_reads_the_audit_trail(administrator, demo, young_person.pk)

    assert young_person.status == YoungPerson.Status.CLOSED
