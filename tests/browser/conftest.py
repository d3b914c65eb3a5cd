"""Playwright for Python driving Debian's Chromium (no browser download: closed network)."""

import re
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from playwright.sync_api import expect

from accounts.models import User
from icms.demo import DEMO_PASSWORD, seed_demo_agency
from tests.factories import PASSWORD, TOTPDeviceFactory, totp_code

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} not found; install Debian's chromium package to run browser tests"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in the test thread, which Django's async guard
    # would take for async code touching the database. Package scope: the flag outlives every
    # browser test's database teardown and is gone before the rest of the suite.
    with (
        pytest.MonkeyPatch.context() as patch,
        sync_playwright() as playwright,
    ):
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def _page(browser, live_server, device: dict):
    """A page that fails the test on any Content Security Policy violation it meets."""
    context = browser.new_context(base_url=live_server.url, **device)
    page = context.new_page()
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert violations == [], "the page broke its content security policy"


@pytest.fixture
def phone(browser, live_server):
    yield from _page(browser, live_server, PHONE)


@pytest.fixture
def desktop(browser, live_server):
    yield from _page(browser, live_server, DESKTOP)


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def give_password(page, username: str, password: str) -> None:
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def log_in(page, user, password: str = PASSWORD) -> None:
    """Both steps, as a user does: password, then the code their authenticator shows."""
    device = user.totpdevice_set.filter(confirmed=True).first() or TOTPDeviceFactory(user=user)
    give_password(page, user.username, password)
    page.get_by_label("Code").fill(totp_code(device))
    page.get_by_role("button", name="Continue").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def go_to(page, link_name: str) -> None:
    """Follow a link of the main menu, opening the menu first where it is folded (phones)."""
    toggler = page.get_by_role("button", name="Show menu")
    if toggler.is_visible():
        toggler.click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name=link_name).click()


@pytest.fixture
def demo(db):
    """The demo agency (for transactional tests); its users by username."""
    # A transactional test before this one flushed the intensity levels a migration made.
    import_module("clients.migrations.0002_default_intensity_levels").add_default_levels(apps, None)
    seed_demo_agency()
    return {user.username: user for user in User.objects.filter(username__endswith=".demo")}


def switch_to(page, user) -> None:
    """Log out whoever is logged in on the page, and log a demo user in."""
    page.context.clear_cookies()
    log_in(page, user, DEMO_PASSWORD)
