from django.http import HttpRequest

from accounts.models import Role
from notifications.models import Notification


def navigation(request: HttpRequest) -> dict[str, object]:
    """The menu: what each role may use. Access itself is decided by each view, not by this."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [("Home", "home")]
    if user.has_role(Role.SUPERVISOR):
        items.append(("Team caseload", "clients:caseload"))
    elif user.has_role(Role.CASE_MANAGER):
        items.append(("My caseload", "clients:caseload"))
    if user.has_role(Role.SUPERVISOR):
        items.append(("Caseload review", "supervision:index"))
        items.append(("Referrals", "referrals:queue"))
    elif user.has_role(Role.ADMINISTRATOR):
        items.append(("Reports", "supervision:reports"))
    if user.has_role(Role.PRACTITIONER):
        items.append(("Your referrals", "referrals:list"))
    if user.has_role(Role.REGISTER_COORDINATOR) or user.has_role(Role.SUPERVISOR):
        items.append(("Register", "register:list"))
    if user.has_role(Role.CASE_MANAGER) or user.has_role(Role.SUPERVISOR):
        items.append(("Consultations", "referrals:consultations"))
        items.append(("After hours", "clients:break-glass"))
        items.append(("Going out", "visits:create"))
    if user.has_role(Role.SUPERVISOR):
        items.append(("Outreach visits", "visits:list"))
        items.append(("Cover when away", "accounts:cover"))
    if user.has_role(Role.CASE_MANAGER) or user.has_role(Role.SUPERVISOR):
        items.append(("Supervision sessions", "supervision:sessions"))
    if user.has_role(Role.SUPERVISOR) or user.has_role(Role.ADMINISTRATOR):
        items.append(("Audit trail", "audit:trail"))
    if user.has_role(Role.ADMINISTRATOR):
        items.append(("Administration", "admin:index"))
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    return {"nav_items": items, "user_roles": sorted(user.roles), "unread_notifications": unread}
