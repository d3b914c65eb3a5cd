import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_case_manager_logs_in_on_a_phone_and_sees_their_young_people(
    phone, case_manager, own_young_person
):
    log_in(phone, "case_manager", PASSWORD)

    expect(phone.get_by_role("heading", name="Your young people")).to_be_visible()
    expect(phone.get_by_text("Jayden Own")).to_be_visible()
    screenshot(phone, "login-case-manager-home-phone")


def test_the_phone_menu_opens_and_offers_log_out(phone, case_manager):
    log_in(phone, "case_manager", PASSWORD)

    phone.get_by_role("button", name="Show menu").click()
    phone.get_by_role("button", name=str(case_manager)).click()
    phone.get_by_role("button", name="Log out").click()

    expect(phone.get_by_role("heading", name="Log in to ICMS")).to_be_visible()


def test_a_wrong_password_is_answered_on_the_login_page(desktop, case_manager):
    log_in(desktop, "case_manager", "not-the-password")

    expect(desktop.get_by_text("Please enter a correct username and password")).to_be_visible()
    expect(desktop.get_by_label("Username")).to_have_value("case_manager")


def test_keyboard_focus_is_visible_and_skip_link_leads_to_main(desktop, case_manager):
    log_in(desktop, "case_manager", PASSWORD)

    desktop.keyboard.press("Tab")
    skip_link = desktop.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    outline = skip_link.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline == "solid"
