from django.db.models import Prefetch, QuerySet

from accounts.models import User
from accounts.rules import teams_supervised_by
from clients.models import WorkerSafetyAlert, YoungPerson
from clients.rules import with_readable_content
from crises.models import CrisisEvent
from crises.rules import crisis_events_visible_to
from crises.services import yesterday_morning

RECENT_ON_HOME = 10


def crisis_record(crises: QuerySet[CrisisEvent]) -> QuerySet[CrisisEvent]:
    """What a crisis page shows: the event, its young person with the alerts shown on every
    page about them, and who recorded it (or marked it in error)."""
    return crises.select_related(
        "young_person__team", "recorded_by", "entered_in_error_by"
    ).prefetch_related(
        Prefetch(
            "young_person__alerts",
            queryset=WorkerSafetyAlert.objects.filter(active=True),
            to_attr="active_alerts",
        )
    )


def team_crises_since_yesterday_morning(supervisor: User) -> QuerySet[CrisisEvent]:
    """The crises of the supervisor's teams' young people logged since yesterday's morning
    summary, newest first (at most RECENT_ON_HOME), leaving out those entered in error; each
    with `content_readable` (the supervisor reads their teams' restricted crises)."""
    return (
        with_readable_content(crisis_events_visible_to(supervisor), supervisor)
        .filter(
            young_person__team__in=teams_supervised_by(supervisor),
            recorded_at__gte=yesterday_morning(),
            entered_in_error_at__isnull=True,
        )
        .select_related("young_person")
        .order_by("-occurred_at", "-pk")[:RECENT_ON_HOME]
    )


def crises_on_file(young_person: YoungPerson, user: User) -> QuerySet[CrisisEvent]:
    """The young person's crises, oldest first, as the file's PDF shows them to `user`: each
    with who recorded it and `content_readable` (clients.rules.with_readable_content)."""
    return (
        with_readable_content(
            crisis_events_visible_to(user).filter(young_person=young_person), user
        )
        .select_related("young_person", "recorded_by")
        .order_by("occurred_at", "pk")
    )
