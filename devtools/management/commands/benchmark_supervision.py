"""Benchmark the supervisor's pages at statewide scale: 40 teams, 8,000 young people,
2,000,000 contacts over two years, 6,000 referrals and a year of register reviews; time the
caseload review, the team dashboard and the agency's reports (a year, every team) as the
supervisor of one team gets them. Prints a table of figures.

Everything is made in a throwaway copy of the schema (Django's test database machinery),
dropped at the end.
"""

import time

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import Division, Role, Team, User
from clients.models import IntensityLevel
from devtools.benchmarking import (
    scratch_database,
    serving_pages,
    signed_in_client,
    time_page,
)

TEAMS = 40
WORKERS_PER_TEAM = 10


class Command(BaseCommand):
    help = "Time the caseload review, dashboard and reports in a scratch database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--young-people", type=int, default=8_000)
        parser.add_argument("--contacts", type=int, default=2_000_000)
        parser.add_argument("--samples", type=int, default=20)

    def handle(self, *args: object, young_people: int, contacts: int, samples: int,
               **options: object) -> None:  # fmt: skip
        with scratch_database() as scratch, serving_pages():
            self.stdout.write(
                f"Scratch database {scratch}: {TEAMS} teams, {young_people:,} young people, "
                f"{contacts:,} contacts..."
            )
            started = time.perf_counter()
            supervisor, team = self._fill(young_people, contacts)
            self.stdout.write(f"Filled in {time.perf_counter() - started:.0f} s.")
            self._report(supervisor, team, samples)

    def _fill(self, young_people: int, contacts: int) -> tuple[User, Team]:
        division = Division.objects.create(name="Benchmark")
        supervisors = User.objects.bulk_create(
            User(username=f"supervisor{n}") for n in range(TEAMS)
        )
        Group.objects.get(name=Role.SUPERVISOR).user_set.add(*supervisors)
        teams = Team.objects.bulk_create(
            Team(name=f"Team {n}", division=division, supervisor=supervisors[n])
            for n in range(TEAMS)
        )
        workers = User.objects.bulk_create(
            User(username=f"worker{n}", team=teams[n % TEAMS])
            for n in range(TEAMS * WORKERS_PER_TEAM)
        )
        Group.objects.get(name=Role.CASE_MANAGER).user_set.add(*workers)
        levels = [level.pk for level in IntensityLevel.objects.all()]
        params = {
            "division": division.pk,
            "young_people": young_people,
            "contacts": contacts,
            "teams": TEAMS,
            "first_team": teams[0].pk,
            "first_worker": workers[0].pk,
            "workers": len(workers),
            "first_supervisor": supervisors[0].pk,
            "levels": levels,
        }
        with connection.cursor() as cursor:
            # Loading only: no history rows or per-row foreign-key checks (the pages timed
            # below run with everything on).
            cursor.execute("SET session_replication_role = replica")
            # Young person n is in team n % 40, with worker n % 400 of that team as primary;
            # one in ten is closed.
            cursor.execute(
                """
                INSERT INTO clients_youngperson (given_name, family_name, preferred_name,
                    date_of_birth, gender, gender_description, indigenous_status,
                    cultural_background, language, interpreter_needed, child_protection_number,
                    legal_order, placement, placement_details, permanency_objective,
                    information_sharing, information_sharing_notes, division_id, team_id,
                    status, intensity_id, primary_case_manager_id, created_at)
                SELECT 'Young' || n, 'Person', '', date '2010-01-01', 'not_stated', '',
                       'not_stated', '', '', false, 'CP-' || n, 'none', '', '', '', 'consented',
                       '', %(division)s, %(first_team)s + n %% %(teams)s,
                       CASE WHEN n %% 10 = 0 THEN 'closed' ELSE 'active' END,
                       (%(levels)s::bigint[])[1 + n %% 3],
                       CASE WHEN n %% 10 = 0 THEN NULL
                            ELSE %(first_worker)s + n %% %(workers)s END,
                       now() - interval '2 years'
                FROM generate_series(0, %(young_people)s - 1) AS n
                """,
                params,
            )
            cursor.execute(
                "SELECT min(id) FROM clients_youngperson WHERE division_id = %s", [division.pk]
            )
            params["first_young_person"] = cursor.fetchone()[0]
            # Contacts spread over two years, one in ten not reaching them, one in four after
            # hours; each made by the young person's worker.
            cursor.execute(
                """
                INSERT INTO clients_contact (young_person_id, started_at, duration_minutes,
                    mode, location, kind, reached_young_person, participants, notes,
                    follow_up, after_hours, recorded_by_id, recorded_at, client_reference,
                    entered_in_error_reason, version)
                SELECT %(first_young_person)s + (n * 7919) %% %(young_people)s,
                       now() - (n::float8 / %(contacts)s) * interval '730 days',
                       30, 'phone', '', 'outreach', n %% 10 <> 0, '{}', 'A contact.', '',
                       n %% 4 = 0, %(first_worker)s, now(), gen_random_uuid(), '', 1
                FROM generate_series(1::bigint, %(contacts)s::bigint) AS n
                """,
                params,
            )
            cursor.execute(
                """
                INSERT INTO clients_contactworker (contact_id, worker_id)
                SELECT c.id, coalesce(y.primary_case_manager_id, %(first_worker)s)
                FROM clients_contact c JOIN clients_youngperson y ON y.id = c.young_person_id
                """,
                params,
            )
            # 150 referrals a team over two years: accepted, declined or waiting.
            cursor.execute(
                """
                INSERT INTO referrals_referral (status, client_reference, given_name, family_name,
                    preferred_name, date_of_birth, gender, indigenous_status,
                    child_protection_number, legal_order, placement,
                    presenting_issues, risks, risk_details, tried_before,
                    permanency_objective, register_listed, urgency, consent, consent_notes,
                    cultural_background, language, interpreter_needed, referrer_phone,
                    decline_reason, decision_notes, created_at, submitted_at, decided_at,
                    referred_by_id, team_id, division_id)
                SELECT s.status, gen_random_uuid(), 'Referred' || n, 'Person', '',
                       date '2010-01-01', 'not_stated', 'not_stated', 'CP-R' || n, 'none', '',
                       '{}', '{}', '', 'Weekly visits.', 'not_decided', true, 'routine',
                       'consents', '', '', '', false, '', s.reason, '', at, at,
                       CASE WHEN s.status IN ('accepted', 'declined')
                            THEN at + interval '5 days' END,
                       %(first_supervisor)s, %(first_team)s + n %% %(teams)s, %(division)s
                FROM generate_series(1, %(teams)s * 150) AS n,
                     LATERAL (SELECT now() - (n::float8 / (%(teams)s * 150)) * interval '730 days'
                              AS at) AS t,
                     LATERAL (SELECT CASE n %% 4 WHEN 0 THEN 'declined' WHEN 3 THEN 'submitted'
                                     ELSE 'accepted' END AS status,
                                     CASE WHEN n %% 4 = 0 THEN 'capacity' ELSE '' END AS reason)
                             AS s
                """,
                params,
            )
            # Every open young person listed a year ago, with a review each fortnight since,
            # one in five late.
            cursor.execute(
                """
                INSERT INTO register_registerentry (young_person_id, division_id, listed_on,
                    risk_factors, risk_details, status, listed_by_id, removal_reason,
                    recorded_at)
                SELECT id, division_id, current_date - 365, '{}', '', 'active',
                       %(first_supervisor)s, '', now()
                FROM clients_youngperson WHERE division_id = %(division)s AND status = 'active'
                """,
                params,
            )
            cursor.execute(
                """
                INSERT INTO register_registerreview (entry_id, due_on, reviewed_on,
                    participants, outcome, notes, reviewed_by_id, created_at)
                SELECT e.id, e.listed_on + 14 * k,
                       e.listed_on + 14 * k + CASE WHEN (e.id + k) %% 5 = 0 THEN 3 ELSE 0 END,
                       '{}', 'remain', '', %(first_supervisor)s, now()
                FROM register_registerentry e, generate_series(1, 25) AS k
                WHERE e.division_id = %(division)s
                """,
                params,
            )
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("ANALYZE")
        return supervisors[0], teams[0]

    def _report(self, supervisor: User, team: Team, samples: int) -> None:
        client = signed_in_client(supervisor)
        today = timezone.localdate()
        year = f"?starts_on={today.replace(year=today.year - 1):%Y-%m-%d}&ends_on={today:%Y-%m-%d}"
        self.stdout.write(
            f"As the supervisor of one team ({team.members.count()} workers, "
            f"{team.young_people.count()} young people); {samples} samples each."
        )
        self.stdout.write(f"{'page':<34} {'median':>10} {'p95':>10} {'queries':>8} {'size':>8}")
        for name, url in [
            ("caseload review", reverse("supervision:review", args=[team.pk])),
            ("team dashboard (5 charts)", reverse("supervision:dashboard", args=[team.pk])),
            ("agency reports (a year, all teams)", reverse("supervision:reports") + year),
        ]:
            timing = time_page(client, url, samples)
            self.stdout.write(
                f"{name:<34} {timing.median_ms:>8.1f} ms {timing.p95_ms:>7.1f} ms "
                f"{timing.queries:>8} {timing.kilobytes:>5.0f} kB"
            )
