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
from caseplans.models import CasePlan
from clients.models import Allocation
from devtools.benchmarking import (
    benchmark_team,
    benchmark_young_people,
    big_plan,
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
        return worker, big_plan(worker, young_person, goals, tasks, contacts)

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
