from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"
    LOGIN = "login", "Logged in"
    LOGOUT = "logout", "Logged out"
    LOGIN_FAILED = "login_failed", "Failed login"
    BREAK_GLASS = "break_glass", "After-hours access"
    SEARCH = "search", "Searched"
    REFUSED = "refused", "Refused"
    # Of an account's roles, team, division or flags, or of a team's supervisor: who may read what.
    ACCESS = "access", "Changed access"


class AuditEvent(models.Model):
    """One entry of the append-only audit trail: who did what to which record, when, from where.

    The table is created by migration 0001 as a PostgreSQL table partitioned by month, with
    triggers that refuse UPDATE, DELETE and TRUNCATE; hence `managed = False`. Rows are written
    only by `audit.services`.
    """

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    # Kept as typed: a failed login names a user who may not exist.
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    young_person = models.ForeignKey(
        "clients.YoungPerson",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        help_text="The young person whose record this is, or is part of.",
    )
    ip_address = models.GenericIPAddressField(null=True)
    path = models.CharField(max_length=500, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        managed = False
        db_table = "audit_event"
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor_username} {self.get_action_display()} {self.object_repr}".strip()
