"""A case plan made with the demo agency's people: the case manager builds it inline and
submits it, the supervisor approves it on a phone, child protection reads the action table."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from caseplans.models import CasePlan
from tests.browser.conftest import add_goal, add_task, go_to, screenshot, switch_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# life domain, the goal in Liam's words, its tasks (what, who)
GOALS = [
    ("Education and employment", "I want a job at the skate shop", [
        ("Write a CV together", "Case manager"),
        ("Hand the CV in at the skate shop", "The young person"),
    ]),
    ("Living skills", "Learn to cook so I can move out one day", [
        ("Cook dinner with Joe on Sundays", "Family member or significant other"),
        ("Sign up for the youth centre cooking class", "Another agency"),
    ]),
]  # fmt: skip
TASKS = [description for _, _, tasks in GOALS for description, _ in tasks]


def test_a_plan_is_made_inline_approved_and_read_by_child_protection(desktop, phone, demo):
    cm, sup, cp = demo["cm.demo"], demo["sup.demo"], demo["cp.demo"]
    due = (timezone.localdate() + timedelta(days=21)).isoformat()

    # The case manager starts Liam's first plan and records who made it with him.
    switch_to(desktop, cm)
    desktop.get_by_role("link", name="Liam Brown").click()
    desktop.get_by_role("link", name="Case plan").click()
    desktop.get_by_role("button", name="Start the case plan").click()
    desktop.locator("#about-plan-heading").locator("..").get_by_role("link", name="Edit").click()
    desktop.get_by_label("The young person", exact=True).check()
    desktop.get_by_label("Family", exact=True).check()
    desktop.get_by_label(re.compile("view of the plan")).fill("Sounds good. Cooking first.")
    desktop.get_by_label(re.compile("Agreed with the young person on")).fill(
        timezone.localdate().isoformat()
    )
    desktop.get_by_role("button", name="Save").click()
    expect(desktop.get_by_text("The plan is saved.")).to_be_visible()

    # Two goals, and four tasks added row by row in the action table.
    plan_url = desktop.url
    for domain, goal, tasks in GOALS:
        add_goal(desktop, domain, goal)
        for description, who in tasks:
            add_task(desktop, goal, description, who, due)
    assert desktop.url.startswith(plan_url.split("#")[0])
    desktop.get_by_role("button", name="Done: Write a CV together").click()
    done_row = desktop.locator("tr").filter(has_text="Write a CV together")
    expect(done_row).to_contain_text("Done")
    expect(done_row.get_by_role("button", name=re.compile("^Done"))).to_have_count(0)
    screenshot(desktop, "case-plan-1-action-table-desktop")
    desktop.get_by_role("button", name="Submit for approval").click()
    expect(desktop.get_by_text("The plan is sent to the supervisor for approval.")).to_be_visible()

    # The supervisor, on a phone, finds it waiting on their home page and approves it.
    switch_to(phone, sup)
    phone.get_by_role("link", name="Liam Brown, version 1").click()
    expect(phone.get_by_text("Waiting for approval")).to_be_visible()
    for description in TASKS:
        expect(phone.get_by_text(description)).to_be_visible()
    phone.get_by_role("button", name="Approve").click()
    expect(phone.get_by_text("The plan is approved: it is now the current plan.")).to_be_visible()
    screenshot(phone, "case-plan-2-approved-phone")

    # Child protection reads the action table from their referral, and cannot change it.
    switch_to(phone, cp)
    go_to(phone, "Your referrals")
    phone.get_by_role("link", name="Liam Brown").first.click()
    phone.get_by_role("link", name="The action table of the current case plan").click()
    expect(phone.get_by_role("heading", name="Liam Brown: action table")).to_be_visible()
    expect(phone.get_by_text("Read-only.", exact=False)).to_be_visible()
    for description in TASKS:
        expect(phone.get_by_text(description)).to_be_visible()
    expect(phone.get_by_role("button", name=re.compile("^(Done|Add task|Save)"))).to_have_count(0)
    expect(phone.get_by_role("link", name=re.compile("^(Edit|Add a goal)"))).to_have_count(0)
    screenshot(phone, "case-plan-3-child-protection-phone")

    # The PDF has Liam's name and every task.
    plan = CasePlan.objects.get(young_person__family_name="Brown", status="current")
    with phone.expect_download() as download:
        phone.get_by_role("link", name="PDF").click()
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    words = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "Liam Brown" in words
    for description in TASKS:
        assert description in words
    assert plan.goals.count() == 2
