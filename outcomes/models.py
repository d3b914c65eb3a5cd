"""Risk and outcome reviews: the instruments (as data, so an agency can add one it licenses),
the reviews of each young person at intake, every few weeks and at exit, and how often they
are due per intensity."""

import uuid
from decimal import Decimal

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from toolkit.formats import show_date
from toolkit.validators import validate_past_day

# When the administrator has set no interval for a young person's intensity (or they have none).
DEFAULT_INTERVAL_WEEKS = 12


class Instrument(models.Model):
    """A way of rating a young person's risks and life: its scales, items and bands. ICMS ships
    its own; an agency adds one it licenses in the admin site."""

    name = models.CharField(max_length=100)
    version = models.CharField(max_length=20, default="1")
    licence_note = models.TextField(
        max_length=2000, blank=True, help_text="Who owns it and on what terms the agency uses it."
    )
    active = models.BooleanField(
        default=True, help_text="Offered for new reviews. Reviews made with it stay readable."
    )

    class Meta:
        ordering = ["name", "version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="instrument_name_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"


class Scale(models.Model):
    """A part of an instrument whose items are rated on the same points and scored together
    (the risk areas, the life domains)."""

    class Kind(models.TextChoices):
        RISK = "risk", "Risk areas"
        DOMAIN = "domain", "Life domains"
        OTHER = "other", "Other"

    class Total(models.TextChoices):
        SUM = "sum", "Sum of the ratings"
        MEAN = "mean", "Mean of the ratings"

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="scales")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind)
    higher_is_better = models.BooleanField(
        help_text="Ticked when a higher rating is better (a life domain), not for a risk."
    )
    total = models.CharField("scored as", max_length=10, choices=Total, default=Total.SUM)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["instrument", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "name"], name="scale_name_once")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def best_value(self) -> int | None:
        values = [point.value for point in self.points.all()]
        if not values:
            return None
        return max(values) if self.higher_is_better else min(values)

    def score(self, values: list[int]) -> Decimal | None:
        if not values:
            return None
        total = Decimal(sum(values))
        if self.total == self.Total.MEAN:
            return (total / len(values)).quantize(Decimal("0.01"))
        return total

    def band_of(self, score: Decimal | None) -> str:
        """The band's label of `score`, from the prefetched bands."""
        if score is None:
            return ""
        for band in self.bands.all():
            if band.lowest <= score <= band.highest:
                return band.label
        return ""


class ScalePoint(models.Model):
    """One point of a scale: its value, its label and what it means."""

    scale = models.ForeignKey(Scale, on_delete=models.CASCADE, related_name="points")
    value = models.SmallIntegerField()
    label = models.CharField(max_length=50)
    meaning = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["scale", "value"]
        constraints = [models.UniqueConstraint(fields=["scale", "value"], name="scale_point_once")]

    def __str__(self) -> str:
        return f"{self.value} {self.label}"


class Band(models.Model):
    """A range of a scale's score, both ends included, and what it is called ("high")."""

    scale = models.ForeignKey(Scale, on_delete=models.CASCADE, related_name="bands")
    lowest = models.DecimalField(max_digits=6, decimal_places=2)
    highest = models.DecimalField(max_digits=6, decimal_places=2)
    label = models.CharField(max_length=50)

    class Meta:
        ordering = ["scale", "lowest"]
        constraints = [
            models.CheckConstraint(
                condition=Q(highest__gte=models.F("lowest")), name="band_ends_after_it_starts"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.lowest} to {self.highest}"


class Item(models.Model):
    """One thing rated: a risk area, a life domain, or another of the instrument's items."""

    scale = models.ForeignKey(Scale, on_delete=models.PROTECT, related_name="items")
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=100)
    help_text = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["scale__order", "scale", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["scale", "code"], name="item_code_once")]

    def __str__(self) -> str:
        return self.label


class ReviewInterval(models.Model):
    """How many weeks after the last outcome review the next is due, for an intensity: the
    administrator's, beside the intensity levels."""

    intensity = models.OneToOneField(
        "clients.IntensityLevel", on_delete=models.CASCADE, related_name="outcome_review_interval"
    )
    weeks = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["weeks"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weeks__gte=1, weeks__lte=52), name="review_interval_within_a_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.intensity}: every {self.weeks} weeks"


@pghistory.track()
class Review(models.Model):
    """The case manager's ratings of the young person on an instrument, with the young person's
    own view beside each; at intake, regularly, or at exit. Never deleted: one made in error is
    marked so, and left out of schedules and reports."""

    class Occasion(models.TextChoices):
        INTAKE = "intake", "Intake"
        REGULAR = "regular", "Regular review"
        EXIT = "exit", "Exit"

    class Engagement(models.TextChoices):
        """Education, training or employment, at the time of the review."""

        SCHOOL = "school", "At school"
        TRAINING = "training", "In training (TAFE, a course, an apprenticeship)"
        EMPLOYED = "employed", "Employed"
        NONE = "none", "None of these"

    ENGAGED = (Engagement.SCHOOL, Engagement.TRAINING, Engagement.EMPLOYED)

    young_person = models.ForeignKey(
        "clients.YoungPerson", on_delete=models.PROTECT, related_name="outcome_reviews"
    )
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="reviews")
    occasion = models.CharField(max_length=10, choices=Occasion)
    reviewed_on = models.DateField(validators=[validate_past_day])
    engagement = models.CharField(
        "education, training or employment", max_length=10, choices=Engagement
    )
    young_person_view = models.TextField(
        "the young person's view overall, in their words", max_length=2000, blank=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    entered_in_error_at = models.DateTimeField(null=True, blank=True)
    entered_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_in_error_reason = models.CharField(max_length=300, blank=True)
    # Made by the form when it is opened: submitting twice records one review.
    client_reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["-reviewed_on", "-recorded_at"]
        indexes = [models.Index(fields=["young_person", "-reviewed_on"])]

    def __str__(self) -> str:
        return f"{self.get_occasion_display()} review of {self.young_person}, " + show_date(
            self.reviewed_on
        )

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("outcomes:review", args=[self.pk])

    @property
    def engaged(self) -> bool:
        return self.engagement in self.ENGAGED


@pghistory.track()
class Rating(models.Model):
    """One item of a review: the case manager's rating and reason, and the young person's own
    rating and words."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="ratings")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    value = models.SmallIntegerField()
    reason = models.CharField(max_length=300, blank=True)
    own_value = models.SmallIntegerField("the young person's rating", null=True, blank=True)
    own_words = models.CharField("in their words", max_length=300, blank=True)

    class Meta:
        ordering = ["item__scale__order", "item__order", "pk"]
        constraints = [models.UniqueConstraint(fields=["review", "item"], name="rating_item_once")]

    def __str__(self) -> str:
        return f"{self.item}: {self.value}"
