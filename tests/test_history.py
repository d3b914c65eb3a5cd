"""Field-level history of clinical records, kept by database triggers (django-pghistory)."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from clients.models import YoungPerson

pytestmark = pytest.mark.django_db


def test_every_change_to_a_young_person_is_kept_with_its_values(own_young_person):
    own_young_person.preferred_name = "Jay"
    own_young_person.save()
    YoungPerson.objects.filter(pk=own_young_person.pk).update(status="exiting")

    history = list(
        own_young_person.events.order_by("pgh_id").values_list(
            "pgh_label", "preferred_name", "status"
        )
    )

    assert history == [
        ("insert", "", "active"),
        ("update", "Jay", "active"),
        ("update", "Jay", "exiting"),
    ]


def test_history_records_who_changed_it_through_a_page(client, log_in, case_manager, team):
    from tests.factories import YoungPersonFactory

    young_person = YoungPersonFactory(team=team, primary_case_manager=case_manager)
    log_in(case_manager)

    client.post(
        reverse("clients:disclosure-create", args=[young_person.pk]),
        {
            "disclosed_on": "2026-01-10",
            "information": "School report",
            "recipient_organisation": "Northside Secondary College",
            "authority": "consent_yp",
            "authority_detail": "Verbal consent",
        },
    )

    event = young_person.disclosures.get().events.get()
    assert event.pgh_context.metadata["user"] == case_manager.pk
    assert event.pgh_context.metadata["url"] == f"/young-people/{young_person.pk}/disclosures/new/"


def test_the_history_itself_cannot_be_changed(own_young_person):
    event_table = own_young_person.events.model._meta.db_table

    with pytest.raises(DatabaseError), transaction.atomic():
        connection.cursor().execute(f"UPDATE {event_table} SET given_name = 'forged'")  # noqa: S608
    with pytest.raises(DatabaseError), transaction.atomic():
        connection.cursor().execute(f"DELETE FROM {event_table}")  # noqa: S608
