"""Two people edit a young person's record at the same time, each in their own browser: the
second to save is told who saved what, keeps what they typed, and saves over it knowingly."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_second_person_to_save_is_told_and_loses_nothing(
    desktop, phone, case_manager, supervisor, own_young_person
):
    edit = reverse("clients:edit", args=[own_young_person.pk])
    log_in(desktop, case_manager)
    log_in(phone, supervisor)
    desktop.goto(edit)
    phone.goto(edit)

    phone.get_by_label("Language spoken at home").fill("Arabic")
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("The record is updated.")).to_be_visible()

    desktop.get_by_label("Preferred name").fill("Jay")
    desktop.get_by_label("Cultural background").fill("Assyrian")
    desktop.get_by_role("button", name="Save").click()

    told = desktop.get_by_role("alert").filter(has_text="while you were editing")
    expect(told).to_contain_text(f"{supervisor} changed this record at")
    expect(told).to_contain_text("Language spoken at home: “Arabic”")
    expect(desktop.get_by_label("Preferred name")).to_have_value("Jay")
    expect(desktop.get_by_label("Cultural background")).to_have_value("Assyrian")
    expect(desktop.get_by_label("Language spoken at home")).to_have_value("Arabic")
    screenshot(desktop, "record-race-1-told-desktop")

    desktop.get_by_role("button", name="Save").click()
    expect(desktop.get_by_text("The record is updated.")).to_be_visible()
    own_young_person.refresh_from_db()
    assert (
        own_young_person.preferred_name,
        own_young_person.cultural_background,
        own_young_person.language,
    ) == ("Jay", "Assyrian", "Arabic")
