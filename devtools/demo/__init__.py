"""The demo agency that `manage.py seed_demo` creates: two divisions, two ICMS teams and a
caseload of fictional young people. Every name here is invented."""

from base64 import b32decode
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Discipline, Division, Role, Team, User
from caseplans.models import CrisisPlan
from clients.models import (
    Allocation,
    Contact,
    ContactWorker,
    IntensityLevel,
    KeyPerson,
    ProfessionalContact,
    WorkerSafetyAlert,
    YoungPerson,
)
from clients.queries import local_midnight
from devtools.demo.caseplans import seed_demo_plans
from devtools.demo.clients import seed_demo_restricted_contacts
from devtools.demo.crises import seed_demo_crises
from devtools.demo.diary import seed_demo_appointments
from devtools.demo.documents import seed_demo_documents
from devtools.demo.exits import seed_demo_exit_planning, seed_demo_exits
from devtools.demo.oncall import seed_demo_roster
from devtools.demo.outcomes import seed_demo_outcomes
from devtools.demo.records import seed_demo_closed_files
from devtools.demo.referrals import seed_demo_referrals
from devtools.demo.register import seed_demo_register
from devtools.demo.releases import seed_demo_releases
from devtools.demo.supervision import seed_demo_sessions
from devtools.demo.visits import seed_demo_visits
from devtools.demo_logins import DEMO_PASSWORD, DEMO_TOTP_SECRET
from toolkit.hours import is_after_hours


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: Role
    team: str = ""
    division: str = ""
    discipline: str = ""


DIVISIONS = ["North", "West"]
TEAMS = {"ICMS North": "North", "ICMS West": "West"}
USERS = [
    DemoUser("sup.demo", "Sam", "Taylor", Role.SUPERVISOR, team="ICMS North",
             discipline=Discipline.SOCIAL_WORK),
    DemoUser("cm.demo", "Casey", "Morgan", Role.CASE_MANAGER, team="ICMS North",
             discipline=Discipline.INTENSIVE_CASE_MANAGER),
    DemoUser("cm3.demo", "Priya", "Sharma", Role.CASE_MANAGER, team="ICMS North",
             discipline=Discipline.MENTAL_HEALTH),
    DemoUser("cm4.demo", "Tom", "Walker", Role.CASE_MANAGER, team="ICMS North",
             discipline=Discipline.DRUG_AND_ALCOHOL),
    DemoUser("sup2.demo", "Morgan", "Ellis", Role.SUPERVISOR, team="ICMS West",
             discipline=Discipline.YOUTH_WORK),
    DemoUser("cm2.demo", "Jordan", "Lee", Role.CASE_MANAGER, team="ICMS West",
             discipline=Discipline.INTENSIVE_CASE_MANAGER),
    DemoUser("cm5.demo", "Aisha", "Rahman", Role.CASE_MANAGER, team="ICMS West",
             discipline=Discipline.YOUTH_WORK),
    DemoUser("cm6.demo", "Ben", "O'Connor", Role.CASE_MANAGER, team="ICMS West",
             discipline=Discipline.SOCIAL_WORK),
    DemoUser("cp.demo", "Chris", "Papadopoulos", Role.PRACTITIONER, division="North"),
    DemoUser("cp2.demo", "Dana", "Kowalski", Role.PRACTITIONER, division="West"),
    DemoUser("reg.demo", "Rita", "Gomez", Role.REGISTER_COORDINATOR, division="North"),
    DemoUser("reg2.demo", "Wei", "Zhang", Role.REGISTER_COORDINATOR, division="West"),
    DemoUser("admin.demo", "Alex", "Chen", Role.ADMINISTRATOR),
]  # fmt: skip

# given name, family name, preferred name, age in years, team (by division), primary case manager,
# care team (usernames), intensity, status, child protection number
YOUNG_PEOPLE = [
    ("Jayden", "Smith", "Jay", 15, "North", "cm.demo", ["cm3.demo"], "High", "active", "CP-100231"),
    ("Mia", "Thompson", "", 16, "North", "cm.demo", [], "Medium", "active", "CP-100245"),
    ("Liam", "Brown", "", 14, "North", "cm.demo", ["cm4.demo"], "High", "active", "CP-100262"),
    ("Chloe", "Wilson", "Clo", 17, "North", "cm.demo", [], "Low", "exiting", "CP-100278"),
    ("Noah", "Martin", "", 15, "North", "cm3.demo", ["cm.demo"], "Medium", "active", "CP-100290"),
    ("Ruby", "Anderson", "", 13, "North", "cm4.demo", [], "High", "active", "CP-100304"),
    ("Kai", "Robinson", "", 16, "North", None, [], "Medium", "active", "CP-100317"),
    ("Zara", "Hughes", "", 15, "West", "cm2.demo", ["cm5.demo"], "High", "active", "CP-200114"),
    ("Ethan", "Clarke", "", 17, "West", "cm2.demo", [], "Medium", "active", "CP-200127"),
    ("Ava", "Patel", "", 14, "West", "cm5.demo", [], "Low", "active", "CP-200139"),
    ("Tyler", "Jones", "Ty", 16, "West", "cm6.demo", ["cm2.demo"], "High", "active", "CP-200146"),
    ("Leah", "Nguyen", "", 12, "West", "cm6.demo", [], "Medium", "active", "CP-200158"),
    # Left ICMS four weeks ago (devtools/demo/exits.py): her after-care is Casey's.
    ("Sienna", "Walsh", "", 17, "North", "cm.demo", [], "Medium", "active", "CP-100333"),
]  # fmt: skip

# family name: worker-safety alerts (kind, details)
ALERTS = {
    "Smith": [("pairs", "Visit in pairs after 6 pm: older brother hostile to workers.")],
    "Brown": [("dog", "Large dog at the kinship carer's house; ask for it to be tied up.")],
    "Hughes": [("address", "Avoid the Station St flat: known drug house.")],
    "Jones": [("violence", "Has threatened workers when intoxicated. Meet in public places.")],
}

CRISIS_PLAN = {
    "warning_signs": "Stops answering texts; stays out overnight; talks about not caring anymore.",
    "triggers": "Contact with father; being moved; court dates.",
    "what_helps": "Time with a trusted worker; music; a walk and food before talking.",
    "who_to_call": "Case manager first; then the team leader; grandmother is a support.",
    "after_hours_steps": "Call the on-call ICMS worker; if unsafe, call 000.",
    "when_to_consult_ahcpes": "Any risk of harm at the placement, or if the young person "
    "cannot be found after midnight.",
}


# Background for the young people's records, in turn.
PLACEMENTS = ["kinship", "residential", "home_based", "lead_tenant", "parent", "residential"]
ORDERS = ["cbso", "fro", "ltco", "cbso", "fpo", "iao"]
INDIGENOUS = ["neither", "aboriginal", "neither", "not_stated", "both", "neither"]
CONTACT_NOTES = [
    "Met at the park near the unit. Talked about the weekend and the fight with his brother; "
    "agreed to try the youth centre's Tuesday group. Bought lunch.",
    "Drove to the GP for the script review. Waited with her; she asked good questions.",
    "Phone check-in. Sounded flat, said she is sleeping badly. Will visit tomorrow.",
    "Outreach visit: not home. Carer says out since last night. Left a text and told CP.",
    "Worked on the budget for the new flat. Opened a bank account together.",
    "Case planning with the young person and the kinship carer: reviewed school goal.",
]


def _demo_contacts(young_person: YoungPerson, workers: list[User], index: int) -> int:
    """A few weeks of contacts, some in the evening and at weekends, one attempt that failed."""
    today = timezone.localdate()
    contacts = []
    for number in range(3 + index % 5):
        # Between 09:00 and 20:00 local time, whenever the demo is seeded.
        started = local_midnight(today - timedelta(days=2 + number * (3 + index % 3))) + timedelta(
            hours=9 + (index * 7 + number * 5) % 12
        )
        worker = workers[number % len(workers)]
        reached = number % 4 != 3
        contacts.append(
            Contact(
                young_person=young_person,
                started_at=started,
                duration_minutes=30 + (number * 15) % 90,
                mode="face" if number % 3 else "phone",
                location="community" if number % 3 else "",
                kind=["outreach", "advocacy", "skills", "planning"][number % 4],
                reached_young_person=reached,
                notes=CONTACT_NOTES[(index + number) % len(CONTACT_NOTES)],
                after_hours=is_after_hours(started),
                recorded_by=worker,
                recorded_at=started + timedelta(hours=1),
            )
        )
    Contact.objects.bulk_create(contacts)
    ContactWorker.objects.bulk_create(
        ContactWorker(contact=contact, worker=contact.recorded_by) for contact in contacts
    )
    return len(contacts)


def demo_data_present() -> bool:
    return User.objects.filter(username__in=[user.username for user in USERS]).exists()


def _birth_date(age: int, index: int) -> date:
    """A date of birth that keeps the young person at `age` for the next months."""
    return timezone.localdate() - timedelta(days=365 * age + 30 + 23 * index)


@transaction.atomic
def seed_demo_agency() -> dict[str, int]:
    """Create the demo agency; return how many of each thing was created."""
    divisions = {name: Division.objects.create(name=name) for name in DIVISIONS}
    teams = {
        name: Team.objects.create(name=name, division=divisions[division])
        for name, division in TEAMS.items()
    }
    groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
    users = {}
    for demo in USERS:
        user = User(
            username=demo.username,
            first_name=demo.first_name,
            last_name=demo.last_name,
            email=f"{demo.username}@icms.example",
            discipline=demo.discipline,
            team=teams.get(demo.team),
            division=divisions.get(demo.division),
            is_staff=demo.role == Role.ADMINISTRATOR,
        )
        user.set_password(DEMO_PASSWORD)
        user.full_clean()
        user.save()
        user.groups.add(groups[demo.role])
        TOTPDevice.objects.create(
            user=user, name="Demo authenticator", key=b32decode(DEMO_TOTP_SECRET).hex()
        )
        users[demo.username] = user
        if demo.role == Role.SUPERVISOR:
            teams[demo.team].supervisor = user
            teams[demo.team].save(update_fields=["supervisor"])

    intensities = {level.name: level for level in IntensityLevel.objects.all()}
    contacts = 0
    accepted = []
    by_family = {}
    for index, row in enumerate(YOUNG_PEOPLE):
        given, family, preferred, age, division, primary, care_team, intensity, status, number = row
        team = f"ICMS {division}"
        allocated_on = timezone.localdate() - timedelta(days=60 + 11 * index)
        allocated_at = timezone.make_aware(datetime.combine(allocated_on, time(10)))
        young_person = YoungPerson.objects.create(
            given_name=given,
            family_name=family,
            preferred_name=preferred,
            date_of_birth=_birth_date(age, index),
            division=teams[team].division,
            team=teams[team],
            status=status,
            intensity=intensities[intensity],
            primary_case_manager=users.get(primary),
            child_protection_number=number,
            gender="male" if index % 2 == 0 else "female",
            indigenous_status=INDIGENOUS[index % len(INDIGENOUS)],
            placement=PLACEMENTS[index % len(PLACEMENTS)],
            legal_order=ORDERS[index % len(ORDERS)],
            information_sharing="given" if index % 3 else "limited",
            language="English",
            created_at=allocated_at - timedelta(hours=1),  # opened the morning it was allocated
        )
        by_family[family] = young_person
        accepted.append((young_person, allocated_on))
        supervisor = teams[team].supervisor
        Allocation.objects.bulk_create(
            [
                Allocation(
                    young_person=young_person,
                    worker=users[username],
                    role=Allocation.Role.CARE_TEAM,
                    started_on=allocated_on,
                    allocated_by=supervisor,
                    recorded_at=allocated_at,
                )
                for username in care_team
            ]
            + (
                [
                    Allocation(
                        young_person=young_person,
                        worker=users[primary],
                        role=Allocation.Role.PRIMARY,
                        started_on=allocated_on,
                        allocated_by=supervisor,
                        recorded_at=allocated_at,
                    )
                ]
                if primary
                else []
            )
        )
        if primary:
            contacts += _demo_contacts(
                young_person, [users[primary], *[users[name] for name in care_team]], index
            )
        KeyPerson.objects.create(
            young_person=young_person,
            name=f"{['Maria', 'Grace', 'Joe', 'Lena'][index % 4]} {family}",
            relationship=["grandparent", "mother", "aunt_uncle", "carer"][index % 4],
            is_support=index % 5 != 1,
            phone=f"0400 000 {100 + index:03d}",
        )
        ProfessionalContact.objects.create(
            young_person=young_person,
            role="child_protection",
            name=str(users["cp.demo" if division == "North" else "cp2.demo"]),
            organisation=f"Child Protection, {division} Division",
        )
        author = users.get(primary) or teams[team].supervisor
        for kind, details in ALERTS.get(family, []):
            WorkerSafetyAlert.objects.create(
                young_person=young_person,
                kind=kind,
                details=details,
                created_by=author,
                created_at=timezone.now() - timedelta(days=40),
            )
        if intensity == "High":
            CrisisPlan.objects.create(young_person=young_person, updated_by=author, **CRISIS_PLAN)
    plans = seed_demo_plans(by_family)
    referrals = seed_demo_referrals(
        accepted, referrers={"North": users["cp.demo"], "West": users["cp2.demo"]}
    )
    register = seed_demo_register()
    return {
        "divisions": len(divisions),
        "teams": len(teams),
        "users": len(users),
        "young people": len(YOUNG_PEOPLE),
        "contacts": contacts,
        "referrals": referrals,
        "case plans": plans,
        "register entries": register,
        # Before the diary and the documents, which are for the young people still with ICMS.
        "closed episodes": seed_demo_exits(),
        "visit plans": seed_demo_visits(),
        "crises": seed_demo_crises(),
        "restricted contacts": seed_demo_restricted_contacts(),
        "on-call shifts": seed_demo_roster(),
        "supervision sessions": seed_demo_sessions(),
        "appointments": seed_demo_appointments(),
        "outcome reviews": seed_demo_outcomes(),
        "documents": seed_demo_documents(),
        "exits coming": seed_demo_exit_planning(by_family),
        "file releases": seed_demo_releases(),
        "closed files": seed_demo_closed_files(),
    }
