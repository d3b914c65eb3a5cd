"""axe-core on every page each person can open: the pages of the access matrix that each role is
shown, in Chromium, on a phone (390 px) and at a desk (1280 px), logged in as that person, with
every disclosure (<details>) open. Any violation fails, whatever its impact. On the phone, no
page is wider than the screen and no badge or button sticks out of its cell or card or is
stretched; on the pages a case manager and a coordinator use in the field (the action table, the
contact form, the register review) every tap target is at least 44 by 44 px. The run's summary
lists every page checked, per role and width."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import resolve

from tests import test_access_matrix, test_links
from tests.browser.conftest import AXE_SCRIPT, DESKTOP, PHONE, RUN_AXE
from tests.conftest import ACCESSIBILITY_REPORT
from tests.test_access_matrix import pages_shown_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The fixtures: the access matrix's records and people, with more on their pages.
world, crawled_world = test_access_matrix.world_of_its_own, test_links.crawled_world
WIDTHS = {"390 px": PHONE, "1280 px": DESKTOP}
# The pages used on a phone in the field, whose every tap target must be 44 by 44 px.
FIELD_PAGES = {
    "caseplans:plan",
    "caseplans:edit",
    "clients:contact-create",
    "clients:contact-edit",
    "register:entry",
}

OPEN_DISCLOSURES = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"
NAME_OF = """function nameOf(element) {
  const text = (element.innerText || element.value || element.getAttribute("aria-label") || "")
    .trim().replace(/\\s+/g, " ").slice(0, 40);
  return `${element.tagName.toLowerCase()}${element.className ? "." + element.className
    .trim().split(/\\s+/).join(".") : ""} "${text}"`;
}"""
# Whether the page fits the screen, and each badge and button its cell or card, unstretched.
LAYOUT = f"""() => {{
  {NAME_OF}
  const problems = [];
  const page = document.documentElement;
  if (page.scrollWidth > window.innerWidth) {{
    problems.push(`the page is ${{page.scrollWidth}} px wide: wider than the screen`);
  }}
  for (const element of document.querySelectorAll("main .badge, main .btn")) {{
    if (!element.checkVisibility()) continue;
    const box = element.getBoundingClientRect();
    const holder = element.parentElement.closest("td, th, .card, .list-group-item, .alert");
    if (holder) {{
      const room = holder.getBoundingClientRect();
      if (box.left < room.left - 1 || box.right > room.right + 1) {{
        problems.push(`${{nameOf(element)}} sticks out of its ${{holder.tagName.toLowerCase()}}`);
      }}
    }}
    if (element.matches(".badge")) {{
      const words = document.createRange();
      words.selectNodeContents(element);
      const style = getComputedStyle(element);
      const padding = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
      if (box.height > words.getBoundingClientRect().height + padding + 2) {{
        problems.push(`${{nameOf(element)}} is stretched to ${{Math.round(box.height)}} px high`);
      }}
    }}
  }}
  return problems;
}}"""
# Tap targets under 44 by 44 px: a check box or radio button counts with its label, and a link
# in a sentence is exempt (WCAG 2.5.5).
SMALL_TARGETS = f"""() => {{
  {NAME_OF}
  const inSentence = link => [link.previousSibling, link.nextSibling].some(
    node => node && node.nodeType === Node.TEXT_NODE && node.textContent.trim());
  const small = [];
  const targets = "main a[href], main button, main summary, main select, main textarea, "
    + "main input:not([type=hidden])";
  for (const element of document.querySelectorAll(targets)) {{
    if (!element.checkVisibility() || (element.matches("a") && inSentence(element))) continue;
    let {{left, top, right, bottom}} = element.getBoundingClientRect();
    for (const label of element.labels || []) {{
      if (!element.matches("[type=checkbox], [type=radio]")) break;
      const box = label.getBoundingClientRect();
      [left, top] = [Math.min(left, box.left), Math.min(top, box.top)];
      [right, bottom] = [Math.max(right, box.right), Math.max(bottom, box.bottom)];
    }}
    if (right - left < 43.5 || bottom - top < 43.5) {{
      small.push(`${{nameOf(element)}} is ${{Math.round(right - left)}} by ` +
        `${{Math.round(bottom - top)}} px`);
    }}
  }}
  return small;
}}"""


def html_pages(client, urls: list[str]) -> list[str]:
    """The URLs among `urls` that answer with a whole page: not a CSV or a PDF, nor the part of
    a page that htmx puts in place. Undone after: the audit trail, which no flush empties, keeps
    no export for the tests that come after."""
    with transaction.atomic():
        pages = [url for url in urls if is_whole_page(client.get(url))]
        transaction.set_rollback(True)
    return pages


def is_whole_page(response) -> bool:
    return not response.streaming and response.content.lstrip().lower().startswith(b"<!doctype")


def problems_on(page, url: str, width: str) -> list[str]:
    page.goto(url)
    page.evaluate(OPEN_DISCLOSURES)
    found = [
        f"{rule['id']} ({rule['impact']}): {rule['help']}: {', '.join(rule['targets'][:3])}"
        + (f" and {len(rule['targets']) - 3} more" if len(rule["targets"]) > 3 else "")
        for rule in page.evaluate(RUN_AXE)
    ]
    if width == "390 px":
        found += page.evaluate(LAYOUT)
        if resolve(urlsplit(url).path).view_name in FIELD_PAGES:
            found += [f"tap target: {small}" for small in page.evaluate(SMALL_TARGETS)]
    return found


def test_every_page_each_person_can_open_is_accessible_on_a_phone_and_a_desk(
    request, browser, live_server, client, log_in, crawled_world
):
    world = crawled_world
    report = [f"{'role':<22}{'width':<9}{'problems':>9}  page"]
    problems = []
    for role in ["anonymous", *test_links.CRAWLED_ROLES]:
        client.logout()
        if role != "anonymous":
            log_in(world.users[role])
        urls = html_pages(client, pages_shown_to(world, role))
        for width, device in WIDTHS.items():
            context = browser.new_context(base_url=live_server.url, **device)
            context.add_init_script(path=AXE_SCRIPT)
            if role != "anonymous":
                session = {"name": settings.SESSION_COOKIE_NAME, "url": live_server.url}
                session["value"] = client.cookies[settings.SESSION_COOKIE_NAME].value
                context.add_cookies([session])
            page = context.new_page()
            for url in urls:
                found = problems_on(page, url, width)
                report.append(f"{role:<22}{width:<9}{len(found):>9}  {url}")
                problems += [f"{role}, {width}, {url}: {problem}" for problem in found]
            context.close()
    request.config.stash[ACCESSIBILITY_REPORT] = report

    assert len(report) > 100, "the crawl finds the pages"
    assert not problems, "found:\n" + "\n".join(problems)
