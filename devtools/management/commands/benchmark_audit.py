"""Benchmark the audit trail at scale: fill a scratch database with N rows spread over twelve
monthly partitions, then time "who has looked at this young person" and "what did this user
do" (first page and a deep page) as the app runs them. Prints a table of figures.

The real trail is append-only, so the rows go into a throwaway copy of the schema (Django's test
database machinery), dropped at the end.
"""

import statistics
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent
from audit.partitions import create_partition, next_month
from audit.queries import (
    page_of_events,
    page_of_folded_events,
)
from clients.models import YoungPerson
from clients.queries import recent_views_of
from devtools.benchmarking import benchmark_team, benchmark_young_people, scratch_database
from supervision.queries import young_people_named

YOUNG_PEOPLE = 10_000
WORKERS = 500
MONTHS = 12
SAMPLES = 50


class Command(BaseCommand):
    help = "Time the audit trail's main queries at scale in a scratch database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=20_000_000)
        parser.add_argument("--explain", action="store_true", help="print the plan of one query")

    def handle(self, *args: object, rows: int, explain: bool, **options: object) -> None:
        with scratch_database() as scratch:
            self.stdout.write(f"Scratch database {scratch}; filling {rows:,} audit rows...")
            self._fill(rows)
            self._report(rows)
            if explain:
                page = AuditEvent.objects.filter(actor_id=self.first_worker + 7)
                page = page.select_related("actor", "young_person")
                page = page.order_by("-occurred_at", "-id")
                self.stdout.write(page[:51].explain(analyze=True))

    def _people(self) -> tuple[int, int]:
        """The workers and young people the rows refer to (the pages join them); returns the
        first id of each, the rest following on."""
        _, team, workers = benchmark_team(WORKERS)
        young_people = benchmark_young_people(YOUNG_PEOPLE, team)
        return workers[0].pk, young_people[0].pk

    def _fill(self, rows: int) -> None:
        self.first_worker, self.first_young_person = self._people()
        first = date(timezone.now().year - 1, timezone.now().month, 1)
        month = first
        for _ in range(MONTHS + 1):
            create_partition(month)
            month = next_month(month)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            # Set-based: one INSERT ... SELECT per million rows. Rows spread evenly over twelve
            # months; 90% are views of a young person's record, the rest logins and changes.
            for offset in range(0, rows, 1_000_000):
                batch = min(1_000_000, rows - offset)
                cursor.execute(
                    """
                    INSERT INTO audit_event (occurred_at, actor_id, actor_username, action,
                        object_type, object_id, young_person_id, ip_address, path)
                    SELECT %(first)s::timestamptz
                               + (n::float8 / %(rows)s) * (interval '1 month' * %(months)s),
                           %(first_worker)s + n %% %(workers)s,
                           'worker' || (n %% %(workers)s),
                           CASE WHEN n %% 10 = 0 THEN 'login' WHEN n %% 10 = 1 THEN 'change'
                                ELSE 'view' END,
                           CASE WHEN n %% 10 = 0 THEN '' ELSE 'clients.youngperson' END,
                           (%(first_young_person)s + (n * 7919) %% %(young_people)s)::text,
                           CASE WHEN n %% 10 = 0 THEN NULL
                                ELSE %(first_young_person)s + (n * 7919) %% %(young_people)s END,
                           '10.0.0.1'::inet,
                           '/young-people/'
                    FROM generate_series(%(start)s::bigint, %(stop)s::bigint) AS n
                    """,
                    {
                        "first": first.isoformat(),
                        "rows": rows,
                        "months": MONTHS,
                        "workers": WORKERS,
                        "young_people": YOUNG_PEOPLE,
                        "first_worker": self.first_worker,
                        "first_young_person": self.first_young_person,
                        "start": offset,
                        "stop": offset + batch - 1,
                    },
                )
                self.stdout.write(f"  {offset + batch:,} rows", ending="\r")
                self.stdout.flush()
            cursor.execute("ANALYZE audit_event")
        elapsed = time.perf_counter() - started
        self.stdout.write(f"\nFilled in {elapsed:.0f} s ({rows / elapsed:,.0f} rows/s).")

    def _time(self, query: object) -> tuple[float, float]:
        durations = []
        for sample in range(SAMPLES):
            started = time.perf_counter()
            query(sample)
            durations.append((time.perf_counter() - started) * 1000)
        durations.sort()
        return statistics.median(durations), durations[int(len(durations) * 0.95) - 1]

    def _report(self, rows: int) -> None:
        actors = [self.first_worker + (sample * 13) % WORKERS for sample in range(SAMPLES)]
        young_people = [
            self.first_young_person + (sample * 37) % YOUNG_PEOPLE for sample in range(SAMPLES)
        ]
        # The key half-way back through each actor's history, found before timing starts.
        middles = {}
        for actor in set(actors):
            middle = AuditEvent.objects.filter(actor_id=actor).order_by("-occurred_at", "-id")[
                rows // WORKERS // 2
            ]
            middles[actor] = (middle.occurred_at.isoformat(), middle.id)

        def who_looked(sample: int) -> None:
            recent_views_of(YoungPerson(pk=young_people[sample]))

        def young_person_trail(sample: int) -> None:
            events = AuditEvent.objects.filter(young_person_id=young_people[sample])
            page_of_events(events, before=None, size=50)

        def young_person_trail_folded(sample: int) -> None:
            events = AuditEvent.objects.filter(young_person_id=young_people[sample])
            page_of_folded_events(events, before=None, size=50)

        def who_looked_by_name(sample: int) -> None:
            # "Young123" names eleven young people: Young123, Young1230 ... Young1239.
            named = young_people_named(
                f"Young{young_people[sample] - self.first_young_person}",
                among=YoungPerson.objects.all(),
            )
            events = AuditEvent.objects.filter(young_person_id__in=named)
            page_of_folded_events(events, before=None, size=50)

        def what_did_user_do(sample: int) -> None:
            page_of_events(AuditEvent.objects.filter(actor_id=actors[sample]), before=None, size=50)

        def deep_page_of_user(sample: int) -> None:
            actor = actors[sample]
            page_of_events(
                AuditEvent.objects.filter(actor_id=actor), before=middles[actor], size=50
            )

        self.stdout.write(f"\nAudit trail, {rows:,} rows, {SAMPLES} samples each (ms):")
        self.stdout.write(f"{'query':<52}{'median':>8}{'p95':>8}")
        for label, query in [
            ("who has looked at this young person (last 10)", who_looked),
            ("trail of one young person (first page of 50)", young_person_trail),
            ("the same, reads folded (first page of 50 lines)", young_person_trail_folded),
            ("who looked at them, by name (first page, folded)", who_looked_by_name),
            ("what did this user do (first page of 50)", what_did_user_do),
            ("what did this user do (a page half-way back)", deep_page_of_user),
        ]:
            median, p95 = self._time(query)
            self.stdout.write(f"{label:<52}{median:>8.1f}{p95:>8.1f}")
