"""The caseload review with the demo agency: the supervisor sees each worker's weighted load,
drills down to a young person whose register review is overdue, and downloads the table."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from clients.rules import young_people_visible_to
from supervision.queries import caseload_review
from tests.browser.conftest import go_to, screenshot, switch_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_supervisor_reviews_caseloads_drills_down_and_exports(
    phone, desktop, demo, live_server
):
    supervisor, case_manager = demo["sup.demo"], demo["cm.demo"]
    (team,) = supervisor.teams_led.all()
    loads = {
        load.worker.username: load
        for load in caseload_review(team, visible=young_people_visible_to(supervisor)).workers
    }

    switch_to(desktop, supervisor)
    go_to(desktop, "Caseload review")
    expect(desktop.get_by_role("heading", name=f"Caseload review: {team}")).to_be_visible()
    table = desktop.get_by_role("table")
    for load in loads.values():
        row = table.get_by_role("row").filter(has_text=str(load.worker))
        expect(row.get_by_role("meter")).to_have_attribute("value", str(load.weighted))
        expect(row).to_contain_text(f"{load.weighted:.1f}")
    casey = table.get_by_role("row").filter(has_text=str(case_manager))
    expect(casey).to_contain_text(f"{loads['cm.demo'].young_people}")
    screenshot(desktop, "supervision-1-review-desktop")

    casey.get_by_role("cell").nth(8).get_by_role("link").click()  # register reviews overdue
    expect(desktop).to_have_url(re.compile(rf"\?worker={case_manager.pk}&register_overdue=on$"))
    mia = desktop.get_by_role("row").filter(has_text="Mia Thompson")
    expect(mia).to_contain_text("overdue")
    mia.get_by_role("link", name="Mia Thompson").click()
    expect(desktop.get_by_role("heading", name="Mia Thompson")).to_be_visible()

    desktop.go_back()
    desktop.go_back()
    with desktop.expect_download() as download:
        desktop.get_by_role("link", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["Worker", "Young people", "Weighted load"]
    exported = {row[0]: row for row in rows[1:]}
    assert exported[str(case_manager)][1:3] == [
        str(loads["cm.demo"].young_people),
        str(loads["cm.demo"].weighted),
    ]

    switch_to(phone, supervisor)
    phone.goto(live_server.url + reverse("supervision:review", args=[team.pk]))
    expect(phone.get_by_role("row").filter(has_text=str(case_manager))).to_be_visible()
    screenshot(phone, "supervision-2-review-phone")
    go_to(phone, "Caseload review")
    phone.get_by_role("link", name="Dashboard").click()
    expect(phone.get_by_role("heading", name="Contacts per week")).to_be_visible()
    expect(phone.locator("canvas[data-chart=contacts]")).to_be_visible()
    screenshot(phone, "supervision-3-dashboard-phone")
