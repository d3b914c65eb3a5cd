"""The supervisor's retention review in the demo agency, on a phone: the archive search finds
Brooke's file of nine years ago, which opens read-only; her file is past its retention date, so
sup.demo reviews it and approves its disposal; its stub is then on the register, which the
administrator reads at a desk. Dylan's, as old, is kept under legal hold. axe-core checks every
page loaded."""

import pytest
from playwright.sync_api import expect

from clients.models import YoungPerson
from records.models import Disposal
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    check_accessibility,
    follow,
    go_to,
    switch_to,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_supervisor_finds_reviews_and_disposes_of_an_old_file(axe_pages, demo):
    phone = axe_pages(PHONE)
    switch_to(phone, demo["sup.demo"])

    go_to(phone, "Closed files")
    phone.get_by_label("Name or child protection number").fill("kelly")
    phone.get_by_label("Why are you searching?").fill("Retention review of old files")
    follow(phone, phone.get_by_role("button", name="Search the archive"))
    follow(phone, phone.get_by_role("link", name="Brooke Kelly"))
    expect(phone.get_by_text("Closed file: read only.")).to_be_visible()
    expect(phone.get_by_role("link", name="Log a contact")).to_have_count(0)

    follow(phone, phone.get_by_role("link", name="Retention review"))
    expect(phone.get_by_text("What disposing of it removes")).to_be_visible()
    phone.get_by_label("I have checked there is no reason to keep this file").check()
    phone.get_by_label("Note").fill("No claim, inquiry or request for access.")
    follow(phone, phone.get_by_role("button", name="Dispose of this file"))
    expect(phone.get_by_text("The file of Brooke Kelly is disposed of.")).to_be_visible()
    assert not YoungPerson.objects.filter(family_name="Kelly").exists()
    assert Disposal.objects.filter(name="Brooke Kelly").exists()

    go_to(phone, "Closed files")
    follow(phone, phone.get_by_role("link", name="Files due for retention review"))
    expect(phone.get_by_text("No file of your team is due for review.")).to_be_visible()
    dylan = YoungPerson.objects.get(family_name="Harris")
    phone.goto(f"/records/young-person/{dylan.pk}/legal-hold/")
    phone.wait_for_load_state("load")
    expect(phone.get_by_text("Under legal hold", exact=True)).to_be_visible()
    check_accessibility(phone)

    desk = axe_pages(DESKTOP)
    switch_to(desk, demo["admin.demo"])
    go_to(desk, "Disposed files")
    expect(desk.get_by_text("Brooke Kelly")).to_be_visible()
    expect(desk.get_by_text("Kyle Bennett")).to_be_visible()
