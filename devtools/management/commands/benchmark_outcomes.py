"""Benchmark the outcome report at statewide scale: the scale agency (devtools/scale.py, with
its outcome reviews every eight weeks of each episode and its placement moves) loaded into a
scratch database, then the report for a year of the whole agency and of one team, as a
supervisor gets it. Prints a table of figures. The scratch database is dropped at the end."""

import time

from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, Team, User
from devtools import scale
from devtools.benchmarking import scratch_database, serving_pages, signed_in_client, time_page


class Command(BaseCommand):
    help = "Time the outcome report over the scale agency in a scratch database."

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = scale.Sizes()
        parser.add_argument("--young-people", type=int, default=defaults.young_people)
        parser.add_argument("--contacts", type=int, default=100_000)
        parser.add_argument("--samples", type=int, default=10)

    def handle(self, *args: object, young_people: int, contacts: int, samples: int,
               **options: object) -> None:  # fmt: skip
        with scratch_database() as scratch, serving_pages():
            self.stdout.write(f"Scratch database {scratch}: loading the scale agency...")
            started = time.perf_counter()
            sizes = scale.Sizes(young_people=young_people, contacts=contacts)
            scale.seed(sizes, say=self.stdout.write)
            self.stdout.write(f"Loaded in {time.perf_counter() - started:.0f} s.")
            supervisor = User.objects.filter(groups__name=Role.SUPERVISOR, team__isnull=False)[0]
            client = signed_in_client(supervisor)
            today = timezone.localdate()
            year = {"starts_on": today.replace(year=today.year - 1), "ends_on": today}
            team = Team.objects.get(pk=supervisor.team_id)
            self.stdout.write(f"{'report':<32} {'median':>10} {'p95':>10} {'queries':>8}")
            for name, query in [
                ("a year, the whole agency", year),
                (f"a year, {team.name}", year | {"team": team.pk}),
            ]:
                url = (
                    reverse("outcomes:report")
                    + "?"
                    + "&".join(f"{key}={value}" for key, value in query.items())
                )
                timing = time_page(client, url, samples)
                self.stdout.write(
                    f"{name:<32} {timing.median_ms:>8.0f} ms {timing.p95_ms:>7.0f} ms "
                    f"{timing.queries:>8}"
                )
