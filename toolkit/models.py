from django.conf import settings
from django.db import models
from django.utils import timezone

from toolkit.validators import validate_past_day


class Meeting(models.Model):
    """A meeting's record (a liaison meeting, a supervision session): the day it was held, its
    notes, and who recorded it when; newest first."""

    held_on = models.DateField("held on", validators=[validate_past_day])
    notes = models.TextField(max_length=4000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-held_on", "-id"]
