"""A contact typed without signal: kept on the phone, encrypted, and recorded once when the
connection is back (static/js/offline-contact.js)."""

import json
import re

import pytest
from django.core.cache import caches
from django.urls import reverse
from playwright.sync_api import expect

from clients.models import Contact
from icms import settings as app_settings
from tests.browser.conftest import log_in, screenshot
from tests.servers import RedisServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTES = "Caught Jayden on the station platform. Talked through the housing appointment."
KEPT = "No signal: saved on this phone, encrypted. It will be sent when the connection is back."
NOT_ANSWERING = (
    "ICMS is not answering just now: saved on this phone, encrypted. It will be sent by itself "
    "as soon as ICMS answers."
)


def open_contact_form(page, young_person) -> None:
    page.goto(reverse("clients:contact-create", args=[young_person.pk]))


def fill_contact(page, notes: str = NOTES) -> None:
    page.get_by_label(re.compile(r"\bMinutes\b")).fill("25")
    page.get_by_label(re.compile(r"\bHow\b")).select_option(label="Face to face")
    page.get_by_label(re.compile(r"\bWhere\b")).select_option(label="Community")
    page.get_by_label(re.compile(r"\bWhat kind\b")).select_option(label="Outreach support")
    page.get_by_label(re.compile(r"\bNotes\b")).fill(notes)


def kept_on_the_phone(page) -> dict:
    return page.evaluate("Object.fromEntries(Object.entries(localStorage))")


def lose_the_answer(route) -> None:
    """The contact reaches ICMS, and the signal drops before the answer comes back."""
    if route.request.method != "POST":
        route.continue_()
        return
    route.fetch()
    route.abort("internetdisconnected")


def keep_a_contact(page, young_person) -> None:
    """A contact whose sending failed on a connection the phone still believes it has."""
    form_url = reverse("clients:contact-create", args=[young_person.pk])
    open_contact_form(page, young_person)
    page.route(f"**{form_url}", lambda route: route.abort("internetdisconnected"))
    fill_contact(page)
    page.get_by_role("button", name="Record contact").click()
    expect(page.locator("#offline-status")).to_have_text(KEPT)
    page.unroute(f"**{form_url}")


def test_a_contact_typed_without_signal_is_kept_encrypted_and_recorded_once_it_is_back(
    phone, case_manager, own_young_person
):
    log_in(phone, case_manager)
    open_contact_form(phone, own_young_person)

    phone.context.set_offline(True)
    fill_contact(phone)
    phone.get_by_role("button", name="Record contact").click()

    expect(phone.locator("#offline-status")).to_have_text(KEPT)
    expect(phone.get_by_label(re.compile(r"\bNotes\b"))).to_have_value(NOTES)
    screenshot(phone, "contact-offline-1-kept-phone")
    kept = kept_on_the_phone(phone)
    assert list(kept) == [
        f"icms-contact-draft:{own_young_person.pk}:"
        + phone.locator("[name=client_reference]").input_value()
    ]
    stored = json.dumps(kept)
    assert [word for word in re.findall(r"\w{5,}", NOTES) if word in stored] == []
    assert not Contact.objects.exists()

    phone.context.set_offline(False)

    expect(phone).to_have_url(re.compile(reverse("clients:timeline", args=[own_young_person.pk])))
    expect(phone.get_by_text("Contact recorded")).to_be_visible()
    expect(phone.locator(".timeline-entry").filter(has_text="station platform")).to_have_count(1)
    screenshot(phone, "contact-offline-2-recorded-phone")
    assert kept_on_the_phone(phone) == {}
    assert Contact.objects.filter(young_person=own_young_person, notes=NOTES).count() == 1


def test_a_contact_whose_answer_was_lost_is_sent_again_and_recorded_once(
    phone, case_manager, own_young_person
):
    log_in(phone, case_manager)
    open_contact_form(phone, own_young_person)
    phone.route("**/contacts/new/", lose_the_answer)
    fill_contact(phone)
    phone.get_by_role("button", name="Record contact").click()
    expect(phone.locator("#offline-status")).to_have_text(KEPT)
    assert Contact.objects.count() == 1
    phone.unroute("**/contacts/new/")

    phone.reload()  # with a kept contact and a connection, the form sends it at once

    expect(phone).to_have_url(re.compile(reverse("clients:timeline", args=[own_young_person.pk])))
    expect(phone.locator(".timeline-entry").filter(has_text="station platform")).to_have_count(1)
    assert kept_on_the_phone(phone) == {}
    assert Contact.objects.count() == 1


def test_logging_out_clears_the_contacts_kept_on_the_phone(phone, case_manager, own_young_person):
    log_in(phone, case_manager)
    keep_a_contact(phone, own_young_person)
    assert len(kept_on_the_phone(phone)) == 1

    phone.get_by_role("button", name="Show menu").click()
    expect(phone.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))
    phone.get_by_role("button", name=str(case_manager)).click()
    warnings = []

    def accept(dialog) -> None:
        warnings.append(dialog.message)
        dialog.accept()

    phone.once("dialog", accept)
    phone.get_by_role("button", name="Log out").click()

    expect(phone.get_by_role("heading", name="Log in to ICMS")).to_be_visible()
    assert len(warnings) == 1
    assert "has not been sent yet" in warnings[0]
    assert kept_on_the_phone(phone) == {}
    assert not Contact.objects.exists()


def test_a_contact_kept_under_another_login_cannot_be_read_and_is_dropped(
    phone, case_manager, care_team_young_person
):
    log_in(phone, case_manager)
    keep_a_contact(phone, care_team_young_person)
    kept = kept_on_the_phone(phone)

    caches["sessions"].clear()  # the session ends without logging out (30 idle minutes)
    log_in(phone, care_team_young_person.primary_case_manager)
    # As if the login page had not cleared it: the ciphertext is back, the key is a new one.
    phone.evaluate(
        "kept => { for (const [name, value] of Object.entries(kept)) localStorage[name] = value; }",
        kept,
    )
    open_contact_form(phone, care_team_young_person)

    phone.wait_for_function("() => localStorage.length === 0")
    expect(phone.get_by_role("heading", name=care_team_young_person.display_name)).to_be_visible()
    expect(phone.locator("#offline-status")).to_have_text("")
    assert not Contact.objects.exists()


def test_a_kept_contact_the_server_refuses_shows_what_needs_attention_and_stays_kept(
    phone, case_manager, own_young_person
):
    log_in(phone, case_manager)
    open_contact_form(phone, own_young_person)
    phone.context.set_offline(True)
    fill_contact(phone)
    phone.get_by_label(re.compile(r"\bMinutes\b")).fill("")
    phone.get_by_role("button", name="Record contact").click()
    expect(phone.locator("#offline-status")).to_have_text(KEPT)

    phone.context.set_offline(False)

    expect(phone.locator("#offline-status")).to_have_text(
        "Not recorded yet: the form needs attention (see above)."
    )
    expect(phone.get_by_role("alert").filter(has_text="Please check this")).to_contain_text(
        "Minutes"
    )
    expect(phone.get_by_label(re.compile(r"\bNotes\b"))).to_have_value(NOTES)
    assert len(kept_on_the_phone(phone)) == 1
    assert not Contact.objects.exists()

    phone.get_by_label(re.compile(r"\bMinutes\b")).fill("25")
    phone.get_by_role("button", name="Record contact").click()

    expect(phone.locator(".timeline-entry").filter(has_text="station platform")).to_have_count(1)
    assert kept_on_the_phone(phone) == {}
    assert Contact.objects.count() == 1


@pytest.fixture
def sessions_in_their_own_redis(settings, tmp_path_factory):
    """The sessions in a Redis that the test can stop, configured as in production."""
    redis = RedisServer(tmp_path_factory.mktemp("redis")).start()
    settings.CACHES = settings.CACHES | {
        "sessions": app_settings.CACHES["sessions"] | {"LOCATION": redis.url}
    }
    yield redis
    redis.close()


def test_a_contact_sent_while_icms_is_not_answering_is_kept_and_sent_again_by_itself(
    sessions_in_their_own_redis, phone, case_manager, own_young_person
):
    log_in(phone, case_manager)
    open_contact_form(phone, own_young_person)
    fill_contact(phone)

    with sessions_in_their_own_redis.stopped():  # ICMS answers 503, quickly
        phone.get_by_role("button", name="Record contact").click()
        expect(phone.locator("#offline-status")).to_have_text(NOT_ANSWERING)
        screenshot(phone, "contact-offline-3-not-answering-phone")
        assert len(kept_on_the_phone(phone)) == 1
        assert not Contact.objects.exists()
        # Typing on: the draft saved in the background gets a 503 too, and the page says so.
        phone.locator("[name=follow_up]").fill("Call Friday.")
        expect(phone.locator("#not-saved")).to_be_visible()

    # No "online" event comes (the network never went): the phone tries again on its own.
    expect(phone).to_have_url(
        re.compile(reverse("clients:timeline", args=[own_young_person.pk])), timeout=30_000
    )
    expect(phone.get_by_text("Contact recorded")).to_be_visible()
    assert kept_on_the_phone(phone) == {}
    assert Contact.objects.filter(young_person=own_young_person, notes=NOTES).count() == 1
