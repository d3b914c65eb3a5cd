"""Load a statewide agency's worth of realistic records for benchmarks (see devtools/scale.py)."""

import resource
import time

from django.core.management.base import BaseCommand, CommandParser

from devtools import scale


class Command(BaseCommand):
    help = (
        "Load realistic, reproducible records at statewide scale (five divisions of case managers, "
        "young people over five years, their plans, tasks, contacts, referrals and register "
        "reviews). Does nothing when they are already loaded."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = scale.Sizes()
        parser.add_argument("--young-people", type=int, default=defaults.young_people)
        parser.add_argument("--workers", type=int, default=defaults.workers)
        parser.add_argument("--contacts", type=int, default=defaults.contacts)
        parser.add_argument("--tasks", type=int, default=defaults.tasks)
        parser.add_argument("--register-reviews", type=int, default=defaults.register_reviews)
        parser.add_argument("--documents", type=int, default=defaults.documents)
        parser.add_argument("--years", type=int, default=defaults.years)
        parser.add_argument("--seed", type=int, default=defaults.seed)

    def handle(self, *args: object, **options: int) -> None:
        if scale.seeded():
            self.stdout.write("The scale records are already loaded:")
            self._write_counts()
            return
        sizes = scale.Sizes(
            young_people=options["young_people"],
            workers=options["workers"],
            contacts=options["contacts"],
            tasks=options["tasks"],
            register_reviews=options["register_reviews"],
            documents=options["documents"],
            years=options["years"],
            seed=options["seed"],
        )
        started = time.perf_counter()
        scale.seed(sizes, say=self.stdout.write)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(
            f"Loaded in {time.perf_counter() - started:.0f} s; peak memory {peak:.0f} MB. "
            f"Log in as scale.cm001 (case manager), scale.sup01 (supervisor), scale.reg1 "
            f"(register coordinator), scale.cp001 (child protection) or scale.admin, with the "
            f"demo's password and the authenticator secret {scale.TOTP_SECRET}."
        )
        self._write_counts()

    def _write_counts(self) -> None:
        for name, count in scale.counts().items():
            self.stdout.write(f"  {name}: {count:,}")
