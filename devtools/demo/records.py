"""The demo's closed files, in sup.demo's team (ICMS North): Brooke, who left ICMS nine years
ago and is now 28, archived and past her retention date (on sup.demo's review list); Dylan,
archived and as long past his, but kept under legal hold for a civil claim; and the stub of a
file sup.demo approved for disposal last month."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.models import Team, User
from clients.models import Contact, ContactWorker, KeyPerson, YoungPerson
from exits.models import Closure, Destination, ExitReason
from records.models import Disposal, LegalHold
from toolkit.hours import is_after_hours

# given, family, age, years since closing, CP number, exit reason, destination, hold
CLOSED_FILES = [
    ("Brooke", "Kelly", 28, 9, "CP-090412", ExitReason.TURNED_18, Destination.INDEPENDENT, ""),
    ("Dylan", "Harris", 27, 8, "CP-090587", ExitReason.ORDER_ENDED, Destination.KINSHIP,
     "Civil claim against the department (County Court): the plaintiff's solicitors have "
     "asked that his file be kept until the claim is settled."),
]  # fmt: skip


def _years_ago(today: date, years: int, days: int = 0) -> date:
    return today.replace(year=today.year - years, day=min(today.day, 28)) - timedelta(days=days)


def seed_demo_closed_files() -> int:
    """Make the closed files, and the stub; return how many files were made."""
    team = Team.objects.get(name="ICMS North")
    supervisor = team.supervisor
    casey = User.objects.get(username="cm.demo")
    today = timezone.localdate()
    for index, (given, family, age, closed, number, reason, destination, hold) in enumerate(
        CLOSED_FILES
    ):
        closed_on = _years_ago(today, closed, days=40 * index)
        young_person = YoungPerson.objects.create(
            given_name=given,
            family_name=family,
            date_of_birth=_years_ago(today, age, days=100 + 60 * index),
            division=team.division,
            team=team,
            status=YoungPerson.Status.CLOSED,
            child_protection_number=number,
            language="English",
            created_at=timezone.make_aware(datetime.combine(closed_on, time(9)))
            - timedelta(days=500),
            archived_on=closed_on + timedelta(days=200),
        )
        Closure.objects.create(
            young_person=young_person,
            began_on=closed_on - timedelta(days=480),
            closed_on=closed_on,
            closed_by=supervisor,
            reason=reason,
            destination=destination,
            notes="Exit plan in place; supports agreed with the young person.",
            accommodation_in_place=True,
            supports_in_place=True,
            supportive_adults_in_place=True,
            last_case_manager=casey,
        )
        KeyPerson.objects.create(
            young_person=young_person, name=f"Sue {family}", relationship="grandparent"
        )
        for weeks in (30, 6):
            started = timezone.make_aware(
                datetime.combine(closed_on - timedelta(weeks=weeks), time(15, 30))
            )
            contact = Contact.objects.create(
                young_person=young_person,
                started_at=started,
                duration_minutes=45,
                mode="face",
                location="community",
                kind="outreach",
                notes="Worked on the leaving care plan: the flat, the Centrelink claim, TAFE.",
                after_hours=is_after_hours(started),
                recorded_by=casey,
                recorded_at=started + timedelta(hours=1),
            )
            ContactWorker.objects.create(contact=contact, worker=casey)
        if hold:
            LegalHold.objects.create(
                young_person=young_person,
                reason=hold,
                placed_by=supervisor,
                placed_at=timezone.now() - timedelta(days=90),
            )
    Disposal.objects.create(
        young_person_number=9001,
        name="Kyle Bennett",
        date_of_birth=_years_ago(today, 31),
        child_protection_number="CP-080215",
        team_name=team.name,
        episodes=1,
        last_closed_on=_years_ago(today, 12),
        retention_due_on=_years_ago(today, 5),
        rule="7 years after closing, and until aged 25",
        contents={"contacts": 64, "case plans": 3, "documents": 5, "files on disk": 5},
        files_removed=5,
        approved_by=supervisor,
        approval_note="Checked: no claim, inquiry or request for access.",
        disposed_at=timezone.now() - timedelta(days=30),
    )
    return len(CLOSED_FILES)
