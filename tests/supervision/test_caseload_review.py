"""The supervisor's caseload review: each worker's load and what is overdue, the drill-down to
their caseload, and the CSV."""

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditAction, AuditEvent
from caseplans.models import CasePlan
from register.services import list_young_person
from tests.factories import (
    CasePlanFactory,
    ContactFactory,
    GoalFactory,
    IntensityLevelFactory,
    TaskFactory,
    UserFactory,
    YoungPersonFactory,
)
from tests.pages import Targets

pytestmark = pytest.mark.django_db


def evening_this_week():
    """Yesterday (or today, early) at 20:00: after hours, and inside this fortnight."""
    day = timezone.localdate() - timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=20))


def overdue_plan_with_task(young_person, by):
    today = timezone.localdate()
    plan = CasePlanFactory(
        young_person=young_person,
        status=CasePlan.Status.CURRENT,
        starts_on=today - timedelta(days=120),
        review_on=today - timedelta(days=3),
        created_by=by,
    )
    TaskFactory(goal=GoalFactory(plan=plan), due_on=today - timedelta(days=2))
    return plan


def test_each_worker_shows_their_load_contacts_and_what_is_overdue(
    supervisor_client, supervisor, team, case_manager, register_coordinator
):
    high = IntensityLevelFactory(
        name="High", caseload_weight=Decimal("1.5"), expected_contacts_per_fortnight=6
    )
    low = IntensityLevelFactory(
        name="Low", caseload_weight=Decimal("0.5"), expected_contacts_per_fortnight=2
    )
    seen = YoungPersonFactory(team=team, primary_case_manager=case_manager, intensity=high)
    unseen = YoungPersonFactory(team=team, primary_case_manager=case_manager, intensity=low)
    ContactFactory(young_person=seen, recorded_by=case_manager)
    ContactFactory(young_person=seen, recorded_by=case_manager, started_at=evening_this_week(),
                   after_hours=True)  # fmt: skip
    overdue_plan_with_task(unseen, case_manager)
    list_young_person(
        unseen,
        by=register_coordinator,
        listed_on=timezone.localdate() - timedelta(days=20),
        risk_factors=["absconding"],
    )
    idle = UserFactory(role=Role.CASE_MANAGER, team=team, first_name="Idle")
    YoungPersonFactory(team=team, primary_case_manager=None)  # waiting for allocation

    response = supervisor_client.get(reverse("supervision:review", args=[team.pk]))

    review = response.context["review"]
    rows = {load.worker: load for load in review.workers}
    casey = rows[case_manager]
    assert (casey.young_people, casey.weighted) == (2, Decimal("2.0"))
    assert (casey.contacts, casey.contacts_expected) == (2, 8)
    assert (casey.contacts_made, casey.after_hours_percent) == (2, 50)
    assert casey.without_contact == 1  # the young person never reached
    assert (casey.overdue_tasks, casey.plan_reviews_overdue, casey.register_reviews_overdue) == (
        1,
        1,
        1,
    )
    assert (rows[idle].young_people, rows[idle].after_hours_percent) == (0, None)
    assert review.unallocated == 1
    assert "1 open case of the team has no primary case manager" in response.content.decode()


def test_a_worker_over_the_teams_limit_is_shown_overloaded(supervisor_client, team, case_manager):
    team.weighted_caseload_limit = Decimal("2.0")
    team.save()
    high = IntensityLevelFactory(name="High", caseload_weight=Decimal("1.5"))
    YoungPersonFactory.create_batch(2, team=team, primary_case_manager=case_manager, intensity=high)

    response = supervisor_client.get(reverse("supervision:review", args=[team.pk]))

    (casey,) = response.context["review"].workers
    assert casey.overloaded
    assert "over 2.0" in response.content.decode()


def test_the_figures_drill_down_to_the_workers_young_people(
    supervisor_client, team, case_manager, own_young_person, care_team_young_person
):
    overdue_plan_with_task(own_young_person, case_manager)

    review = supervisor_client.get(reverse("supervision:review", args=[team.pk]))
    link = f"{reverse('clients:caseload')}?worker={case_manager.pk}&amp;review_overdue=on"
    assert link in review.content.decode()

    caseload = supervisor_client.get(link.replace("&amp;", "&"))
    assert list(caseload.context["young_people"]) == [own_young_person]
    everyone_of_casey = supervisor_client.get(
        reverse("clients:caseload"), {"worker": case_manager.pk}
    )
    assert list(everyone_of_casey.context["young_people"]) == [own_young_person]
    tasks = supervisor_client.get(reverse("clients:caseload"), {"tasks_overdue": "on"})
    assert list(tasks.context["young_people"]) == [own_young_person]


def test_allocate_leads_to_the_cases_waiting_for_a_case_manager(
    supervisor_client, team, own_young_person
):
    waiting = YoungPersonFactory(team=team, primary_case_manager=None)
    review = supervisor_client.get(reverse("supervision:review", args=[team.pk]))
    (allocate,) = [
        link for link in Targets("/", review.content.decode()).found if link.text == "Allocate"
    ]

    caseload = supervisor_client.get(allocate.url)

    assert list(caseload.context["young_people"]) == [waiting]
    allocation = reverse("clients:allocation", args=[waiting.pk])
    assert f'<a href="{allocation}">Not allocated: allocate</a>' in caseload.content.decode()
    assert supervisor_client.get(allocation).status_code == 200


def test_a_team_the_supervisor_does_not_lead_is_not_found(
    supervisor_client, other_team, other_young_person
):
    for name in ["supervision:review", "supervision:review-export", "supervision:dashboard"]:
        assert supervisor_client.get(reverse(name, args=[other_team.pk])).status_code == 404


def test_the_review_downloads_as_csv_and_the_export_is_audited(
    supervisor_client, supervisor, team, case_manager, own_young_person
):
    response = supervisor_client.get(reverse("supervision:review-export", args=[team.pk]))

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Worker", "Young people", "Weighted load"]
    assert rows[1][:3] == [str(case_manager), "1", "1.0"]
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == supervisor
    assert event.detail["team"] == team.pk


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_review_runs_the_same_queries_whatever_the_teams_size(
    supervisor_client, team, django_assert_num_queries, item_count
):
    for _ in range(item_count):
        worker = UserFactory(role=Role.CASE_MANAGER, team=team)
        young_person = YoungPersonFactory(team=team, primary_case_manager=worker)
        ContactFactory(young_person=young_person, recorded_by=worker)
        overdue_plan_with_task(young_person, worker)

    # user, OTP device, groups, team, workers, cases with their figures, contacts made,
    # unread notifications; the team's review read, in the audit trail: savepoint, insert,
    # release
    with django_assert_num_queries(11):
        supervisor_client.get(reverse("supervision:review", args=[team.pk]))
