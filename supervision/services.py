"""The weekly digest: what each supervisor should look at this week, counted for their teams."""

from collections import Counter
from datetime import date, timedelta

from django.db.models import Count
from django.urls import reverse

from accounts.cover import covering_on
from accounts.models import Team
from clients.models import YoungPerson
from crises.models import AFTER_HOURS_CRISIS, CrisisEvent
from notifications.services import Notice, notify_many
from referrals.models import Referral
from supervision.queries import cases_for_review
from supervision.reports import WAITING


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def digest_message(counts: Counter) -> str:
    """The week in counts, without a name: it is e-mailed, and mail leaves the secure system."""
    return (
        "This week for your team: "
        f"{_plural(counts['without_contact'], 'young person', 'young people')} without contact "
        "past their threshold; "
        f"{_plural(counts['plan_reviews'], 'plan review', 'plan reviews')}, "
        f"{_plural(counts['register_reviews'], 'register review', 'register reviews')} and "
        f"{_plural(counts['tasks'], 'task', 'tasks')} overdue; "
        f"{_plural(counts['referrals'], 'referral', 'referrals')} waiting for a decision; "
        f"{_plural(counts['crises'], 'crisis', 'crises')} in the last seven days "
        f"({counts['crises_after_hours']} after hours)."
    )


def send_weekly_digests(today: date) -> int:
    """One digest per supervisor per ISO week, however often the job runs: in the app, and by
    e-mail with the counts; a colleague covering the team gets it too. A fixed number of
    queries, whatever the number of teams."""
    teams = {
        team.pk: team
        for team in Team.objects.filter(
            supervisor__isnull=False, supervisor__is_active=True
        ).select_related("supervisor")
    }
    counts: dict[int, Counter] = {pk: Counter() for pk in teams}
    for case in cases_for_review(YoungPerson.objects.filter(team__in=list(teams))):
        team = counts[case.team_id]
        team["without_contact"] += case.contact_overdue
        team["plan_reviews"] += bool(case.plan_review_overdue)
        team["register_reviews"] += bool(case.register_review_overdue)
        team["tasks"] += case.overdue_tasks
    for row in (
        Referral.objects.filter(team__in=list(teams), status__in=WAITING)
        .values("team")
        .annotate(count=Count("pk"))
    ):
        counts[row["team"]]["referrals"] = row["count"]
    week_ago = today - timedelta(days=7)
    for row in (
        CrisisEvent.objects.standing()
        .filter(young_person__team__in=list(teams), occurred_at__date__gte=week_ago)
        .values("young_person__team")
        .annotate(count=Count("pk"), after_hours=Count("pk", filter=AFTER_HOURS_CRISIS))
    ):
        counts[row["young_person__team"]]["crises"] = row["count"]
        counts[row["young_person__team"]]["crises_after_hours"] = row["after_hours"]
    year, week, _ = today.isocalendar()
    covering = covering_on(today)
    notices = [
        Notice(
            recipient,
            f"weekly-digest-{team_pk}-{year}W{week:02d}",
            digest_message(team_counts),
            reverse("supervision:review", args=[team_pk]),
        )
        for team_pk, team_counts in counts.items()
        for recipient in covering.supervisor_and_cover(teams[team_pk].supervisor_id, team_pk)
    ]
    from supervision.tasks import send_weekly_digest_email

    return notify_many(notices, email=send_weekly_digest_email)
