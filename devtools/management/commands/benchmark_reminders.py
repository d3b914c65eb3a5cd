"""Benchmark the daily jobs at statewide scale: 10,000 listed young people with active register
entries and 1,000,000 contacts; time the register review job (first run, which makes every
review, and a repeat, which makes none), its reminders, and the contact-reminder scan. Prints
a table of figures.

Everything is made in a throwaway copy of the schema (Django's test database machinery),
dropped at the end.
"""

import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.utils import timezone

from clients.models import IntensityLevel
from clients.services import remind_of_overdue_contacts
from devtools.benchmarking import benchmark_team, benchmark_young_people, scratch_database
from notifications.models import Notification
from register.models import RegisterEntry
from register.services import remind_of_reviews, schedule_reviews

WORKERS = 500


class Command(BaseCommand):
    help = "Time the register review job and the contact-reminder scan in a scratch database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--young-people", type=int, default=10_000)
        parser.add_argument("--contacts", type=int, default=1_000_000)

    def handle(self, *args: object, young_people: int, contacts: int, **options: object) -> None:
        with scratch_database() as scratch:
            self.stdout.write(
                f"Scratch database {scratch}: {young_people:,} listed young people, "
                f"{contacts:,} contacts..."
            )
            started = time.perf_counter()
            self._fill(young_people, contacts)
            self.stdout.write(f"Filled in {time.perf_counter() - started:.0f} s.")
            self._report()

    def _fill(self, count: int, contacts: int) -> None:
        today = timezone.localdate()
        division, team, workers = benchmark_team(WORKERS)
        levels = list(IntensityLevel.objects.all())
        young_people = benchmark_young_people(
            count,
            team,
            lambda n: {
                "intensity": levels[n % len(levels)],
                "primary_case_manager": workers[n % WORKERS],
            },
        )
        # Listed over the last eight weeks: some reviews fall due today or are overdue.
        RegisterEntry.objects.bulk_create(
            (
                RegisterEntry(
                    young_person=young_person,
                    division=division,
                    listed_on=today - timedelta(days=n % 56),
                    listed_by=workers[0],
                )
                for n, young_person in enumerate(young_people)
            ),
            batch_size=2000,
        )
        first = young_people[0].pk
        with connection.cursor() as cursor:
            # Loading only: no history rows or per-row foreign-key checks for a million
            # generated contacts (the jobs timed below run with everything on).
            cursor.execute("SET session_replication_role = replica")
            # Set-based: contacts spread over the last 90 days, one in ten not reaching them.
            cursor.execute(
                """
                INSERT INTO clients_contact (young_person_id, started_at, duration_minutes,
                    mode, location, kind, reached_young_person, participants, notes,
                    follow_up, after_hours, recorded_by_id, recorded_at, client_reference,
                    entered_in_error_reason, version)
                SELECT %(first)s + (n * 7919) %% %(count)s,
                       now() - (n::float8 / %(contacts)s) * interval '90 days',
                       30, 'phone', '', 'outreach', n %% 10 <> 0, '{}', 'A contact.', '',
                       false, %(worker)s, now(), gen_random_uuid(), '', 1
                FROM generate_series(1::bigint, %(contacts)s::bigint) AS n
                """,
                {"first": first, "count": count, "contacts": contacts, "worker": workers[0].pk},
            )
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("ANALYZE")

    def _timed(self, what: str, job: object) -> None:
        started = time.perf_counter()
        result = job()
        elapsed = time.perf_counter() - started
        self.stdout.write(f"{what:<52} {elapsed:>7.2f} s   {result:>7,}")

    def _report(self) -> None:
        today = timezone.localdate()
        self.stdout.write(f"{'job':<52} {'time':>9}   {'made':>7}")
        self._timed("register reviews: first run (every review made)", schedule_reviews)
        self._timed("register reviews: run again (none to make)", schedule_reviews)
        self._timed("register reviews: reminders of those due", lambda: remind_of_reviews(today))
        self._timed(
            "register reviews: reminders again (none new)", lambda: remind_of_reviews(today)
        )
        self._timed(
            "contact reminders: the scan and its reminders",
            lambda: remind_of_overdue_contacts(today),
        )
        self._timed(
            "contact reminders: again (none new)", lambda: remind_of_overdue_contacts(today)
        )
        self.stdout.write(f"Notifications made in all: {Notification.objects.count():,}")
