"""The weekly digest to each supervisor: their team's counts, in the app and by e-mail, once a
week however often the job runs; the e-mail names no young person."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from clients.queries import local_midnight
from crises.models import CrisisEvent
from notifications.models import Notification
from referrals.models import Referral
from supervision.tasks import weekly_digests
from tests.factories import (
    CoverFactory,
    CrisisEventFactory,
    ReferralFactory,
    TeamFactory,
    UserFactory,
    YoungPersonFactory,
)

pytestmark = pytest.mark.django_db


def test_each_supervisor_gets_their_teams_week_in_counts_and_the_email_names_nobody(
    supervisor, team, own_young_person, other_young_person, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    ReferralFactory(team=team)
    ReferralFactory(team=team, status=Referral.Status.UNDER_CONSIDERATION)
    ReferralFactory(team=other_young_person.team)
    CrisisEventFactory(young_person=own_young_person)
    CrisisEventFactory(young_person=own_young_person, entered_in_error_at=timezone.now(),
                       entered_in_error_reason="Wrong young person")  # fmt: skip
    CrisisEventFactory(young_person=other_young_person)

    with django_capture_on_commit_callbacks(execute=True):
        weekly_digests()

    (digest,) = Notification.objects.filter(recipient=supervisor)
    assert digest.message == (
        "This week for your team: 1 young person without contact past their threshold; "
        "0 plan reviews, 0 register reviews and 0 tasks overdue; 2 referrals waiting for a "
        "decision; 1 crisis in the last seven days (1 after hours)."
    )
    (email,) = [mail for mail in mailoutbox if mail.to == [supervisor.email]]
    assert digest.message in email.body
    assert f"/supervision/teams/{team.pk}/" in email.body
    assert own_young_person.given_name not in email.body
    assert CrisisEvent.objects.count() == 3


def test_the_digest_is_sent_once_a_week_however_often_the_job_runs(
    supervisor, own_young_person, mailoutbox, django_capture_on_commit_callbacks, time_machine
):
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    time_machine.move_to(local_midnight(monday) + timedelta(hours=7, minutes=15))
    with django_capture_on_commit_callbacks(execute=True):
        weekly_digests()
        weekly_digests()
    time_machine.shift(timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        weekly_digests()
    assert Notification.objects.filter(recipient=supervisor).count() == 1
    assert len(mailoutbox) == 1

    time_machine.shift(timedelta(days=6))
    with django_capture_on_commit_callbacks(execute=True):
        weekly_digests()
    assert Notification.objects.filter(recipient=supervisor).count() == 2


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_digest_job_runs_the_same_queries_whatever_the_number_of_teams(
    django_assert_num_queries, item_count
):
    for _ in range(item_count):
        team = TeamFactory(supervisor=UserFactory(role=Role.SUPERVISOR))
        YoungPersonFactory(team=team)
        ReferralFactory(team=team)
        CrisisEventFactory(young_person__team=team)

    # teams, their cases, referrals waiting, crises, covers; the recipients; the notifications;
    # and the job's one transaction (a savepoint and its release, inside the test's)
    with django_assert_num_queries(9):
        weekly_digests()


def test_a_colleague_covering_the_team_gets_the_digest_too(supervisor, team, own_young_person):
    colleague = UserFactory(role=Role.SUPERVISOR)
    CoverFactory(worker=None, team=team, covered_by=colleague, arranged_by=supervisor)

    weekly_digests()

    assert Notification.objects.filter(recipient=colleague, url__contains=str(team.pk)).exists()
    assert Notification.objects.filter(recipient=supervisor).exists()
