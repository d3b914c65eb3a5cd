"""Playwright for Python driving Debian's Chromium (no browser download: closed network)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import User
from devtools.demo import DEMO_PASSWORD, seed_demo_agency
from tests.factories import PASSWORD, TOTPDeviceFactory, shipped_data, totp_code

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

# axe-core, vendored from the npm registry (vendor/axe-core/SOURCE). The browser adds it to
# each document as an init script, which the page's content security policy does not govern.
AXE_SCRIPT = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map(violation => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    targets: violation.nodes.map(node => node.target.join(" ")),
  }));
}"""
SERIOUS = ("serious", "critical")
# The documents each axe-checked page has loaded: [url, checked by axe].
_documents: dict[object, list[list]] = {}


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


def _page(browser, live_server, device: dict, *, axe: bool = False):
    """A page that fails the test on any Content Security Policy violation it meets; with
    `axe`, also on any document it loads that axe has not checked (check_accessibility)."""
    context = browser.new_context(base_url=live_server.url, **device)
    page = context.new_page()
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    if axe:
        context.add_init_script(path=AXE_SCRIPT)
        documents = _documents[page] = []
        page.on("load", lambda loaded: documents.append([loaded.url, False]))
    yield page
    unchecked = [url for url, checked in _documents.pop(page, []) if not checked]
    context.close()
    assert violations == [], "the page broke its content security policy"
    assert unchecked == [], "axe did not check these pages"


@pytest.fixture
def phone(browser, live_server):
    yield from _page(browser, live_server, PHONE)


@pytest.fixture
def desktop(browser, live_server):
    yield from _page(browser, live_server, DESKTOP)


@pytest.fixture
def axe_pages(browser, live_server):
    """Opens pages, `axe_pages(PHONE)`, on which axe must check every document loaded: one per
    person of a journey, each on their own device."""
    opened = []

    def open_page(device: dict):
        pages = _page(browser, live_server, device, axe=True)
        opened.append(pages)
        return next(pages)

    yield open_page
    for pages in opened:
        next(pages, None)  # closes the page, then fails on what it met


def check_accessibility(page) -> None:
    """Run axe-core on the page as it is now; fail, naming each rule and where, on any
    violation of serious or critical impact."""
    page.wait_for_load_state("load")
    violations = page.evaluate(RUN_AXE)
    _documents[page][-1][1] = True
    problems = [
        f"{rule['id']} ({rule['impact']}): {rule['help']}: {', '.join(rule['targets'][:3])}"
        + (f" and {len(rule['targets']) - 3} more" if len(rule["targets"]) > 3 else "")
        for rule in violations
        if rule["impact"] in SERIOUS
    ]
    assert not problems, f"axe on {page.url}:\n" + "\n".join(problems)


def arrived(page) -> None:
    """A step has landed on a new page: axe checks it on the pages of axe_pages."""
    if page in _documents:
        check_accessibility(page)


def follow(page, target) -> None:
    """Click a link or button that loads a new page, and wait for that page."""
    with page.expect_event("load"):
        target.click()
    arrived(page)


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def give_password(page, username: str, password: str) -> None:
    page.goto("/")
    arrived(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    follow(page, page.get_by_role("button", name="Log in"))


def log_in(page, user, password: str = PASSWORD) -> None:
    """Both steps, as a user does: password, then the code their authenticator shows."""
    device = user.totpdevice_set.filter(confirmed=True).first() or TOTPDeviceFactory(user=user)
    give_password(page, user.username, password)
    page.get_by_label("Code").fill(totp_code(device))
    follow(page, page.get_by_role("button", name="Continue"))
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def go_to(page, link_name: str) -> None:
    """Follow a link of the main menu, opening the menu first where it is folded (phones)."""
    toggler = page.get_by_role("button", name="Show menu")
    if toggler.is_visible():
        toggler.click()
    follow(page, page.get_by_role("navigation", name="Main").get_by_role("link", name=link_name))


@pytest.fixture
def demo(db):
    """The demo agency (for transactional tests); its users by username."""
    shipped_data()  # a transactional test before this one flushed what the migrations made
    seed_demo_agency()
    return {user.username: user for user in User.objects.filter(username__endswith=".demo")}


def switch_to(page, user) -> None:
    """Log out whoever is logged in on the page, and log a demo user in."""
    page.context.clear_cookies()
    log_in(page, user, DEMO_PASSWORD)


# --- Steps that more than one journey takes ----------------------------------------------------


def refer(
    page, given_name: str, family_name: str, number: str, *, listed_on: str = "2026-11-02"
) -> None:
    """cp.demo fills in and submits a referral."""
    follow(page, page.get_by_role("link", name="Make a referral").first)
    page.get_by_label("Urgency").select_option(label="Urgent (within two days)")
    page.get_by_label("Given name").fill(given_name)
    page.get_by_label("Family name").fill(family_name)
    page.get_by_label("Date of birth").fill("2011-03-04")
    page.get_by_label("Child protection client number").fill(number)
    page.get_by_label("Housing", exact=True).fill("Sleeping at friends' places; left residential.")
    page.get_by_label("Safety", exact=True).fill("Seen with older men known to police.")
    page.get_by_label("Sexual exploitation").check()
    page.get_by_label("Absconding").check()
    page.get_by_label(re.compile("what has been tried", re.IGNORECASE)).fill(
        "Weekly CP visits and a youth worker; absconds before appointments."
    )
    page.get_by_label("Listed on the divisional high-risk youth register").check()
    page.get_by_label("Listed on", exact=True).fill(listed_on)
    page.get_by_label("The young person and the referral").select_option("consents")
    follow(page, page.get_by_role("button", name="Submit to ICMS"))
    expect(
        page.get_by_role("heading", name=f"Referral of {given_name} {family_name}")
    ).to_be_visible()
    expect(page.locator(".badge").filter(has_text="Submitted")).to_be_visible()


def confirm_listing(page, coordinator, name: str) -> None:
    """reg.demo finds the referral's listing on their home page and lists the young person, on
    the date and with the risks the referral gave."""
    switch_to(page, coordinator)
    listings = page.get_by_role("region", name="Listings to confirm")
    follow(page, listings.get_by_role("link", name=name))
    follow(page, page.get_by_role("button", name="List them on the register"))
    expect(page.get_by_text(f"{name} is on the register; ICMS is told.")).to_be_visible()
    expect(page.get_by_text(f"by {coordinator}")).to_be_visible()


def open_from_queue(page, name: str) -> None:
    """The supervisor finds a referral in the triage queue and starts considering it."""
    go_to(page, "Referrals")
    follow(page, page.get_by_role("row").filter(has_text=name).get_by_role("link", name=name))
    follow(page, page.get_by_role("button", name="Start considering"))
    expect(page.locator(".badge").filter(has_text="Under consideration")).to_be_visible()


def add_goal(page, domain: str, words: str) -> None:
    follow(page, page.get_by_role("link", name="Add a goal"))
    page.get_by_label("Life domain").select_option(label=domain)
    page.get_by_label("The goal, in the young person's words").fill(words)
    page.get_by_label("Strengths it builds on").fill("Turns up when it matters to him.")
    follow(page, page.get_by_role("button", name="Save the goal"))


def add_task(
    page, goal: str, description: str, who: str, due: str, *, person: str = "Joe Brown"
) -> None:
    """Open the row to add a task under the goal (after the first, it stays open), fill it in
    and add it: the page is not reloaded. A task for a family member or significant other is
    for `person`."""
    card = page.locator("article").filter(has=page.get_by_role("heading", name=f"“{goal}”"))
    row = card.locator("tr[id^=add-task]")
    opening = row.get_by_role("link", name="Add a task")
    if opening.count():
        opening.click()
    row.get_by_label("What (new task)").fill(description)
    row.get_by_label("Who", exact=True).select_option(label=who)
    if who == "Family member or significant other":
        row.get_by_label("Family member or significant other").select_option(label=person)
    if who == "Another agency":
        row.get_by_label("Agency").fill("Northside Youth Centre")
    row.get_by_label("By when").fill(due)
    row.get_by_role("button", name="Add task").click()
    expect(card.locator("tbody[id^=tasks] tr").filter(has_text=description)).to_be_visible()
    expect(card.locator("tr[id^=add-task]").get_by_label("What (new task)")).to_have_value("")


def fill_contact(page, notes: str) -> None:
    """Fill in the contact form for a face-to-face outreach visit, and wait for the draft to
    be saved (a draft saved after the contact is recorded would come back on the next one)."""
    expect(page.get_by_label(re.compile(r"\bWhen\b"))).not_to_have_value("")
    page.get_by_label(re.compile(r"\bMinutes\b")).fill("40")
    page.get_by_label(re.compile(r"\bHow\b")).select_option(label="Face to face")
    page.get_by_label(re.compile(r"\bWhere\b")).select_option(label="Community")
    page.get_by_label(re.compile(r"\bWhat kind\b")).select_option(label="Outreach support")
    page.get_by_label(re.compile(r"\bNotes\b")).fill(notes)
    expect(page.locator("#draft-status")).to_contain_text("Draft saved")
