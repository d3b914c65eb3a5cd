import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from clients.models import YoungPerson

pytestmark = pytest.mark.django_db


def test_the_demo_shows_a_file_due_for_review_and_one_kept_under_legal_hold(
    settings, client, log_in
):
    settings.DEBUG = True
    call_command("seed_demo")
    dylan = YoungPerson.objects.get(family_name="Harris", status="closed")
    log_in(User.objects.get(username="sup.demo"))

    review = client.get(reverse("records:retention")).text
    archive = client.get(reverse("records:archive"), {"q": "CP-0905", "purpose": "Demo"}).text
    record = client.get(reverse("clients:detail", args=[dylan.pk])).text
    log_in(User.objects.get(username="admin.demo"))
    disposals = client.get(reverse("records:disposals")).text

    assert "Brooke Kelly" in review
    assert "Dylan Harris" not in review
    assert "Dylan Harris" in archive
    assert "Under legal hold" in record
    assert "Closed file: read only." in record
    assert "Kyle Bennett" in disposals
