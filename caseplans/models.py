import pghistory
from django.conf import settings
from django.db import models
from django.utils import timezone


@pghistory.track()
class CrisisPlan(models.Model):
    """The young person's safety plan: what to watch for and what to do, after hours too."""

    young_person = models.OneToOneField(
        "clients.YoungPerson", on_delete=models.PROTECT, related_name="crisis_plan"
    )
    warning_signs = models.TextField(blank=True)
    triggers = models.TextField(blank=True)
    what_helps = models.TextField(blank=True)
    who_to_call = models.TextField(blank=True)
    after_hours_steps = models.TextField(blank=True)
    when_to_consult_ahcpes = models.TextField(
        "when to consult the after-hours child protection emergency service", blank=True
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Crisis plan for {self.young_person}"
