"""Benchmark a big case plan: a young person with many goals, tasks, progress notes and
contacts that advanced the goals; time the plan's page, its printable page and its PDF as a
worker gets them (middleware, access policy, audit included). Prints a table of figures.

Everything is made in a throwaway copy of the schema (Django's test database machinery),
dropped at the end.
"""

from datetime import timedelta

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from caseplans.models import CasePlan, ContactAdvanced, Goal, GoalNote, Task
from clients.models import Allocation, Contact, LifeDomain
from devtools.benchmarking import (
    benchmark_team,
    benchmark_young_people,
    scratch_database,
    serving_pages,
    signed_in_client,
    time_page,
)


class Command(BaseCommand):
    help = "Time a big case plan's page, printable page and PDF in a scratch database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--goals", type=int, default=12)
        parser.add_argument("--tasks", type=int, default=8, help="tasks per goal")
        parser.add_argument("--contacts", type=int, default=300)
        parser.add_argument("--samples", type=int, default=20)

    def handle(self, *args: object, goals: int, tasks: int, contacts: int, samples: int,
               **options: object) -> None:  # fmt: skip
        with scratch_database(), serving_pages():
            worker, plan = self._plan(goals, tasks, contacts)
            self._report(worker, plan, goals, tasks, contacts, samples)

    def _plan(self, goals: int, tasks: int, contacts: int) -> tuple[User, CasePlan]:
        _, team, (worker,) = benchmark_team(1)
        worker.groups.add(Group.objects.get(name=Role.CASE_MANAGER))
        (young_person,) = benchmark_young_people(
            1, team, lambda n: {"primary_case_manager": worker}
        )
        today = timezone.localdate()
        Allocation.objects.create(
            young_person=young_person,
            worker=worker,
            role=Allocation.Role.PRIMARY,
            started_on=today - timedelta(days=100),
            allocated_by=worker,
        )
        plan = CasePlan.objects.create(
            young_person=young_person,
            number=1,
            status=CasePlan.Status.CURRENT,
            starts_on=today - timedelta(days=90),
            review_on=today + timedelta(days=30),
            participants=["young_person", "family"],
            agreed_on=today - timedelta(days=90),
            created_by=worker,
            approved_by=worker,
            approved_at=timezone.now(),
        )
        domains = LifeDomain.values
        made = Goal.objects.bulk_create(
            Goal(
                plan=plan,
                position=n,
                domain=domains[n % len(domains)],
                in_own_words=f"Goal number {n}, in the young person's own words, at some length.",
                strengths="Strengths it builds on, written out as a worker would.",
            )
            for n in range(goals)
        )
        Task.objects.bulk_create(
            Task(
                goal=goal,
                position=n,
                description=f"Task {n} of goal {goal.position}: something to be done, described.",
                responsible=Task.Responsible.CASE_MANAGER,
                due_on=today + timedelta(days=n),
            )
            for goal in made
            for n in range(tasks)
        )
        GoalNote.objects.bulk_create(
            GoalNote(lineage=goal.lineage, text="Progress, as noted.", written_by=worker)
            for goal in made
            for _ in range(5)
        )
        recorded = Contact.objects.bulk_create(
            Contact(
                young_person=young_person,
                started_at=timezone.now() - timedelta(hours=n + 1),
                duration_minutes=30,
                mode=Contact.Mode.PHONE,
                kind=Contact.Kind.OUTREACH,
                notes="A contact.",
                after_hours=False,
                recorded_by=worker,
                recorded_at=timezone.now(),
            )
            for n in range(contacts)
        )
        ContactAdvanced.objects.bulk_create(
            ContactAdvanced(contact=contact, goal_lineage=made[n % goals].lineage)
            for n, contact in enumerate(recorded)
        )
        return worker, plan

    def _report(self, worker: User, plan: CasePlan, goals: int, tasks: int, contacts: int,
                samples: int) -> None:  # fmt: skip
        client = signed_in_client(worker)
        self.stdout.write(
            f"One current plan: {goals} goals, {goals * tasks} tasks, {goals * 5} progress "
            f"notes, {contacts} contacts that advanced goals; {samples} samples each."
        )
        self.stdout.write(f"{'page':<20} {'median':>10} {'p95':>10} {'queries':>8} {'size':>10}")
        for name, url_name in [
            ("plan page", "caseplans:plan"),
            ("printable plan", "caseplans:print"),
            ("PDF", "caseplans:pdf"),
        ]:
            timing = time_page(client, reverse(url_name, args=[plan.pk]), samples)
            self.stdout.write(
                f"{name:<20} {timing.median_ms:>8.1f} ms {timing.p95_ms:>7.1f} ms "
                f"{timing.queries:>8} {timing.kilobytes:>7.0f} kB"
            )
