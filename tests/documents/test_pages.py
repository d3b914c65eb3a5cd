"""The documents pages and the timeline: each in a constant number of queries."""

import pytest
from django.urls import reverse

from documents.services import mark_document_in_error
from tests.factories import DocumentFactory, DocumentVersionFactory

pytestmark = pytest.mark.django_db


def test_the_timeline_shows_a_document_added_a_new_version_and_in_error(
    client, log_in, case_manager, own_young_person
):
    document = DocumentFactory(
        young_person=own_young_person, added_by=case_manager, title="Interim order"
    )
    DocumentVersionFactory(document=document, number=2)
    mark_document_in_error(document, by=case_manager, reason="Wrong young person.")
    log_in(case_manager)

    response = client.get(
        reverse("clients:timeline", args=[own_young_person.pk]), {"kind": "document"}
    )

    events = [(entry.kind, entry.event) for entry in response.context["entries"]]
    assert events == [("document", "in_error"), ("document", "versioned"), ("document", "added")]
    assert response.text.count("Interim order") == 3
    assert "version 2 uploaded" in response.text
    assert "Wrong young person." in response.text


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_documents_list_runs_a_constant_number_of_queries(
    client, log_in, supervisor, own_young_person, django_assert_num_queries, item_count
):
    for _ in range(item_count):
        document = DocumentFactory(young_person=own_young_person, restricted_because="health")
        DocumentVersionFactory(document=document, number=2)
        DocumentFactory(young_person=own_young_person, kind="consent", expires_on="2099-01-01")
    log_in(supervisor)

    # user, OTP device, groups; the young person (is it visible) with their team, and their
    # alerts; how many documents, the page of them with whether each is readable and who added
    # them, and their versions; may the user add one (do they see the young person); unread
    # notifications; the restricted documents read, in one insert, and the read of the young
    # person (savepoint, insert, release, each)
    with django_assert_num_queries(16):
        client.get(reverse("documents:list", args=[own_young_person.pk]))


@pytest.mark.parametrize("item_count", [1, 3])
def test_a_documents_page_runs_a_constant_number_of_queries(
    client,
    log_in,
    supervisor,
    case_manager,
    own_young_person,
    django_assert_num_queries,
    item_count,
):
    document = DocumentFactory(young_person=own_young_person, restricted_because="health")
    document.restricted_readers.set([case_manager])
    for number in range(2, item_count + 2):
        DocumentVersionFactory(document=document, number=number)
    log_in(supervisor)

    # user, OTP device, groups; the document (is it visible) with who added it, its young
    # person with their team, their alerts, its versions with who uploaded them, the readers
    # named; may the user read it (the restricted-entry rule; leading the team, they may change
    # it, and lift its restriction, without a query); may they see who read it; unread
    # notifications; the restricted read and the read recorded (savepoint, insert, release, each)
    with django_assert_num_queries(17):
        client.get(reverse("documents:detail", args=[document.pk]))
