"""The forms of the whole journey, filled in and sent with the keyboard alone: Tab and
Shift+Tab to move, typing (a select jumps to the option typed), Space for checkboxes and radio
buttons, Enter to send. Every element the focus lands on along the way must show it."""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from caseplans.models import CasePlan
from clients.models import Contact, YoungPerson
from devtools.demo import DEMO_PASSWORD
from referrals.models import Referral
from register.models import RegisterEntry, RegisterReview
from tests.browser.conftest import switch_to
from tests.factories import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where the focus is, and whether it shows: an outline, or the ring Bootstrap draws as a shadow.
FOCUS = """target => {
  const focused = document.activeElement;
  const style = getComputedStyle(focused);
  return {
    reached: focused === target,
    // Off the page (Tab past its last element), or on a part of a control the browser draws
    // with its own ring (a date field's calendar button): not ours to check.
    ours: document.hasFocus() && focused.matches(":focus"),
    shown: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
      || style.boxShadow !== "none",
    element: focused.outerHTML.slice(0, 160),
  };
}"""
DATE_ORDER = """() => new Intl.DateTimeFormat(navigator.language)
  .formatToParts(new Date(2001, 10, 22))
  .filter(part => part.type !== "literal")
  .map(part => part.type)"""


def keyboard_only(page) -> None:
    # Without motion, a focus ring is drawn at once rather than faded in.
    page.emulate_media(reduced_motion="reduce")


def tab_to(page, target, *, key: str = "Tab", most: int = 60) -> None:
    """Press Tab (or Shift+Tab) until `target` has the focus, checking that the focus shows on
    every element it passes."""
    if target.evaluate(FOCUS)["reached"]:  # the page put the focus there (autofocus)
        return
    for _ in range(most):
        page.keyboard.press(key)
        focus = target.evaluate(FOCUS)
        assert focus["shown"] or not focus["ours"], f"the focus does not show on {focus['element']}"
        if focus["reached"]:
            return
    raise AssertionError(f"{most} presses of {key} did not reach {target}")


def type_into(page, target, text: str) -> None:
    tab_to(page, target)
    page.keyboard.type(text)


def type_date(page, target, day: date) -> None:
    """A date field takes its day, month and year in the order of the browser's language."""
    tab_to(page, target)
    parts = {"day": f"{day:%d}", "month": f"{day:%m}", "year": f"{day:%Y}"}
    page.keyboard.type("".join(parts[part] for part in page.evaluate(DATE_ORDER)))


def tick(page, target) -> None:
    tab_to(page, target)
    page.keyboard.press("Space")


def press(page, target) -> None:
    """Follow a link or press a button with Enter, and wait for the page it loads."""
    tab_to(page, target)
    with page.expect_event("load"):
        page.keyboard.press("Enter")


def log_in_by_keyboard(page, user) -> None:
    page.goto("/")
    type_into(page, page.get_by_label("Username"), user.username)
    type_into(page, page.get_by_label("Password"), DEMO_PASSWORD)
    with page.expect_event("load"):
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    type_into(page, page.get_by_label("Code"), totp_code(user.totpdevice_set.get()))
    with page.expect_event("load"):
        page.keyboard.press("Enter")


def test_child_protection_refers_and_reviews_the_register_by_keyboard(desktop, demo):
    page = desktop
    keyboard_only(page)
    today = timezone.localdate()

    log_in_by_keyboard(page, demo["cp.demo"])
    expect(page.get_by_role("heading", name="Hello, Chris")).to_be_visible()
    press(page, page.get_by_role("link", name="Make a referral").first)
    tab_to(page, page.get_by_label("Urgency"))
    page.keyboard.type("Urgent")
    type_into(page, page.get_by_label("Given name"), "Kia")
    type_into(page, page.get_by_label("Family name"), "Tane")
    # A slip noticed at once: back to the given name to finish it.
    tab_to(page, page.get_by_label("Given name"), key="Shift+Tab")
    page.keyboard.press("End")
    page.keyboard.type("ra")
    type_date(page, page.get_by_label("Date of birth"), date(2011, 3, 4))
    type_into(page, page.get_by_label("Child protection client number"), "CP-779001")
    type_into(page, page.get_by_label("Housing", exact=True), "Couch-surfing since June.")
    tick(page, page.get_by_label("Absconding"))
    type_into(page, page.get_by_label("What has been tried"), "Weekly visits; she leaves.")
    tick(page, page.get_by_label("Listed on the divisional high-risk youth register"))
    type_date(page, page.get_by_label("Listed on", exact=True), today)
    tab_to(page, page.get_by_label("The young person and the referral"))
    page.keyboard.press("ArrowDown")
    press(page, page.get_by_role("button", name="Submit to ICMS"))

    expect(page.get_by_role("heading", name="Referral of Kiara Tane")).to_be_visible()
    referral = Referral.objects.get(child_protection_number="CP-779001")
    assert (referral.given_name, referral.status) == ("Kiara", Referral.Status.SUBMITTED)
    assert (referral.urgency, referral.risks) == (Referral.Urgency.URGENT, ["absconding"])
    assert (referral.date_of_birth, referral.register_listed_on) == (date(2011, 3, 4), today)
    assert referral.consent == Referral.Consent.CONSENTS

    # The register coordinator holds Mia's overdue review.
    page.context.clear_cookies()
    log_in_by_keyboard(page, demo["reg.demo"])
    entry = RegisterEntry.objects.get(young_person__given_name="Mia", status="active")
    page.goto(reverse("register:entry", args=[entry.pk]))
    tick(page, page.get_by_label("Child protection"))
    tick(page, page.get_by_label("ICMS", exact=True))
    tick(page, page.get_by_label("Remain listed"))
    type_into(page, page.get_by_label("Notes"), "Still away from placement at weekends.")
    press(page, page.get_by_role("button", name="Record the review"))

    expect(page.get_by_text("The review is recorded.")).to_be_visible()
    review = RegisterReview.objects.get(entry=entry, reviewed_on=today)
    assert review.outcome == RegisterReview.Outcome.REMAIN
    assert sorted(review.participants) == ["child_protection", "icms"]


def test_the_case_manager_logs_a_contact_and_drafts_a_plan_by_keyboard(phone, demo):
    page = phone
    keyboard_only(page)
    liam = YoungPerson.objects.get(given_name="Liam", family_name="Brown")
    switch_to(page, demo["cm.demo"])

    press(page, page.get_by_role("link", name="Liam Brown"))
    press(page, page.get_by_role("link", name="Log a contact"))
    type_into(page, page.get_by_label(re.compile(r"\bMinutes\b")), "30")
    type_into(page, page.get_by_label(re.compile(r"\bHow\b")), "Face")
    type_into(page, page.get_by_label(re.compile(r"\bWhere\b")), "Community")
    type_into(page, page.get_by_label(re.compile(r"\bWhat kind\b")), "Outreach")
    type_into(page, page.get_by_label(re.compile(r"\bNotes\b")), "Skate park; talked school.")
    press(page, page.get_by_role("button", name="Record contact"))

    expect(page.locator(".timeline-entry").first).to_contain_text("Skate park; talked school.")
    contact = Contact.objects.get(young_person=liam, notes="Skate park; talked school.")
    assert (contact.duration_minutes, contact.mode, contact.location, contact.kind) == (
        30,
        Contact.Mode.FACE_TO_FACE,
        Contact.Location.COMMUNITY,
        Contact.Kind.OUTREACH,
    )

    page.goto(reverse("caseplans:young-person", args=[liam.pk]))
    press(page, page.get_by_role("button", name="Start the case plan"))
    press(page, page.get_by_role("region", name="The plan", exact=True).get_by_role("link"))
    tick(page, page.get_by_label("The young person", exact=True))
    type_into(page, page.get_by_label("view of the plan"), "Skate shop job first.")
    type_date(page, page.get_by_label("Agreed with the young person on"), timezone.localdate())
    press(page, page.get_by_role("button", name="Save"))
    expect(page.get_by_text("The plan is saved.")).to_be_visible()
    press(page, page.get_by_role("link", name="Add a goal"))
    type_into(page, page.get_by_label("Life domain"), "Education")
    type_into(page, page.get_by_label("in the young person's words"), "A job at the skate shop")
    press(page, page.get_by_role("button", name="Save the goal"))

    expect(page.get_by_role("heading", name="“A job at the skate shop”")).to_be_visible()
    plan = CasePlan.objects.get(young_person=liam)
    assert (plan.participants, plan.agreed_on) == (["young_person"], timezone.localdate())
    assert plan.young_persons_view == "Skate shop job first."
    assert [goal.in_own_words for goal in plan.goals.all()] == ["A job at the skate shop"]
