import re

from django.apps import apps
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
    # Of a restricted entry's content (clients.RestrictableEntry), by one of its readers.
    READ_RESTRICTED = "read_restricted", "Read restricted content"
    # Of a young person's whole file, past its retention date, on a supervisor's approval: what
    # remains is its stub (records.Disposal) and this entry.
    DISPOSE = "dispose", "Disposed of a file"


# The lists ICMS records reads of (toolkit.access.shows_list: the view's name), in words.
LISTS = {
    "home": "their home page",
    "caseload": "the caseload",
    "break_glass_request": "the after-hours access page",
    "register_list": "the register",
    "meeting_create": "the liaison meeting form",
    "crisis_log": "the crisis log",
    "visit_list": "the outreach visits",
    "visit_create": "the outreach visit form",
    "referral_list": "their referrals",
    "referral_queue": "the referral queue",
    "consultation_list": "the consultations",
    "follow_up_list": "the after-care follow-ups",
    "referrals-api": "referrals through the API",
    "archive_search": "the archive of closed files",
    "retention_review": "the files due for retention review",
    "disposal_register": "the register of disposed files",
}
# What a read of a record showed, when the view said more (toolkit.access.audit_detail).
READ_DETAILS = {
    "searched": "Searched the timeline",
    "timeline": "Viewed the timeline",
    "pdf": "Downloaded the case plan (PDF)",
    "file_pdf": "Downloaded the file (PDF)",
    "summary_pdf": "Downloaded the summary of the episode (PDF)",
    "printed": "Printed the case plan",
    "compared_with": "Compared two versions of the case plan",
    "break_glass": "Opened the safety information after hours",
    "merge_with": "Compared two records of the young person, to merge them",
    "referral": "Downloaded a document of the referral",
    "release_pdf": "Downloaded a released copy of the file (PDF)",
    "release_zip": "Downloaded the documents of a released copy of the file (zip)",
}
RECORDS = {"clients.youngperson": "the record"}


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

    @property
    def in_words(self) -> str:
        """What was viewed, searched or exported, as the audit trail says it: "Viewed the
        record", "Viewed the timeline", "Exported contacts (CSV)". Other actions: their name."""
        detail = self.detail if isinstance(self.detail, dict) else {}
        if self.action == AuditAction.EXPORT and detail.get("export"):
            # A chart's or a team's export is named "<what>-<team number>".
            what = re.sub(r"-\d+$", "", str(detail["export"])).replace("-", " ").replace("_", " ")
            return f"Exported {what} (CSV)"
        if self.action == AuditAction.EXPORT and detail.get("released_to"):  # records.release
            return f"Released the file to {detail['released_to']}"
        if self.action == AuditAction.SEARCH and "audit_trail" in detail:
            return "Searched the audit trail"
        if self.action in (AuditAction.VIEW, AuditAction.SEARCH) and detail.get("list"):
            name = str(detail["list"])
            what = LISTS.get(name, f"the list {name.replace('_', ' ')}")
            return f"{'Searched' if self.action == AuditAction.SEARCH else 'Viewed'} {what}"
        if self.action != AuditAction.VIEW:
            return self.get_action_display()
        said = next((words for key, words in READ_DETAILS.items() if detail.get(key)), None)
        return said or f"Viewed {self._record_in_words()}"

    def _record_in_words(self) -> str:
        if self.object_type in RECORDS:
            return RECORDS[self.object_type]
        try:
            model = apps.get_model(self.object_type)
        except (LookupError, ValueError):
            return "a page"
        return f"the {model._meta.verbose_name}"
