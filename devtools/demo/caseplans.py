"""The demo agency's case plans: one young person on a second version after a review, one
whose review is overdue, one plan waiting for the supervisor, an exit plan for the young woman
leaving the service. Liam Brown has none yet, for a demo user to make. Every name is invented."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.models import User
from caseplans.models import (
    CasePlan,
    ContactAdvanced,
    ExitPlan,
    Goal,
    GoalNote,
    PlanReview,
    Task,
)
from clients.models import YoungPerson

Status = CasePlan.Status
Who = Task.Responsible
Done = Task.Status


@dataclass
class DemoTask:
    description: str
    responsible: str
    due_in_days: int
    status: str = Done.NOT_STARTED
    agency: str = ""


@dataclass
class DemoGoal:
    domain: str
    in_own_words: str
    strengths: str
    status: str
    tasks: list[DemoTask] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


HOUSING = DemoGoal(
    "housing",
    "I want to stay at Nan's and not get moved again.",
    "Jay and his nan get on well; he does her shopping every week.",
    Goal.Status.IN_PROGRESS,
    [
        DemoTask("Ask child protection to confirm the kinship placement for the long term",
                 Who.CHILD_PROTECTION, 14, Done.IN_PROGRESS),
        DemoTask("Set up the back room as Jay's own room", Who.KEY_PERSON, 21),
        DemoTask("Apply for the kinship carer allowance top-up", Who.CASE_MANAGER, -5,
                 Done.IN_PROGRESS),
    ],
    ["Nan says things are calmer at home since the room plan was agreed."],
)  # fmt: skip
SCHOOL = DemoGoal(
    "education",
    "Get back into learning, maybe a TAFE course for cars.",
    "Good with his hands; gets on with the mechanic at the youth centre.",
    Goal.Status.IN_PROGRESS,
    [
        DemoTask("Meet the re-engagement officer at the flexible learning centre",
                 Who.CASE_MANAGER, -7, Done.DONE),
        DemoTask("Go to two taster days of the automotive course", Who.YOUNG_PERSON, 30),
    ],
)  # fmt: skip
SLEEP = DemoGoal(
    "aod",
    "Cut down on weed so I sleep better.",
    "Noticed himself that he feels better on the days he doesn't smoke.",
    Goal.Status.NOT_STARTED,
    [DemoTask("First appointment with the youth drug and alcohol service", Who.AGENCY, 10,
              agency="Northside Youth AOD Service")],
)  # fmt: skip

# family name: (status, days since the plan started, days to the review (past: overdue), goals,
# cultural plan, Aboriginal community-controlled organisation)
PLANS = {
    "Thompson": (
        Status.CURRENT, 60, -5,
        [
            DemoGoal("mental_health", "Feel less stressed and sleep through the night.",
                     "Talks openly with her aunty; likes drawing.", Goal.Status.IN_PROGRESS,
                     [DemoTask("See the GP about a mental health care plan", Who.YOUNG_PERSON,
                               -40, Done.DONE),
                      DemoTask("Start with the youth mental health service",
                               Who.AGENCY, -10, Done.IN_PROGRESS,
                               agency="Headspace North (invented)")]),
            DemoGoal("culture", "Know more about my mob and where Mum's family is from.",
                     "Proud of her family; Aunty Grace is keen to help.",
                     Goal.Status.IN_PROGRESS,
                     [DemoTask("Yarn with Aunty Grace about family history", Who.KEY_PERSON,
                               20)]),
        ],
        "Yarning with Aunty Grace about family and Country; NAIDOC week events with the "
        "local Aboriginal health service; a return-to-Country visit planned with family.",
        "Winda Aboriginal Health Service (invented)",
    ),
    "Martin": (
        Status.SUBMITTED, 3, 84,
        [
            DemoGoal("education", "Finish Year 10.", "Has kept going to school most days.",
                     Goal.Status.IN_PROGRESS,
                     [DemoTask("Meet the year level coordinator about catching up",
                               Who.CASE_MANAGER, 7),
                      DemoTask("Homework club twice a week", Who.YOUNG_PERSON, 28)]),
        ],
        "Noah wants to join the Torres Strait Islander dance group his cousin is in.",
        "Island Connections Youth Program (invented)",
    ),
    "Wilson": (
        Status.CURRENT, 60, 24,
        [
            DemoGoal("living_skills", "Be ready to live on my own.",
                     "Cooks for her housemates; keeps her room tidy.", Goal.Status.IN_PROGRESS,
                     [DemoTask("Open a bank account", Who.YOUNG_PERSON, -20, Done.DONE),
                      DemoTask("Budget for the first month in the flat", Who.CASE_MANAGER,
                               7)]),
        ],
        "", "",
    ),
}  # fmt: skip


def _at(day: date, hour: int = 11) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _add_goals(
    plan: CasePlan, goals: list[DemoGoal], *, by: User, key_person, same_as: list[Goal] = ()
) -> list[Goal]:
    """The goals, with their tasks and notes; the first ones the same goals as `same_as` (of
    the version before)."""
    made = []
    for position, demo in enumerate(goals):
        earlier = {"lineage": same_as[position].lineage} if position < len(same_as) else {}
        goal = Goal.objects.create(
            **earlier,
            plan=plan,
            position=position,
            domain=demo.domain,
            in_own_words=demo.in_own_words,
            strengths=demo.strengths,
            status=demo.status,
        )
        for index, task in enumerate(demo.tasks):
            due_on = timezone.localdate() + timedelta(days=task.due_in_days)
            Task.objects.create(
                goal=goal,
                position=index,
                description=task.description,
                responsible=task.responsible,
                key_person=key_person if task.responsible == Who.KEY_PERSON else None,
                agency=task.agency,
                due_on=max(due_on, plan.starts_on),
                status=task.status,
                completed_on=min(due_on, timezone.localdate())
                if task.status == Done.DONE
                else None,
            )
        for note in demo.notes:
            GoalNote.objects.create(
                lineage=goal.lineage, text=note, written_by=by, written_at=timezone.now()
            )
        made.append(goal)
    return made


def _plan(young_person: YoungPerson, *, number: int, status: str, started: int, review: int,
          by: User, supervisor: User, **fields) -> CasePlan:  # fmt: skip
    today = timezone.localdate()
    starts_on = today - timedelta(days=started)
    agreed = starts_on if status != Status.DRAFT else None
    return CasePlan.objects.create(
        young_person=young_person,
        number=number,
        status=status,
        starts_on=starts_on,
        review_on=today + timedelta(days=review),
        participants=["young_person", "family", "child_protection"],
        participation_notes="Made with the young person and their family at home; child "
        "protection joined by phone.",
        young_persons_view="It's mine; I picked the goals. Some of it will be hard.",
        agreed_on=agreed,
        created_by=by,
        created_at=_at(starts_on, 10),
        submitted_at=_at(starts_on, 15) if status != Status.DRAFT else None,
        approved_by=supervisor if status in {Status.CURRENT, Status.SUPERSEDED} else None,
        approved_at=_at(starts_on + timedelta(days=1))
        if status in {Status.CURRENT, Status.SUPERSEDED}
        else None,
        **fields,
    )


def seed_demo_plans(young_people: dict[str, YoungPerson]) -> int:
    """Case plans for some of the demo young people (by family name); how many were made."""
    made = 0
    jayden = young_people["Smith"]
    worker, supervisor = jayden.primary_case_manager, jayden.team.supervisor
    nan = jayden.key_people.first()
    first = _plan(jayden, number=1, status=Status.SUPERSEDED, started=56, review=-14,
                  by=worker, supervisor=supervisor, superseded_at=_at(
                      timezone.localdate() - timedelta(days=13)))  # fmt: skip
    housing, school = _add_goals(
        first,
        [
            DemoGoal(HOUSING.domain, HOUSING.in_own_words, HOUSING.strengths,
                     Goal.Status.NOT_STARTED,
                     [DemoTask("Meet Nan and child protection about the placement",
                               Who.CASE_MANAGER, -40, Done.DONE)]),
            DemoGoal(SCHOOL.domain, "Go back to school.", SCHOOL.strengths,
                     Goal.Status.NOT_STARTED),
        ],
        by=worker, key_person=nan,
    )  # fmt: skip
    second = _plan(jayden, number=2, status=Status.CURRENT, started=14, review=70,
                   by=worker, supervisor=supervisor)  # fmt: skip
    goals = _add_goals(
        second, [HOUSING, SCHOOL, SLEEP], by=worker, key_person=nan, same_as=[housing, school]
    )
    PlanReview.objects.create(
        reviewed_plan=first,
        next_plan=second,
        reviewed_on=second.starts_on,
        summary="Jay has settled at Nan's; school is the next step. He raised the weed himself.",
        reviewed_by=worker,
    )
    for contact in jayden.contacts.order_by("-started_at")[:2]:
        ContactAdvanced.objects.create(
            contact=contact,
            goal_lineage=housing.lineage,
            task=goals[0].tasks.get(position=0),
        )
    made += 2

    for family, (status, started, review, demo_goals, culture, organisation) in PLANS.items():
        young_person = young_people[family]
        worker = young_person.primary_case_manager
        plan = _plan(young_person, number=1, status=status, started=started, review=review,
                     by=worker, supervisor=young_person.team.supervisor,
                     cultural_plan=culture, cultural_organisation=organisation)  # fmt: skip
        _add_goals(plan, demo_goals, by=worker, key_person=young_person.key_people.first())
        made += 1

    chloe = young_people["Wilson"]
    ExitPlan.objects.create(
        young_person=chloe,
        exit_on=timezone.localdate() + timedelta(days=28),
        accommodation="Lead tenant flat through the youth housing program, signed for a year.",
        supports="Youth mental health service; TAFE student support officer.",
        supportive_adults="Her former carer, Lena; her TAFE teacher.",
        post_statutory_support="Leaving care support worker allocated from her 18th birthday.",
        post_statutory_referrer="Casey, by the end of the month",
        accommodation_in_place=True,
        supports_in_place=True,
        supportive_adults_in_place=True,
        updated_by=chloe.primary_case_manager,
    )
    return made
