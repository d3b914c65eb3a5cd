"""Leaving ICMS: the lead times that start exit planning, the closing of an episode (why, where
to, and the summary written then), and the after-care follow-ups that come after it."""

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from toolkit.formats import show_date


class ExitLeadTime(models.Model):
    """How many months before a young person's order ends, or they turn 18, their case manager
    and supervisor are reminded to plan the exit: the administrator's (e.g. 6, 3 and 1)."""

    months = models.PositiveSmallIntegerField(unique=True)

    class Meta:
        ordering = ["-months"]
        constraints = [
            models.CheckConstraint(
                condition=Q(months__gte=1, months__lte=24), name="exit_lead_time_within_two_years"
            )
        ]

    def __str__(self) -> str:
        return f"{self.months} months ahead" if self.months > 1 else "1 month ahead"


class AfterCarePoint(models.Model):
    """How many months after closing the last case manager follows the young person up: the
    administrator's (e.g. 1, 3 and 6)."""

    months = models.PositiveSmallIntegerField(unique=True)

    class Meta:
        ordering = ["months"]
        constraints = [
            models.CheckConstraint(
                condition=Q(months__gte=1, months__lte=24), name="after_care_within_two_years"
            )
        ]

    def __str__(self) -> str:
        return f"{self.months} months after exit" if self.months > 1 else "1 month after exit"


class ExitReason(models.TextChoices):
    GOALS_ACHIEVED = "goals_achieved", "Case plan goals achieved"
    ORDER_ENDED = "order_ended", "Legal order ended"
    TURNED_18 = "turned_18", "Turned 18"
    STEPPED_DOWN = "stepped_down", "Needs met by a less intensive service"
    TRANSFERRED = "transferred", "Transferred to another service"
    MOVED_INTERSTATE = "moved_interstate", "Moved interstate"
    MOVED_AWAY = "moved_away", "Moved out of the division"
    DISENGAGED = "disengaged", "Declined further support"
    ABSCONDED = "absconded", "Absconded, whereabouts unknown"
    CUSTODY = "custody", "Entered custody for a long term"
    DIED = "died", "Died"
    OTHER = "other", "Other (see the notes)"


class Destination(models.TextChoices):
    """Where the young person lives on leaving ICMS."""

    PARENT = "parent", "With a parent"
    KINSHIP = "kinship", "Kinship care"
    HOME_BASED = "home_based", "Home-based (foster) care"
    RESIDENTIAL = "residential", "Residential care"
    LEAD_TENANT = "lead_tenant", "Lead tenant"
    SUPPORTED = "supported", "Supported accommodation"
    INDEPENDENT = "independent", "Own tenancy or shared housing"
    CUSTODY = "custody", "Youth justice or adult custody"
    HOSPITAL = "hospital", "Hospital or residential treatment"
    INTERSTATE = "interstate", "Interstate"
    HOMELESS = "homeless", "Homeless"
    UNKNOWN = "unknown", "Not known"
    NOT_APPLICABLE = "not_applicable", "Not applicable (died)"


class NoExitPlanReason(models.TextChoices):
    """Why an episode closed without an exit plan: the only reasons that excuse one."""

    ABSCONDED = "absconded", "Absconded"
    MOVED_INTERSTATE = "moved_interstate", "Moved interstate"
    DIED = "died", "Died"
    TRANSFERRED = "transferred", "Transferred to another service"


@pghistory.track()
class Closure(models.Model):
    """The end of one episode of ICMS: when it began and closed, why, where the young person
    went, and the summary written at closing (dates, intensity over time, goals achieved, the
    outcome review at exit, the exit plan as it stood), kept as written so it can be printed as
    it was. An episode closes with an exit plan, or with the reason there is none."""

    young_person = models.ForeignKey(
        "clients.YoungPerson", on_delete=models.PROTECT, related_name="closures"
    )
    began_on = models.DateField("episode began on")
    closed_on = models.DateField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField("exit reason", max_length=20, choices=ExitReason)
    destination = models.CharField(max_length=20, choices=Destination)
    no_exit_plan_because = models.CharField(
        "no exit plan because", max_length=20, choices=NoExitPlanReason, blank=True
    )
    notes = models.TextField("closing notes", max_length=4000, blank=True)
    # The young person has no phone of their own on the record: how the after-care follow-ups
    # reach them, as they gave it on leaving.
    phone = models.CharField(
        "their phone after leaving",
        max_length=40,
        blank=True,
        help_text="For the after-care follow-ups.",
    )
    # From the exit plan at closing, for the reports: were these in place as the young person left.
    accommodation_in_place = models.BooleanField(default=False)
    supports_in_place = models.BooleanField(default=False)
    supportive_adults_in_place = models.BooleanField(default=False)
    summary = models.JSONField(default=dict, blank=True)
    # The last primary case manager: they make the after-care follow-ups.
    last_case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-closed_on", "-pk"]
        indexes = [models.Index(fields=["closed_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__gte=models.F("began_on")),
                name="closure_after_the_episode_began",
                violation_error_message="An episode cannot close before it began.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.young_person} left ICMS on {show_date(self.closed_on)}"


@pghistory.track()
class FollowUp(models.Model):
    """An after-care follow-up: at a set point after closing, the last case manager checks in
    with the young person (or someone close to them) and records whether the supports put in
    place are holding. Due only while the episode it follows stays closed."""

    class Holding(models.TextChoices):
        HOLDING = "holding", "The supports are holding"
        PARTLY = "partly", "Some supports are holding"
        NOT_HOLDING = "not_holding", "The supports are not holding"
        UNKNOWN = "unknown", "Could not tell"

    class Mode(models.TextChoices):
        FACE_TO_FACE = "face_to_face", "Face to face"
        PHONE = "phone", "Phone"
        TEXT = "text", "Text message"
        VIDEO = "video", "Video"

    closure = models.ForeignKey(Closure, on_delete=models.PROTECT, related_name="follow_ups")
    young_person = models.ForeignKey(
        "clients.YoungPerson", on_delete=models.PROTECT, related_name="follow_ups"
    )
    months = models.PositiveSmallIntegerField("months after exit")
    due_on = models.DateField()
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="follow_ups"
    )
    made_on = models.DateField(null=True, blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    mode = models.CharField(max_length=20, choices=Mode, blank=True)
    reached = models.BooleanField("reached the young person", null=True, blank=True)
    spoke_with = models.CharField(
        "spoke with", max_length=200, blank=True, help_text="If not the young person: who."
    )
    holding = models.CharField("supports", max_length=20, choices=Holding, blank=True)
    notes = models.TextField(max_length=4000, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["worker", "due_on"])]
        constraints = [
            models.UniqueConstraint(fields=["closure", "months"], name="follow_up_once_a_point"),
            models.CheckConstraint(
                condition=Q(made_on__isnull=True) | ~Q(holding=""),
                name="follow_up_made_says_whether_supports_hold",
                violation_error_message="Say whether the supports are holding.",
            ),
        ]

    def __str__(self) -> str:
        return f"After-care follow-up of {self.young_person}, {self.months} months after exit"

    @property
    def is_made(self) -> bool:
        return self.made_on is not None


@pghistory.track()
class Reopening(models.Model):
    """A closed file reopened as a new episode on a re-referral (the young person, a supportive
    adult, or child protection asking again): who asked and why, the case manager and the
    intensity it starts with. The closure before it is kept; its after-care follow-ups are no
    longer due. (A referral accepted through the referral process reopens a file too: that
    episode starts with the referral.)"""

    class From(models.TextChoices):
        YOUNG_PERSON = "young_person", "The young person"
        SUPPORTIVE_ADULT = "supportive_adult", "A supportive adult"
        CHILD_PROTECTION = "child_protection", "Child protection"

    young_person = models.ForeignKey(
        "clients.YoungPerson", on_delete=models.PROTECT, related_name="reopenings"
    )
    closure = models.ForeignKey(Closure, on_delete=models.PROTECT, related_name="reopenings")
    reopened_on = models.DateField()
    referred_by = models.CharField("re-referred by", max_length=20, choices=From)
    referrer = models.CharField(
        "their name", max_length=200, blank=True, help_text="The adult or practitioner who asked."
    )
    why = models.TextField("why now", max_length=2000)
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    intensity = models.ForeignKey(
        "clients.IntensityLevel", on_delete=models.PROTECT, related_name="+"
    )
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reopened_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["closure"], name="reopening_once_a_closure"),
            models.CheckConstraint(
                condition=~Q(referred_by="") & ~Q(why=""), name="reopening_says_who_and_why"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.young_person} reopened on {show_date(self.reopened_on)}"
