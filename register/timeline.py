"""The register's fortnightly reviews of the young person on the young person's timeline
(clients.timeline), on the day they were held, of the entries the user may see
(register.rules)."""

from clients.timeline import Moment, StartOfDay, TimelineKind, by_pk, register
from register.models import RegisterReview
from register.rules import register_entries_visible_to

register(
    TimelineKind(
        "register_review",
        "Register reviews",
        "register/timeline_entry.html",
        (
            Moment(
                15,
                "reviewed",
                lambda young_person, user: RegisterReview.objects.filter(
                    entry__in=register_entries_visible_to(user).filter(young_person=young_person),
                    reviewed_on__isnull=False,
                ),
                # A review records its day, not its time: it stands at the start of that day.
                StartOfDay("reviewed_on"),
                by_pk(RegisterReview.objects.select_related("entry__division", "reviewed_by")),
                whole_day=True,
            ),
        ),
    )
)
