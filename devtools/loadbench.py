"""The pages `manage.py benchmark_load` drives, and who opens them: one catalogue for the load
(the plan handed to locust) and for the one-at-a-time measures (queries, empty-cache time)."""

import json
import re
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from clients.models import Contact, YoungPerson
from clients.timeline import TIMELINE_PAGE, timeline_kinds, timeline_page
from devtools import scale
from devtools.demo import DEMO_PASSWORD

# Who the 20 people at their desks are, in turn: mostly case managers.
MIX = ["case_manager"] * 7 + ["supervisor"] * 2 + ["coordinator"]
DEEP_PAGE = 8  # the timeline page reached by pressing "older" seven times


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    weight: float


def pages_of(role: str, user: User) -> list[Page]:
    """What a person in `role` opens in a working day, with how often (weights)."""
    if role == "case_manager":
        young_person = busy_case_of(user)
        if young_person is None:
            return []
        record = young_person.pk
        return [
            Page("My caseload", reverse("clients:caseload"), 4),
            Page("young person's record", reverse("clients:detail", args=[record]), 4),
            Page("timeline (first page)", reverse("clients:timeline", args=[record]), 3),
            Page("timeline (page 8)", _deep_timeline_url(young_person, user), 1),
            Page("contact form (GET)", reverse("clients:contact-create", args=[record]), 2),
            Page("contact form (POST)", reverse("clients:contact-create", args=[record]), 2),
            # A new shift now and then (one page in about 35): keeps the login pages measured.
            Page("sign out and in again", "", 0.5),
        ]
    if role == "supervisor":
        team = user.teams_led.get()
        return [
            Page("caseload review", reverse("supervision:review", args=[team.pk]), 3),
            Page("team dashboard", reverse("supervision:dashboard", args=[team.pk]), 2),
            Page("referral triage queue", reverse("referrals:queue"), 2),
        ]
    return [Page("register, reviews overdue", reverse("register:list") + "?review=overdue", 1)]


def contact_data(form_page: bytes) -> dict[str, str]:
    """What a case manager fills in on the contact form (as `form_page` offered it): a phone
    call three hours ago."""
    reference = re.search(rb'name="client_reference" value="([^"]+)"', form_page).group(1)
    started = timezone.localtime() - timedelta(hours=3)
    return {
        "client_reference": reference.decode(),
        "started_at": f"{started:%Y-%m-%dT%H:%M}",
        "duration_minutes": "30",
        "mode": "phone",
        "kind": "outreach",
        "reached_young_person": "on",
        "notes": "Checked in by phone.",
    }


def accounts() -> dict[str, list[User]]:
    """The scale agency's accounts by role, in a fixed order."""
    scale_users = User.objects.filter(username__startswith="scale.").order_by("username")
    return {
        "case_manager": list(scale_users.filter(groups__name=Role.CASE_MANAGER)),
        "supervisor": list(scale_users.filter(groups__name=Role.SUPERVISOR)),
        "coordinator": list(scale_users.filter(groups__name=Role.REGISTER_COORDINATOR)),
    }


def first_of_each_role() -> dict[str, tuple[User, list[Page]]]:
    """For each role, its first account with pages to open (a case manager with an open case),
    and those pages."""
    chosen = {}
    for role, people in accounts().items():
        for person in people:
            if pages := pages_of(role, person):
                chosen[role] = (person, pages)
                break
    return chosen


def write_plan(path: str, users: int) -> None:
    """The plan file the locustfile reads."""
    plan = {
        "users": users,
        "mix": MIX,
        "login": reverse("accounts:login"),
        "login_code": reverse("accounts:login-code"),
        "password": DEMO_PASSWORD,
        "totp_secret": scale.TOTP_SECRET,
        "time_zone": settings.TIME_ZONE,
        "accounts": {
            role: [
                {
                    "username": person.username,
                    "pages": [asdict(page) for page in pages_of(role, person)],
                }
                for person in people
            ]
            for role, people in accounts().items()
        },
    }
    with open(path, "w") as file:
        json.dump(plan, file)


def export_url() -> str:
    """The agency's activity export (every contact, one row each) from the day of the
    100,000th newest contact to today."""
    today = timezone.localdate()
    newest = Contact.objects.order_by("-started_at").values_list("started_at", flat=True)
    hundred_thousandth = newest[min(99_999, newest.count() - 1)]
    starts_on = timezone.localtime(hundred_thousandth).date()
    query = f"?starts_on={starts_on:%Y-%m-%d}&ends_on={today:%Y-%m-%d}"
    return reverse("supervision:report-export", args=["activity"]) + query


def busy_case_of(user: User) -> YoungPerson | None:
    """The worker's open case with the most contacts in the last fortnight (a busy one)."""
    return (
        YoungPerson.objects.filter(primary_case_manager=user)
        .exclude(status=YoungPerson.Status.CLOSED)
        .annotate(
            recent=Count(
                "contacts", filter=Q(contacts__started_at__gte=timezone.now() - timedelta(days=14))
            )
        )
        .order_by("-recent", "pk")
        .first()
    )


def _deep_timeline_url(young_person: YoungPerson, user: User) -> str:
    """The URL of the timeline's page DEEP_PAGE as `user` sees it."""
    before = None
    kinds = [kind.name for kind in timeline_kinds()]
    for _ in range(DEEP_PAGE - 1):
        _, before = timeline_page(
            young_person, user=user, kinds=kinds, before=before, size=TIMELINE_PAGE
        )
        if before is None:
            break
    url = reverse("clients:timeline", args=[young_person.pk])
    if before is None:
        return url
    return f"{url}?before={before[0].isoformat()},{before[1]},{before[2]}".replace("+", "%2B")
