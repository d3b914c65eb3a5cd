import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q

from toolkit.formats import show_date
from toolkit.models import Meeting
from toolkit.validators import validate_past_day, validate_plausible_day

# The caseload figures a session keeps, in the order they are shown.
FIGURES = {
    "young_people": "Young people (primary)",
    "weighted": "Weighted load",
    "limit": "Weighted limit",
    "contacts": "Contacts this fortnight",
    "contacts_expected": "Contacts expected",
    "after_hours_percent": "After hours (%)",
    "without_contact": "Without contact past threshold",
    "overdue_tasks": "Overdue tasks",
    "plan_reviews_overdue": "Plan reviews overdue",
    "register_reviews_overdue": "Register reviews overdue",
}


def figure_rows(figures: dict) -> list[tuple[str, object]]:
    return [(label, figures[key]) for key, label in FIGURES.items() if key in figures]


@pghistory.track()
class SupervisionSession(Meeting):
    """A supervision session of a supervisor with one worker: private to the two of them. It
    keeps the worker's caseload figures as they stood when it was recorded, so that a later
    reading shows what was discussed, not today's numbers."""

    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sessions_held"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervision_sessions"
    )
    young_people = models.ManyToManyField(
        "clients.YoungPerson",
        blank=True,
        related_name="+",
        verbose_name="young people discussed",
    )
    figures = models.JSONField("caseload figures", default=dict, blank=True)
    debriefing = models.TextField(max_length=10_000, blank=True)
    safety_matters = models.TextField("worker-safety matters", max_length=4000, blank=True)

    class Meta(Meeting.Meta):
        constraints = [
            models.CheckConstraint(
                condition=~Q(supervisor=F("worker")),
                name="supervision_session_of_another_worker",
            ),
        ]
        indexes = [models.Index(fields=["worker", "-held_on"])]

    def __str__(self) -> str:
        return f"Supervision of {self.worker} with {self.supervisor}, {show_date(self.held_on)}"

    @property
    def figure_rows(self) -> list[tuple[str, object]]:
        return figure_rows(self.figures)


@pghistory.track()
class SupervisionAction(models.Model):
    """Something a session agreed the worker or the supervisor will do. It stays open, and shows
    under each later session of the two, until it is done."""

    class Owner(models.TextChoices):
        WORKER = "worker", "The worker"
        SUPERVISOR = "supervisor", "The supervisor"

    session = models.ForeignKey(
        SupervisionSession, on_delete=models.CASCADE, related_name="actions"
    )
    description = models.CharField("what", max_length=500)
    owner = models.CharField("who", max_length=10, choices=Owner, default=Owner.WORKER)
    due_on = models.DateField("by when", null=True, blank=True, validators=[validate_plausible_day])
    done_on = models.DateField(null=True, blank=True, validators=[validate_past_day])
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["session__held_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(description=""), name="supervision_action_says_what"
            ),
            models.CheckConstraint(
                condition=Q(done_on__isnull=True, done_by__isnull=True)
                | Q(done_on__isnull=False, done_by__isnull=False),
                name="supervision_action_done_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return self.description
