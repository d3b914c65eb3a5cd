"""The crises on the young person's timeline (clients.timeline)."""

from clients.timeline import Moment, TimelineKind, by_pk, register
from crises.models import CrisisEvent
from crises.rules import crisis_events_visible_to

register(
    TimelineKind(
        "crisis",
        "Crises",
        "crises/timeline_entry.html",
        (
            Moment(
                8,
                "happened",
                lambda young_person, user: crisis_events_visible_to(user).filter(
                    young_person=young_person
                ),
                "occurred_at",
                by_pk(CrisisEvent.objects.select_related("recorded_by", "young_person")),
            ),
        ),
        accent="warning",
        searched=("what_happened", "action_details", "outcome"),
    )
)
