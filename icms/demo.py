"""The demo agency that `manage.py seed_demo` creates: two divisions, two ICMS teams and a
caseload of fictional young people. Every name here is invented."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.models import Discipline, Division, Role, Team, User
from clients.models import CareTeamMember, IntensityLevel, YoungPerson

DEMO_PASSWORD = "icms-demo-pass"  # noqa: S105 - published in the README, demo only


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
    DemoUser("admin.demo", "Alex", "Chen", Role.ADMINISTRATOR),
]  # fmt: skip

# given name, family name, preferred name, age in years, team, primary case manager (username),
# care team (usernames), intensity, status
YOUNG_PEOPLE = [
    ("Jayden", "Smith", "Jay", 15, "ICMS North", "cm.demo", ["cm3.demo"], "High", "active"),
    ("Mia", "Thompson", "", 16, "ICMS North", "cm.demo", [], "Medium", "active"),
    ("Liam", "Brown", "", 14, "ICMS North", "cm.demo", ["cm4.demo"], "High", "active"),
    ("Chloe", "Wilson", "Clo", 17, "ICMS North", "cm.demo", [], "Low", "exiting"),
    ("Noah", "Martin", "", 15, "ICMS North", "cm3.demo", ["cm.demo"], "Medium", "active"),
    ("Ruby", "Anderson", "", 13, "ICMS North", "cm4.demo", [], "High", "active"),
    ("Kai", "Robinson", "", 16, "ICMS North", None, [], "Medium", "active"),
    ("Zara", "Hughes", "", 15, "ICMS West", "cm2.demo", ["cm5.demo"], "High", "active"),
    ("Ethan", "Clarke", "", 17, "ICMS West", "cm2.demo", [], "Medium", "active"),
    ("Ava", "Patel", "", 14, "ICMS West", "cm5.demo", [], "Low", "active"),
    ("Tyler", "Jones", "Ty", 16, "ICMS West", "cm6.demo", ["cm2.demo"], "High", "active"),
    ("Leah", "Nguyen", "", 12, "ICMS West", "cm6.demo", [], "Medium", "active"),
]


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
        users[demo.username] = user
        if demo.role == Role.SUPERVISOR:
            Team.objects.filter(pk=user.team_id).update(supervisor=user)

    intensities = {level.name: level for level in IntensityLevel.objects.all()}
    for index, row in enumerate(YOUNG_PEOPLE):
        given, family, preferred, age, team, primary, care_team, intensity, status = row
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
        )
        CareTeamMember.objects.bulk_create(
            CareTeamMember(young_person=young_person, worker=users[username])
            for username in care_team
        )
    return {
        "divisions": len(divisions),
        "teams": len(teams),
        "users": len(users),
        "young people": len(YOUNG_PEOPLE),
    }
