import re
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from audit.models import AuditAction, AuditEvent
from tests.browser.conftest import give_password, log_in, screenshot
from tests.factories import PASSWORD, YoungPersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_case_manager_logs_in_on_a_phone_with_password_and_code(
    phone, case_manager, own_young_person
):
    give_password(phone, "case_manager", PASSWORD)
    expect(phone.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    screenshot(phone, "login-1-first-login-set-up-phone")

    secret = phone.locator("code").inner_text().replace(" ", "")
    code = f"{TOTP(b32decode(secret)).token():06d}"
    phone.get_by_label("Code shown by the app").fill(code)
    phone.get_by_role("button", name="Confirm and log in").click()

    expect(phone.get_by_role("heading", name="Recovery codes")).to_be_visible()
    expect(phone.locator(".recovery-codes li")).to_have_count(10)
    screenshot(phone, "login-2-recovery-codes-phone")
    phone.get_by_role("link", name="I have saved them").click()
    expect(phone.get_by_role("heading", name="Your young people")).to_be_visible()
    expect(phone.get_by_text("Jayden Own")).to_be_visible()
    screenshot(phone, "login-3-case-manager-home-phone")


def test_a_wrong_password_is_answered_on_the_login_page(desktop, case_manager):
    give_password(desktop, "case_manager", "not-the-password")

    expect(desktop.get_by_text("Please enter a correct username and password")).to_be_visible()
    expect(desktop.get_by_label("Username")).to_have_value("case_manager")


def test_the_phone_menu_opens_and_offers_log_out(phone, case_manager):
    log_in(phone, case_manager)

    phone.get_by_role("button", name="Show menu").click()
    # The menu slides open; a click on the account button while it is still sliding can be lost.
    expect(phone.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))
    phone.get_by_role("button", name=str(case_manager)).click()
    phone.get_by_role("button", name="Log out").click()

    expect(phone.get_by_role("heading", name="Log in to ICMS")).to_be_visible()


def test_browsing_records_every_record_viewed(phone, case_manager, team, own_young_person):
    second = YoungPersonFactory(
        given_name="Mia", family_name="Second", team=team, primary_case_manager=case_manager
    )
    log_in(phone, case_manager)

    for young_person in (own_young_person, second):
        phone.get_by_role("link", name=young_person.display_name).click()
        expect(phone.get_by_role("heading", name=young_person.display_name)).to_be_visible()
        phone.go_back()
    screenshot(phone, "audit-case-manager-browsed-phone")

    viewed = AuditEvent.objects.filter(actor=case_manager, action=AuditAction.VIEW)
    assert [
        event.young_person_id for event in viewed.filter(young_person__isnull=False).order_by("id")
    ] == [own_young_person.pk, second.pk]
    # The home page lists them too; going back loads it again (no page may be cached).
    assert {event.detail["list"] for event in viewed.filter(young_person__isnull=True)} == {"home"}


def test_keyboard_focus_is_visible_and_skip_link_leads_to_main(desktop, case_manager):
    log_in(desktop, case_manager)

    desktop.keyboard.press("Tab")
    skip_link = desktop.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    outline = skip_link.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline == "solid"
