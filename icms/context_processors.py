from dataclasses import dataclass

from django.contrib import admin
from django.http import HttpRequest

from accounts.models import User
from notifications.models import Notification


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    # What the page's view requires (require_permission): the menu cannot offer a refused page.
    permission: str
    # Some pages are open to more people than the menu points there, who reach what they need
    # another way: the item is for those who hold (or who lack) this permission as well.
    also: str = ""
    unless: str = ""

    def offered_to(self, user: User) -> bool:
        return (
            user.has_perm(self.permission)
            and (not self.also or user.has_perm(self.also))
            and not (self.unless and user.has_perm(self.unless))
        )


MENU = [
    # Titled as the page titles itself: a supervisor's is the team's.
    MenuItem(
        "Team caseload",
        "clients:caseload",
        "clients.view_caseload",
        also="clients.transfer_caseload",
    ),
    MenuItem(
        "My caseload",
        "clients:caseload",
        "clients.view_caseload",
        unless="clients.transfer_caseload",
    ),
    MenuItem(
        "Caseload review",
        "supervision:index",
        "supervision.view_reports",
        also="supervision.review_teams",
    ),
    MenuItem("Referrals", "referrals:queue", "referrals.view_referral_queue"),
    # A supervisor's review links to the reports.
    MenuItem(
        "Reports",
        "supervision:reports",
        "supervision.view_reports",
        unless="supervision.review_teams",
    ),
    MenuItem("Your referrals", "referrals:list", "referrals.add_referral"),
    MenuItem("Register", "register:list", "register.view_register"),
    MenuItem("Diary", "diary:mine", "diary.view_diary"),
    MenuItem("Consultations", "referrals:consultations", "referrals.add_consultation"),
    MenuItem("On call", "oncall:now", "oncall.view_on_call"),
    MenuItem("After hours", "clients:break-glass", "clients.add_breakglassaccess"),
    MenuItem("Going out", "visits:create", "safety.add_visitplan"),
    # A worker's own visit is on "Going out"; this list is for watching the team's.
    MenuItem(
        "Outreach visits", "visits:list", "safety.view_visits", also="safety.view_team_visits"
    ),
    MenuItem("After-care", "exits:follow-ups", "exits.view_follow_ups"),
    MenuItem("Cover when away", "accounts:cover", "accounts.arrange_cover"),
    MenuItem("Supervision sessions", "supervision:sessions", "supervision.view_sessions"),
    MenuItem("Closed files", "records:archive", "records.search_archive"),
    # A supervisor reaches the register from the archive.
    MenuItem(
        "Disposed files",
        "records:disposals",
        "records.view_disposals",
        unless="records.search_archive",
    ),
    MenuItem("Audit trail", "audit:trail", "audit.view_audit_trail"),
    MenuItem("External systems", "accounts:systems", "accounts.manage_external_systems"),
    MenuItem("Event feeds", "webhooks:subscriptions", "webhooks.manage_subscriptions"),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    """The menu: the pages the user may open, from the permissions their views require. Access
    itself is decided by each view, not by this."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [("Home", "home")]
    items += [(item.label, item.url_name) for item in MENU if item.offered_to(user)]
    if admin.site.has_permission(request):  # the admin site's own test of who enters it
        items.append(("Administration", "admin:index"))
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    return {"nav_items": items, "user_roles": sorted(user.roles), "unread_notifications": unread}
