"""A statewide agency's worth of realistic records, for benchmarks (`manage.py seed_scale`).

Five regional divisions of ten teams each; case managers with balanced caseloads; young people
whose time in ICMS (their episode) falls anywhere in the last five years, each with a referral,
an allocation, a case plan every six months with goals and tasks, contacts through the episode
(more for higher intensity, a quarter of them after hours) and, for many, a register listing with
its fortnightly reviews. Everything comes from one `random.Random(seed)`, so the same arguments
give the same records.

The big tables are loaded with COPY a chunk at a time (memory stays flat); ids are taken from
the tables' sequences up front so that children can name their parents without reading them back.
The load runs in one transaction with triggers and foreign-key checks off (no history rows for
records that were never edited); the unique indexes still hold.
"""

import io
import json
import random
from base64 import b32decode
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Discipline, Division, Role, Team, User
from caseplans.models import Task
from clients.models import Contact, IntensityLevel, LifeDomain, YoungPerson
from devtools.demo import DEMO_PASSWORD
from devtools.demo.documents import SAMPLE_PDF
from documents.models import Document
from icms import database
from icms.database_roles import as_owner
from outcomes.models import Review
from referrals.models import Referral
from register.models import RegisterReview
from toolkit.hours import is_after_hours

DIVISIONS = ["Barwon South West", "Gippsland", "Hume", "Loddon Mallee", "Grampians"]
WORKERS_PER_TEAM = 10
PRACTITIONERS_PER_TEAM = 4
# The demo's password, so that a person can look around too; an authenticator secret of the
# usual 160 bits (the demo's 80 are too short for most authenticator libraries).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - benchmark records only
CHUNK = 20_000

# fmt: off
GIVEN_NAMES = [
    "Aaliyah", "Ava", "Bailey", "Brooke", "Caleb", "Chloe", "Cooper", "Darcy", "Declan", "Ella",
    "Ethan", "Evie", "Finn", "Georgia", "Harley", "Hayden", "Isla", "Jack", "Jai", "Jasmine",
    "Jayden", "Kai", "Kayla", "Koby", "Lachlan", "Layla", "Levi", "Liam", "Lily", "Logan",
    "Maddison", "Mason", "Mia", "Mitchell", "Nate", "Noah", "Olivia", "Riley", "Ruby", "Ryan",
    "Sienna", "Skye", "Taj", "Tahlia", "Tyler", "Xavier", "Zac", "Zara", "Zoe"
]
FAMILY_NAMES = [
    "Anderson", "Atkinson", "Baker", "Brown", "Campbell", "Clarke", "Cooper", "Davies", "Edwards",
    "Evans", "Graham", "Harris", "Hughes", "Jackson", "Jones", "Kelly", "King", "Lee", "Martin",
    "Mitchell", "Moore", "Morgan", "Murphy", "Nguyen", "O'Brien", "Parker", "Roberts", "Robinson",
    "Ryan", "Scott", "Smith", "Stewart", "Taylor", "Thomas", "Thompson", "Walker", "Watson",
    "White", "Williams", "Wilson", "Wright", "Young"
]
WORKER_NAMES = [
    "Alex", "Amira", "Ben", "Carla", "Dan", "Dev", "Ellie", "Fatima", "Grace", "Hamish", "Ivy",
    "James", "Kate", "Leo", "Mai", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tom", "Uma",
    "Vic", "Wen", "Yusuf"
]
# fmt: on

CONTACT_NOTES = [
    "Met at the placement. Talked through the week at school and the plan for the weekend.",
    "Phoned to check in after the family meeting; agreed to catch up on Thursday.",
    "Drove to the GP appointment and waited; talked about sleep and the new medication.",
    "No answer at the address. Left a card and texted the usual number.",
    "Went for lunch in town. Practised the bus route to TAFE for next week.",
    "Called after hours from the police station; stayed on the phone until the carer arrived.",
    "Worked on the Centrelink forms together; booked the interview.",
    "Met with mum at the café about contact arrangements. Tension over the weekend visit.",
    "Texted to remind about court on Monday; confirmed the lawyer will call.",
    "Joint visit with child protection. Reviewed safety plan; agreed on curfew steps.",
    "Helped shop for groceries and talked about budgeting for the first week in the unit.",
    "Short call; said things were fine but sounded flat. Will follow up tomorrow.",
]
FOLLOW_UPS = ["", "", "", "Call the school about the suspension.", "Chase the housing worker."]
GOAL_WORDS = {
    LifeDomain.HOUSING: "I want somewhere stable to live where I feel safe.",
    LifeDomain.EDUCATION: "I want to go back to school or start a course.",
    LifeDomain.PHYSICAL_HEALTH: "I want to sleep better and see a doctor when I need to.",
    LifeDomain.MENTAL_HEALTH: "I want to feel less angry and talk to someone about it.",
    LifeDomain.ALCOHOL_AND_DRUGS: "I want to use less and stay out of trouble when I do.",
    LifeDomain.FAMILY: "I want to see my brothers and sisters more often.",
    LifeDomain.LIVING_SKILLS: "I want to learn to cook and manage my money.",
    LifeDomain.SAFETY: "I want to stop going missing and stay away from people who hurt me.",
    LifeDomain.CULTURE: "I want to know more about my mob and where I come from.",
    LifeDomain.LEGAL: "I want to get through court and not get charged again.",
}
TASK_WORDS = [
    "Go with them to the appointment",
    "Phone the school's wellbeing coordinator",
    "Apply for the youth allowance",
    "Book a time with the headspace clinician",
    "Arrange weekly contact with siblings",
    "Practise the route on public transport",
    "Find a cooking class at the community house",
    "Check in with the placement about the curfew",
    "Talk to the lawyer before the hearing",
    "Look at listings for a youth refuge bed",
]


@dataclass(frozen=True)
class Sizes:
    young_people: int = 10_000
    workers: int = 500
    contacts: int = 2_000_000
    tasks: int = 200_000
    register_reviews: int = 100_000
    documents: int = 30_000
    years: int = 5
    seed: int = 1


@dataclass
class Episode:
    """A young person's time in ICMS, as the generator plans it before writing anything."""

    pk: int
    division: int
    team: int
    worker: int
    intensity: int
    contact_weight: int
    starts: date
    ends: date | None  # None: still open
    plans: list["PlanPlan"] = field(default_factory=list)
    contacts: int = 0

    @property
    def last_day(self) -> date:
        return self.ends or timezone.localdate()


@dataclass
class PlanPlan:
    pk: int
    number: int
    starts: date
    review: date
    current: bool
    lineages: list[UUID]


def seeded() -> bool:
    return Division.objects.filter(name=DIVISIONS[0]).exists()


def counts() -> dict[str, int]:
    """What the scale divisions hold now."""
    divisions = Division.objects.filter(name__in=DIVISIONS)
    return {
        "team members": User.objects.filter(team__division__in=divisions).count(),
        "young people": YoungPerson.objects.filter(division__in=divisions).count(),
        "contacts": Contact.objects.filter(young_person__division__in=divisions).count(),
        "tasks": Task.objects.filter(goal__plan__young_person__division__in=divisions).count(),
        "register reviews": RegisterReview.objects.filter(entry__division__in=divisions).count(),
        "referrals": Referral.objects.filter(division__in=divisions).count(),
        "outcome reviews": Review.objects.filter(young_person__division__in=divisions).count(),
        "documents": Document.objects.filter(young_person__division__in=divisions).count(),
    }


def seed(sizes: Sizes, say=print) -> None:
    """Load the scale agency; `say` is told of each step. As the owner's role: replica mode
    (triggers off) and ANALYZE are not the app's to use. Without the deadlines of the app's
    waits: psycopg2 cannot COPY with the wait callback that gives them (icms/database)."""
    with as_owner(), transaction.atomic(), database.without_deadlines():
        Generator(sizes, say).run()


class Generator:
    def __init__(self, sizes: Sizes, say) -> None:
        self.sizes = sizes
        self.say = say
        self.random = random.Random(sizes.seed)  # noqa: S311 - reproducible, not secret
        self.today = timezone.localdate()
        self.zone = ZoneInfo(settings.TIME_ZONE)

    def run(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            self.cursor = cursor
            self._people()
            self._young_people()
            self._referrals()
            self._plans()
            self._contacts()
            self._register()
            self._outcomes()
            self._documents()
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        with connection.cursor() as cursor:
            for table in [
                "clients_youngperson",
                "clients_allocation",
                "clients_contact",
                "clients_contactworker",
                "caseplans_caseplan",
                "caseplans_goal",
                "caseplans_task",
                "caseplans_contactadvanced",
                "register_registerentry",
                "register_registerreview",
                "referrals_referral",
                "outcomes_review",
                "outcomes_rating",
                "clients_childprotectiondecision",
                "documents_document",
                "documents_documentversion",
            ]:
                cursor.execute(f"ANALYZE {table}")

    # --- Staff --------------------------------------------------------------------------------

    def _people(self) -> None:
        sizes = self.sizes
        password = make_password(DEMO_PASSWORD)
        self.divisions = Division.objects.bulk_create(Division(name=name) for name in DIVISIONS)
        team_count = max(1, sizes.workers // WORKERS_PER_TEAM)
        self.teams = Team.objects.bulk_create(
            Team(
                name=f"ICMS {self.divisions[n % len(DIVISIONS)].name} {n // len(DIVISIONS) + 1}",
                division=self.divisions[n % len(DIVISIONS)],
            )
            for n in range(team_count)
        )

        def person(username: str, n: int, **fields) -> User:
            return User(
                username=username,
                first_name=WORKER_NAMES[n % len(WORKER_NAMES)],
                last_name=FAMILY_NAMES[(n * 7) % len(FAMILY_NAMES)],
                email=f"{username}@icms.example",
                password=password,
                **fields,
            )

        supervisors = User.objects.bulk_create(
            person(f"scale.sup{n + 1:02d}", n, team=team, discipline=Discipline.SOCIAL_WORK)
            for n, team in enumerate(self.teams)
        )
        for team, supervisor in zip(self.teams, supervisors, strict=True):
            team.supervisor = supervisor
        Team.objects.bulk_update(self.teams, ["supervisor"])
        self.workers = User.objects.bulk_create(
            person(
                f"scale.cm{n + 1:03d}",
                n + 3,
                team=self.teams[n % len(self.teams)],
                discipline=self.random.choice(Discipline.values),
            )
            for n in range(sizes.workers)
        )
        coordinators = User.objects.bulk_create(
            person(f"scale.reg{n + 1}", n + 5, division=division)
            for n, division in enumerate(self.divisions)
        )
        practitioners = User.objects.bulk_create(
            person(
                f"scale.cp{n + 1:03d}", n + 11, division=self.teams[n % len(self.teams)].division
            )
            for n in range(len(self.teams) * PRACTITIONERS_PER_TEAM)
        )
        administrator = User.objects.bulk_create([person("scale.admin", 1, is_staff=True)])
        for role, users in [
            (Role.SUPERVISOR, supervisors),
            (Role.CASE_MANAGER, self.workers),
            (Role.REGISTER_COORDINATOR, coordinators),
            (Role.PRACTITIONER, practitioners),
            (Role.ADMINISTRATOR, administrator),
        ]:
            Group.objects.get(name=role).user_set.add(*users)
        TOTPDevice.objects.bulk_create(
            TOTPDevice(
                user=user, name="Authenticator", key=b32decode(TOTP_SECRET).hex(), confirmed=True
            )
            for user in [
                *supervisors,
                *self.workers,
                *coordinators,
                *practitioners,
                *administrator,
            ]
        )
        self.supervisor_of_team = {
            team.pk: supervisor.pk for team, supervisor in zip(self.teams, supervisors, strict=True)
        }
        self.coordinator_of_division = {
            division.pk: coordinator.pk
            for division, coordinator in zip(self.divisions, coordinators, strict=True)
        }
        self.practitioners_of_division: dict[int, list[int]] = {}
        for practitioner in practitioners:
            self.practitioners_of_division.setdefault(practitioner.division_id, []).append(
                practitioner.pk
            )
        self.workers_of_team: dict[int, list[int]] = {}
        for worker in self.workers:
            self.workers_of_team.setdefault(worker.team_id, []).append(worker.pk)
        self.say(
            f"{len(self.divisions)} divisions, {len(self.teams)} teams, {len(self.workers)} case "
            f"managers, {len(practitioners)} child protection practitioners."
        )

    # --- Young people and their allocations ----------------------------------------------------

    def _young_people(self) -> None:
        sizes, rnd = self.sizes, self.random
        levels = list(IntensityLevel.objects.order_by("-caseload_weight"))
        first = self._reserve("clients_youngperson", sizes.young_people)
        span = 365 * sizes.years
        self.episodes: list[Episode] = []
        open_count = 0
        for n in range(sizes.young_people):
            starts = self.today - timedelta(days=rnd.randint(14, span))
            length = rnd.randint(240, 720)
            ends = starts + timedelta(days=length)
            level = rnd.choices(levels, weights=[25, 45, 30])[0]
            team = self.teams[n % len(self.teams)]
            if ends < self.today:
                worker = rnd.choice(self.workers_of_team[team.pk])
            else:
                # Open cases go round the team's workers in turn: caseloads stay balanced.
                team_workers = self.workers_of_team[team.pk]
                worker = team_workers[(open_count // len(self.teams)) % len(team_workers)]
                open_count += 1
            self.episodes.append(
                Episode(
                    pk=first + n,
                    division=team.division_id,
                    team=team.pk,
                    worker=worker,
                    intensity=level.pk,
                    contact_weight=level.expected_contacts_per_fortnight,
                    starts=starts,
                    ends=ends if ends < self.today else None,
                )
            )
        genders = ["female"] * 45 + ["male"] * 48 + ["non_binary"] * 3 + ["not_stated"] * 4
        indigenous = (
            ["aboriginal"] * 18 + ["tsi"] * 2 + ["both"] * 2 + ["neither"] * 70 + ["not_stated"] * 8
        )
        orders = ["fro", "cbso", "ltco", "iao", "fpo", "pco", "none"]

        def rows() -> Iterator[tuple]:
            for n, episode in enumerate(self.episodes):
                age_at_start = rnd.randint(12, 16)
                born = episode.starts - timedelta(days=365 * age_at_start + rnd.randint(0, 364))
                closed = episode.ends is not None
                exiting = not closed and (self.today - episode.starts).days > 600
                yield (
                    episode.pk,
                    rnd.choice(GIVEN_NAMES),
                    rnd.choice(FAMILY_NAMES),
                    "",
                    born,
                    rnd.choice(genders),
                    "",
                    rnd.choice(indigenous),
                    "",
                    "",
                    False,
                    f"SC{sizes.seed:02d}{n:07d}",
                    rnd.choice(orders),
                    None,
                    rnd.choice(["Residential care", "Kinship care", "Home with family", ""]),
                    "",
                    "consented",
                    "",
                    episode.division,
                    episode.team,
                    "closed" if closed else ("exiting" if exiting else "active"),
                    episode.intensity,
                    None if closed else episode.worker,
                    self._moment(episode.starts, 10),
                )

        self._copy(
            "clients_youngperson",
            "id given_name family_name preferred_name date_of_birth gender gender_description "
            "indigenous_status cultural_background language interpreter_needed "
            "child_protection_number legal_order legal_order_ends_on placement placement_details "
            "information_sharing information_sharing_notes division_id team_id status "
            "intensity_id primary_case_manager_id created_at",
            rows(),
            constants={"permanency_objective": ""},
        )
        self._copy(
            "clients_allocation",
            "young_person_id worker_id role started_on ended_on allocated_by_id ended_by_id note "
            "recorded_at ended_at",
            (
                (
                    episode.pk,
                    episode.worker,
                    "primary",
                    episode.starts,
                    episode.ends,
                    self.supervisor_of_team[episode.team],
                    self.supervisor_of_team[episode.team] if episode.ends else None,
                    "",
                    self._moment(episode.starts, 10),
                    self._moment(episode.ends, 16) if episode.ends else None,
                )
                for episode in self.episodes
            ),
        )
        self.say(f"{len(self.episodes):,} young people, {open_count:,} of them open.")

    def _referrals(self) -> None:
        """The accepted referral of every young person, a declined one for every fourth, and a
        few waiting for each team's triage."""
        rnd = self.random
        risks = Referral.Risk.values

        def referral(team: int, division: int, at: datetime, status: str, young_person):
            issues = dict.fromkeys(rnd.sample(LifeDomain.values, 3), "As child protection sees it.")
            return (
                rnd.choice(self.practitioners_of_division[division]),
                team,
                division,
                status,
                young_person,
                rnd.choice(GIVEN_NAMES),
                rnd.choice(FAMILY_NAMES),
                date(at.year - rnd.randint(13, 17), rnd.randint(1, 12), rnd.randint(1, 28)),
                _json(issues),
                _array(rnd.sample(risks, 2)),
                "Weekly visits from child protection and a youth worker.",
                rnd.choice(["routine", "routine", "priority", "urgent"]),
                "consents",
                "capacity" if status == "declined" else "",
                at - timedelta(days=1),
                at,
                at + timedelta(days=5) if status in ("accepted", "declined") else None,
                UUID(int=rnd.getrandbits(128)),
            )

        def rows() -> Iterator[tuple]:
            for n, episode in enumerate(self.episodes):
                at = self._moment(episode.starts - timedelta(days=21), 11)
                yield referral(episode.team, episode.division, at, "accepted", episode.pk)
                if n % 4 == 0:
                    at = self._moment(episode.starts - timedelta(days=rnd.randint(30, 300)), 14)
                    yield referral(episode.team, episode.division, at, "declined", None)
            for team in self.teams:
                for k in range(5):
                    at = timezone.now() - timedelta(days=k * 3 + 1, hours=rnd.randint(0, 8))
                    status = ["submitted", "considering", "waitlisted"][k % 3]
                    yield referral(team.pk, team.division_id, at, status, None)

        self._copy(
            "referrals_referral",
            "referred_by_id team_id division_id status young_person_id given_name family_name "
            "date_of_birth presenting_issues risks tried_before urgency consent decline_reason "
            "created_at submitted_at decided_at client_reference",
            rows(),
            constants={
                "preferred_name": "",
                "gender": "not_stated",
                "indigenous_status": "not_stated",
                "child_protection_number": "",
                "legal_order": "none",
                "placement": "",
                "risk_details": "",
                "permanency_objective": "not_decided",
                "cultural_background": "",
                "language": "",
                "interpreter_needed": False,
                "referrer_phone": "",
                "register_listed": False,
                "consent_notes": "",
                "decision_notes": "",
            },
        )

    # --- Case plans, goals and tasks -------------------------------------------------------------

    def _plans(self) -> None:
        """A plan every six months of each episode, the last one current; the goals carry over
        from plan to plan, one changing at each review."""
        rnd = self.random
        plans: list[tuple[Episode, PlanPlan]] = []
        for episode in self.episodes:
            lineages = [UUID(int=rnd.getrandbits(128)) for _ in range(rnd.randint(3, 5))]
            starts, number = episode.starts + timedelta(days=14), 1
            while starts <= episode.last_day:
                review = starts + timedelta(days=182)
                current = review > episode.last_day
                episode.plans.append(PlanPlan(0, number, starts, review, current, list(lineages)))
                lineages[rnd.randrange(len(lineages))] = UUID(int=rnd.getrandbits(128))
                starts, number = review, number + 1
            late = episode.plans[-1].starts > self.today - timedelta(days=30)
            if episode.ends is None and len(episode.plans) > 1 and late and rnd.random() < 0.3:
                # The review is late: the new plan is not made yet and the old one stays.
                episode.plans.pop()
                episode.plans[-1].current = True
            plans.extend((episode, plan) for plan in episode.plans)
        first = self._reserve("caseplans_caseplan", len(plans))
        for n, (_, plan) in enumerate(plans):
            plan.pk = first + n
        goals = sum(len(plan.lineages) for _, plan in plans)
        # Every goal gets the same number of tasks, and some one more, to make the total asked.
        tasks_per_goal, remainder = divmod(self.sizes.tasks, max(goals, 1))
        one_more = set(rnd.sample(range(goals), remainder))
        self._copy(
            "caseplans_caseplan",
            "id young_person_id number status starts_on review_on participants agreed_on "
            "created_by_id created_at submitted_at approved_by_id approved_at superseded_at",
            (
                (
                    plan.pk,
                    episode.pk,
                    plan.number,
                    "current" if plan.current else "superseded",
                    plan.starts,
                    plan.review,
                    _array(["young_person", "family", "child_protection"]),
                    plan.starts,
                    episode.worker,
                    self._moment(plan.starts - timedelta(days=3), 15),
                    self._moment(plan.starts - timedelta(days=2), 15),
                    self.supervisor_of_team[episode.team],
                    self._moment(plan.starts, 9),
                    None if plan.current else self._moment(plan.review, 12),
                )
                for episode, plan in plans
            ),
            constants={
                "participation_notes": "",
                "young_persons_view": "",
                "cultural_plan": "",
                "cultural_organisation": "",
                "version": 1,
            },
        )
        goal_ids = first_goal = self._reserve("caseplans_goal", goals)
        domains = list(GOAL_WORDS)
        goal_rows = []

        def goals_and_tasks() -> Iterator[tuple]:
            nonlocal goal_ids
            for episode, plan in plans:
                for position, lineage in enumerate(plan.lineages):
                    domain = domains[lineage.int % len(domains)]
                    goal_rows.append(
                        (
                            goal_ids,
                            plan.pk,
                            lineage,
                            domain,
                            GOAL_WORDS[domain],
                            "Turns up when it matters; good with younger kids.",
                            "in_progress",
                            position,
                        )
                    )
                    tasks = tasks_per_goal + (goal_ids - first_goal in one_more)
                    for k in range(tasks):
                        due = plan.starts + timedelta(days=rnd.randint(7, 175))
                        done = due < self.today and rnd.random() < 0.8
                        yield (
                            goal_ids,
                            f"{TASK_WORDS[(k + position) % len(TASK_WORDS)]}.",
                            "case_manager" if k % 3 else "young_person",
                            due,
                            "done" if done else ("in_progress" if k % 2 else "not_started"),
                            min(due, episode.last_day) if done else None,
                            k,
                            UUID(int=rnd.getrandbits(128)),
                        )
                    goal_ids += 1

        self._copy(
            "caseplans_task",
            "goal_id description responsible due_on status completed_on position lineage",
            goals_and_tasks(),
            constants={"agency": "", "version": 1},
        )
        self._copy(
            "caseplans_goal",
            "id plan_id lineage domain in_own_words strengths status position",
            goal_rows,
            constants={"version": 1},
        )
        tasks = self._count("caseplans_task")
        self.say(f"{len(plans):,} case plans, {goals:,} goals, {tasks:,} tasks.")

    # --- Contacts ------------------------------------------------------------------------------

    def _contacts(self) -> None:
        """Contacts through each episode, in proportion to its length and intensity; one in
        seven does not reach the young person, one in five advances a goal of the plan; about a
        quarter are after hours (evenings, weekends, public holidays)."""
        rnd, sizes = self.random, self.sizes
        weights = [
            ((episode.last_day - episode.starts).days + 1) * episode.contact_weight
            for episode in self.episodes
        ]
        total = sum(weights)
        for episode, weight in zip(self.episodes, weights, strict=True):
            episode.contacts = int(sizes.contacts * weight / total)
        short = sizes.contacts - sum(episode.contacts for episode in self.episodes)
        for episode in rnd.sample(self.episodes, short):
            episode.contacts += 1
        first = self._reserve("clients_contact", sizes.contacts)
        modes = ["face"] * 50 + ["phone"] * 30 + ["text"] * 15 + ["video"] * 3 + ["email"] * 2
        locations = ["home", "community", "school", "office", "other"]
        kinds = (
            ["outreach"] * 40
            + ["skills"] * 15
            + ["advocacy"] * 12
            + ["transport"] * 10
            + ["crisis"] * 8
            + ["planning"] * 8
            + ["assessment"] * 4
            + ["consultation"] * 3
        )
        participants = [[], [], ["family"], ["carer"], ["professionals"], ["family", "carer"]]
        advanced = io.StringIO()
        advanced_rows = 0
        now = timezone.now()

        def rows() -> Iterator[tuple]:
            nonlocal advanced_rows
            contact = first
            for episode in self.episodes:
                days = (episode.last_day - episode.starts).days
                for _ in range(episode.contacts):
                    day = episode.starts + timedelta(days=rnd.randint(0, days))
                    if day.weekday() >= 5 and rnd.random() < 0.7:  # most weekends are quiet
                        day -= timedelta(days=day.weekday() - 4)
                    late = rnd.random() < 0.15
                    hour = rnd.randint(17, 22) if late else rnd.randint(9, 16)
                    started = self._moment(day, hour, rnd.randrange(0, 60, 5))
                    if started > now:
                        started = now - timedelta(minutes=rnd.randint(30, 600))
                    mode = rnd.choice(modes)
                    yield (
                        contact,
                        episode.pk,
                        started,
                        rnd.choice([15, 30, 30, 45, 60, 90, 120]),
                        mode,
                        rnd.choice(locations) if mode == "face" else "",
                        rnd.choice(kinds),
                        rnd.random() >= 0.14,
                        _array(rnd.choice(participants)),
                        rnd.choice(CONTACT_NOTES),
                        rnd.choice(FOLLOW_UPS),
                        is_after_hours(started),
                        episode.worker,
                        min(started + timedelta(hours=rnd.randint(1, 20)), now),
                        UUID(int=rnd.getrandbits(128)),
                    )
                    if rnd.random() < 0.2:
                        plan = _plan_on(episode.plans, day)
                        if plan is not None:
                            lineage = plan.lineages[rnd.randrange(len(plan.lineages))]
                            advanced.write(f"{contact}\t{lineage}\n")
                            advanced_rows += 1
                    contact += 1

        self._copy(
            "clients_contact",
            "id young_person_id started_at duration_minutes mode location kind "
            "reached_young_person participants notes follow_up after_hours recorded_by_id "
            "recorded_at client_reference",
            rows(),
            constants={"entered_in_error_reason": "", "version": 1, "restricted_because": ""},
        )
        # The recorder is on every contact; a colleague of the team joins one in ten.
        self.cursor.execute(
            """
            INSERT INTO clients_contactworker (contact_id, worker_id)
            SELECT id, recorded_by_id FROM clients_contact WHERE id >= %(first)s
            UNION ALL
            SELECT c.id, pair.partner
            FROM clients_contact c
            JOIN unnest(%(workers)s::bigint[], %(partners)s::bigint[]) AS pair (worker, partner)
              ON pair.worker = c.recorded_by_id
            WHERE c.id >= %(first)s AND c.id %% 10 = 0
            """,
            {"first": first, **self._partners()},
        )
        advanced.seek(0)
        self.cursor.copy_expert(
            "COPY caseplans_contactadvanced (contact_id, goal_lineage) FROM STDIN", advanced
        )
        self.say(
            f"{sizes.contacts:,} contacts over {sizes.years} years, {advanced_rows:,} of them "
            "advancing a goal."
        )

    def _partners(self) -> dict[str, list[int]]:
        workers, partners = [], []
        for team_workers in self.workers_of_team.values():
            for n, worker in enumerate(team_workers if len(team_workers) > 1 else []):
                workers.append(worker)
                partners.append(team_workers[(n + 1) % len(team_workers)])
        return {"workers": workers, "partners": partners}

    # --- The register ---------------------------------------------------------------------------

    def _register(self) -> None:
        """Young people listed from the start of their episode until its end (or today), with a
        review each fortnight; listed young people are taken in random order until their reviews
        reach the number asked for. One in twelve open listings has its review overdue."""
        rnd = self.random
        order = list(self.episodes)
        rnd.shuffle(order)
        listed, reviews = [], 0
        for episode in order:
            if reviews >= self.sizes.register_reviews:
                break
            listed.append(episode)
            reviews += max(1, (episode.last_day - episode.starts).days // 14)
        first = self._reserve("register_registerentry", len(listed))
        risks = Referral.Risk.values

        def entries() -> Iterator[tuple]:
            for n, episode in enumerate(listed):
                yield (
                    first + n,
                    episode.pk,
                    episode.division,
                    episode.starts,
                    _array(rnd.sample(risks, 3)),
                    "Missing from placement; known to police.",
                    "removed" if episode.ends else "active",
                    self.coordinator_of_division[episode.division],
                    episode.ends,
                    "ICMS closed." if episode.ends else "",
                    self.coordinator_of_division[episode.division] if episode.ends else None,
                    self._moment(episode.starts, 12),
                )

        self._copy(
            "register_registerentry",
            "id young_person_id division_id listed_on risk_factors risk_details status "
            "listed_by_id removed_on removal_reason removed_by_id recorded_at",
            entries(),
        )

        def review_rows() -> Iterator[tuple]:
            for n, episode in enumerate(listed):
                due = episode.starts + timedelta(days=14)
                held_until = episode.last_day
                if episode.ends is None and rnd.random() < 1 / 12:
                    held_until -= timedelta(days=rnd.randint(15, 40))
                while due <= held_until:
                    yield self._review(first + n, episode, due, reviewed=True)
                    due += timedelta(days=14)
                if episode.ends is None:
                    yield self._review(first + n, episode, due, reviewed=False)

        self._copy(
            "register_registerreview",
            "entry_id due_on reviewed_on participants outcome notes reviewed_by_id created_at",
            review_rows(),
        )
        made = self._count("register_registerreview")
        self.say(f"{len(listed):,} young people on the register, {made:,} reviews.")

    def _review(self, entry: int, episode: Episode, due: date, *, reviewed: bool) -> tuple:
        held = due + timedelta(days=self.random.choice([0, 0, 0, 1, 2, 5]))
        return (
            entry,
            due,
            min(held, episode.last_day) if reviewed else None,
            _array(["child_protection", "icms", "placement"]) if reviewed else "{}",
            ("escalate" if self.random.random() < 0.05 else "remain") if reviewed else "",
            "Reviewed at the liaison meeting." if reviewed else "",
            self.coordinator_of_division[episode.division] if reviewed else None,
            self._moment(due - timedelta(days=14), 2),
        )

    # --- Outcome reviews and placement moves -------------------------------------------------

    def _outcomes(self) -> None:
        """An ICMS risk and domain review at the start of each episode and every eight weeks
        through it (an exit review closing an ended one), every item rated, risks falling and
        domains rising a little over time with noise; and 0 to 3 placement moves per young
        person. In SQL, set-based: the ratings alone are millions of rows."""
        self.cursor.execute(
            """
            INSERT INTO outcomes_review (young_person_id, instrument_id, occasion, reviewed_on,
                engagement, young_person_view, reviewed_by_id, recorded_at, entered_in_error_reason,
                client_reference)
            SELECT a.young_person_id, i.id,
                CASE WHEN n = 0 THEN 'intake' WHEN d = a.ended_on THEN 'exit' ELSE 'regular' END,
                d, (ARRAY['school', 'training', 'employed', 'none', 'none'])[1 + (a.young_person_id
                    + n) %% 5], '', a.worker_id, d + time '15:00', '', gen_random_uuid()
            FROM clients_allocation a
            JOIN clients_youngperson y ON y.id = a.young_person_id
            CROSS JOIN outcomes_instrument i
            CROSS JOIN LATERAL generate_series(0, 200) AS n
            CROSS JOIN LATERAL (SELECT LEAST(a.started_on + 56 * n,
                COALESCE(a.ended_on, %(today)s)) AS d) AS day
            WHERE a.role = 'primary' AND y.division_id = ANY(%(divisions)s)
              AND i.name = 'ICMS risk and domain review'
              AND a.started_on + 56 * (n - 1) < COALESCE(a.ended_on, %(today)s)
              AND (n = 0 OR d > a.started_on)
            """,
            {"today": self.today, "divisions": [division.pk for division in self.divisions]},
        )
        self.cursor.execute(
            """
            INSERT INTO outcomes_rating (review_id, item_id, value, reason, own_value, own_words)
            SELECT r.id, it.id,
                CASE WHEN s.higher_is_better
                    THEN LEAST(5, GREATEST(1, 2 + (r.reviewed_on - first.day) / 180
                        + (abs(hashint8(r.id * 31 + it.id)) %% 3) - 1))
                    ELSE LEAST(4, GREATEST(0, 3 - (r.reviewed_on - first.day) / 180
                        + (abs(hashint8(r.id * 17 + it.id)) %% 3) - 1))
                END,
                'As discussed.', NULL, ''
            FROM outcomes_review r
            JOIN outcomes_item it ON TRUE
            JOIN outcomes_scale s ON s.id = it.scale_id AND s.instrument_id = r.instrument_id
            JOIN LATERAL (SELECT min(reviewed_on) AS day FROM outcomes_review f
                WHERE f.young_person_id = r.young_person_id) AS first ON TRUE
            JOIN clients_youngperson y ON y.id = r.young_person_id
            WHERE y.division_id = ANY(%(divisions)s)
            """,
            {"divisions": [division.pk for division in self.divisions]},
        )
        self.cursor.execute(
            """
            INSERT INTO clients_childprotectiondecision (young_person_id, subject, before, after,
                decided_on, note, placement, placement_reason, placement_reason_details,
                recorded_by_id, recorded_at)
            SELECT a.young_person_id, 'placement', 'Residential care', 'Kinship care', day, '',
                'kinship', (ARRAY['planned', 'breakdown', 'safety', 'choice'])[1 + n %% 4], '',
                a.allocated_by_id, day + time '11:00'
            FROM clients_allocation a
            JOIN clients_youngperson y ON y.id = a.young_person_id
            CROSS JOIN LATERAL generate_series(1, a.young_person_id %% 4) AS n
            CROSS JOIN LATERAL (SELECT a.started_on + ((n * 97 + a.young_person_id) %% GREATEST(1,
                COALESCE(a.ended_on, %(today)s) - a.started_on))::int AS day) AS moved
            WHERE a.role = 'primary' AND y.division_id = ANY(%(divisions)s)
              AND a.allocated_by_id IS NOT NULL
            """,
            {"today": self.today, "divisions": [division.pk for division in self.divisions]},
        )
        self.say(
            f"{self._count('outcomes_review'):,} outcome reviews, "
            f"{self._count('outcomes_rating'):,} ratings, "
            f"{self._count('clients_childprotectiondecision'):,} placement changes."
        )

    # --- Loading -------------------------------------------------------------------------------

    # --- Documents -----------------------------------------------------------------------------

    def _documents(self) -> None:
        """Documents spread over the young people, dated in their episodes: orders and consents
        (those of open cases expiring over the coming months), reports, photos; one in fifty
        added in error, one in ten with a second version. None is restricted: a page showing a
        restricted one writes its read, and the benchmarks compare pages at two sizes. Every
        version names one tiny stored PDF: the rows are what the pages read."""
        rnd, count = self.random, self.sizes.documents
        stored = default_storage.save("documents/scale/sample", ContentFile(SAMPLE_PDF))
        first = self._reserve("documents_document", count)
        kinds = ["court_order", "consent", "consent", "report", "assessment", "photo", "other"]
        versions = []

        def rows() -> Iterator[tuple]:
            for n in range(count):
                episode = self.episodes[n % len(self.episodes)]
                kind = rnd.choice(kinds)
                dated = episode.starts + timedelta(
                    days=rnd.randint(0, (episode.last_day - episode.starts).days)
                )
                expires = None
                if kind in Document.EXPIRING_KINDS:
                    expires = dated + timedelta(days=rnd.randint(90, 730))
                added = min(self._moment(dated, rnd.randint(9, 16)), timezone.now())
                in_error = rnd.random() < 0.02
                versions.append((first + n, 1, added, episode.worker))
                if rnd.random() < 0.1:
                    versions.append((first + n, 2, added + timedelta(days=1), episode.worker))
                yield (
                    first + n, episode.pk, kind, f"{kind.replace('_', ' ').capitalize()} {n}",
                    dated, "Child protection", expires, episode.worker, added,
                    added if in_error else None, episode.worker if in_error else None,
                    "A duplicate." if in_error else "",
                    "",
                )  # fmt: skip

        self._copy(
            "documents_document",
            "id young_person_id kind title dated provided_by expires_on added_by_id added_at "
            "in_error_at in_error_by_id in_error_reason restricted_because",
            rows(),
        )
        self._copy(
            "documents_documentversion",
            "document_id number uploaded_at uploaded_by_id",
            versions,
            constants={
                "file": stored,
                "original_name": "document.pdf",
                "content_type": "application/pdf",
                "size": len(SAMPLE_PDF),
            },
        )
        self.say(f"{count:,} documents, {len(versions):,} versions.")

    def _moment(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), self.zone)

    def _reserve(self, table: str, count: int) -> int:
        """The first of `count` consecutive ids taken from the table's sequence."""
        self.cursor.execute(
            f"LOCK TABLE {table} IN EXCLUSIVE MODE; "
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
            "nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
            [table, table, max(count, 1)],
        )
        return self.cursor.fetchone()[0] - max(count, 1) + 1

    def _count(self, table: str) -> int:
        self.cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
        return self.cursor.fetchone()[0]

    def _copy(self, table: str, columns: str, rows: Iterable[tuple],
              constants: dict[str, object] | None = None) -> None:  # fmt: skip
        """COPY `rows` into `table` a chunk at a time; every row also gets `constants` (Django
        keeps its defaults in Python, not in the schema)."""
        constants = constants or {}
        names = [*columns.split(), *constants]
        tail = "".join(f"\t{_copy_value(value)}" for value in constants.values()) + "\n"
        copy = f"COPY {table} ({', '.join(names)}) FROM STDIN"
        buffer = io.StringIO()
        for written, row in enumerate(rows, start=1):
            buffer.write("\t".join(map(_copy_value, row)))
            buffer.write(tail)
            if written % CHUNK == 0:
                buffer.seek(0)
                self.cursor.copy_expert(copy, buffer)
                buffer = io.StringIO()
        buffer.seek(0)
        self.cursor.copy_expert(copy, buffer)


def _plan_on(plans: list[PlanPlan], day: date) -> PlanPlan | None:
    for plan in reversed(plans):
        if plan.starts <= day:
            return plan
    return None


def _copy_value(value: object) -> str:
    """One value in COPY's text format."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r")
        )  # fmt: skip
    return text


def _array(values: list[str]) -> str:
    return "{" + ",".join(values) + "}"


def _json(value: dict) -> str:
    return json.dumps(value)
