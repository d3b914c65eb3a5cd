"""Two people changing one part of a young person's record at once: the second is told who saved
what in the meantime, nothing they typed is lost, and saving again does not undo the first."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from tests.caseplans.test_case_plans import second_session
from tests.factories import KeyPersonFactory, ProfessionalFactory, WorkerSafetyAlertFactory

pytestmark = pytest.mark.django_db


def as_posted(form) -> dict[str, list[str]]:
    """What the browser posts for a form as the page shows it."""
    data = {}
    for field in form:
        value = field.value()
        if isinstance(value, bool):
            if value:
                data[field.html_name] = ["on"]
        elif isinstance(value, date):
            data[field.html_name] = [value.isoformat()]
        elif value is not None:
            data[field.html_name] = [str(value)]
    return data


def opened(browser: Client, url: str) -> dict[str, list[str]]:
    """The form at `url` as its page shows it, read at the record's version of the moment."""
    return as_posted(browser.get(url).context["form"])


def shown_again(response) -> dict[str, list[str]]:
    """What the form of a page shown again holds (what the browser would post next)."""
    return dict(response.context["form"].data.lists())


def test_two_people_editing_the_record_the_second_is_told_and_loses_nothing(
    case_manager, supervisor, own_young_person
):
    edit = reverse("clients:edit", args=[own_young_person.pk])
    first, second = second_session(supervisor), second_session(case_manager)
    first_form, second_form = opened(first, edit), opened(second, edit)
    assert first_form["version"] == second_form["version"]

    saved = first.post(edit, first_form | {"language": ["Arabic"]})
    refused = second.post(
        edit, second_form | {"preferred_name": ["Jay"], "cultural_background": ["Assyrian"]}
    )

    assert saved.status_code == 302
    assert refused.status_code == 200
    assert f"{supervisor} changed this record at " in refused.text
    assert "while you were editing" in refused.text
    assert "Language spoken at home: “Arabic”" in refused.text
    assert "nothing you typed is lost" in refused.text
    own_young_person.refresh_from_db()
    assert (own_young_person.language, own_young_person.preferred_name) == ("Arabic", "")
    again = shown_again(refused)
    assert (again["preferred_name"], again["cultural_background"]) == (["Jay"], ["Assyrian"])
    assert again["language"] == ["Arabic"]  # theirs, where the second person changed nothing

    second.post(edit, again)

    own_young_person.refresh_from_db()
    assert (
        own_young_person.preferred_name,
        own_young_person.cultural_background,
        own_young_person.language,
    ) == ("Jay", "Assyrian", "Arabic")
    assert own_young_person.updated_by == case_manager


def test_a_field_both_changed_keeps_the_second_persons_text_in_the_form(
    case_manager, supervisor, own_young_person
):
    edit = reverse("clients:edit", args=[own_young_person.pk])
    first, second = second_session(supervisor), second_session(case_manager)
    first_form, second_form = opened(first, edit), opened(second, edit)

    first.post(edit, first_form | {"information_sharing_notes": ["Not with the school."]})
    refused = second.post(
        edit, second_form | {"information_sharing_notes": ["Only with the GP and the school."]}
    )

    assert "Information sharing notes: “Not with the school.”" in refused.text
    assert "you changed this too" in refused.text
    assert shown_again(refused)["information_sharing_notes"] == ["Only with the GP and the school."]
    own_young_person.refresh_from_db()
    assert own_young_person.information_sharing_notes == "Not with the school."


PARTS = {
    "key person": (
        KeyPersonFactory,
        "clients:key-person-edit",
        "key_person_pk",
        ("phone", "0400 111 222"),
        ("notes", "Rings on Sundays."),
    ),
    "professional": (
        ProfessionalFactory,
        "clients:professional-edit",
        "professional_pk",
        ("phone", "03 9000 1111"),
        ("email", "dr.lee@example.org"),
    ),
    "alert": (
        WorkerSafetyAlertFactory,
        "clients:alert-edit",
        "alert_pk",
        ("details", "Two dogs now; ring from the gate."),
        ("kind", "violence"),
    ),
}


@pytest.mark.parametrize("part", PARTS)
def test_two_people_changing_a_part_of_the_record_the_second_is_told_and_loses_nothing(
    case_manager, supervisor, own_young_person, part
):
    factory, url_name, argument, (their_field, theirs), (my_field, mine) = PARTS[part]
    record_part = factory(young_person=own_young_person)
    edit = reverse(url_name, kwargs={"pk": own_young_person.pk, argument: record_part.pk})
    first, second = second_session(supervisor), second_session(case_manager)
    first_form, second_form = opened(first, edit), opened(second, edit)

    first.post(edit, first_form | {their_field: [theirs]})
    refused = second.post(edit, second_form | {my_field: [mine]})

    assert f"{supervisor} changed “" in refused.text
    assert f"“{theirs}”" in refused.text
    again = shown_again(refused)
    assert (again[my_field], again[their_field]) == ([mine], [theirs])
    record_part.refresh_from_db()
    assert (getattr(record_part, their_field), getattr(record_part, my_field)) != (theirs, mine)
    assert getattr(record_part, their_field) == theirs

    second.post(edit, again)

    record_part.refresh_from_db()
    assert (getattr(record_part, their_field), getattr(record_part, my_field)) == (theirs, mine)


def test_an_alert_changed_since_it_was_read_is_not_ended(
    case_manager, supervisor, own_young_person
):
    alert = WorkerSafetyAlertFactory(young_person=own_young_person, details="Dog at the gate.")
    record = reverse("clients:detail", args=[own_young_person.pk])
    first, second = second_session(supervisor), second_session(case_manager)
    read_at = alert.version
    assert f'name="version" value="{read_at}"' in second.get(record).text
    edit = reverse("clients:alert-edit", args=[own_young_person.pk, alert.pk])
    first.post(edit, opened(first, edit) | {"details": ["Dog bit a worker on Friday."]})

    refused = second.post(
        reverse("clients:alert-end", args=[own_young_person.pk, alert.pk]),
        {"version": read_at},
        follow=True,
    )

    assert f"{supervisor} changed “Visit in pairs: Dog bit a worker on Friday.”" in refused.text
    assert "It is still in force" in refused.text
    alert.refresh_from_db()
    assert alert.active


def test_the_forms_carry_the_version_they_were_read_at(client, log_in, case_manager):
    """A changed record, key person, professional or alert has moved on a version; a form
    without one is refused and saves nothing."""
    key_person = KeyPersonFactory(young_person__primary_case_manager=case_manager)
    log_in(case_manager)
    edit = reverse("clients:key-person-edit", args=[key_person.young_person_id, key_person.pk])
    data = opened(client, edit)

    refused = client.post(edit, data | {"version": [""], "phone": ["0400 000 000"]})
    client.post(edit, data | {"phone": ["0400 000 000"]})

    assert "This form does not match the record" in refused.text
    key_person.refresh_from_db()
    assert (key_person.phone, key_person.version, key_person.updated_by) == (
        "0400 000 000",
        2,
        case_manager,
    )
