"""Time the pages people use most, in this process, at statewide scale (the `seed_scale`
records), with the production settings (DEBUG off, the whole middleware, signed in), beside the
floor and a bare Django request measured in the same run; print each page's median, p95, its
ratio to the bare request, its queries and size. See devtools/pagebench.py."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings
from django.utils import timezone

from devtools import breakdown, pagebench, scale


class Command(BaseCommand):
    help = "Time the main pages in-process on the seed_scale records, against the floor."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--samples", type=int, default=200)
        parser.add_argument("--pdf-samples", type=int, default=20)
        parser.add_argument(
            "--breakdown-samples", type=int, default=50, help="requests sampled per page"
        )
        parser.add_argument("--output", default="devtools/benchmarks/pages-last-run.json")

    def handle(self, *args: object, samples: int, pdf_samples: int, breakdown_samples: int,
               output: str, **options: object) -> None:  # fmt: skip
        if settings.DEBUG:
            raise CommandError("Run it with DEBUG off, as production runs: DEBUG=0.")
        if not scale.seeded():
            raise CommandError("Load the scale records first: python manage.py seed_scale")
        static_root = _collected_static_files()
        # The PDF's fonts are subset on every request: each says so at INFO.
        logging.getLogger("fontTools").setLevel(logging.WARNING)
        with override_settings(
            STATIC_ROOT=static_root,
            ROOT_URLCONF="devtools.bench_urls",
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        ):
            pages = pagebench.pages(samples, pdf_samples)
            self.stdout.write(
                f"{len(pages)} pages, {samples} rounds ({pdf_samples} of the PDF), in turn..."
            )
            pagebench.run(pages, breakdown_samples)
        figures = _figures(pages)
        self._print(figures)
        Path(output).write_text(json.dumps(figures, indent=2) + "\n")
        self.stdout.write(f"Figures written to {output}.")

    def _print(self, figures: dict) -> None:
        bare = figures["bare_django_median_ms"]
        self.stdout.write(
            f"\n{'page':<32}{'median':>8}{'p95':>8}{'x bare':>8}{'target':>10}"
            f"{'queries':>9}{'kB':>6}"
        )
        for page in figures["pages"]:
            met = {True: "ok", False: "MISSED", None: ""}[page["met"]]
            target = (
                f"{page['target_median_ms']:g}/{page['target_p95_ms']:g}"
                if page["met"] is not None
                else ""
            )
            self.stdout.write(
                f"{page['page']:<32}{page['median_ms']:>8.1f}{page['p95_ms']:>8.1f}"
                f"{page['ratio_to_bare']:>8.1f}{target:>10} {met:<7}{page['queries']:>3}"
                f"{page['kilobytes']:>6.0f}"
            )
        self.stdout.write(
            f"\nWhere the median goes, in ms (sampled every {breakdown.INTERVAL * 1000:g} ms of "
            "wall-clock time; each sample to the innermost part of the stack that names a "
            "heading):"
        )
        short = ["database", "SQL", "querysets", "objects", "templates", "policy", "rest"]
        self.stdout.write(f"{'page':<32}" + "".join(f"{name:>10}" for name in short))
        for page in figures["pages"]:
            shares = page["breakdown_per_cent"]
            self.stdout.write(
                f"{page['page']:<32}"
                + "".join(
                    f"{page['median_ms'] * shares[heading] / 100:>10.1f}"
                    for heading in breakdown.HEADINGS
                )
            )
        self.stdout.write(
            f"\nTimes in ms. Bare Django request {bare:.2f} ms, the floor "
            f"{figures['floor_median_ms']:.2f} ms ({figures['floor_ratio']:.1f} x bare; target "
            f"within 2x). Targets: median/p95; a page also within {pagebench.RATIO_TARGET}x "
            "the bare request, the big plan and its PDF within their own."
        )


def _figures(pages: list[pagebench.Page]) -> dict:
    bare, floor, *rest = pages
    rows = []
    for page in [bare, floor, *rest]:
        ratio = page.median_ms / bare.median_ms
        median_target, p95_target = page.target_ms()
        measured = page not in (bare, floor)
        own = page.name in pagebench.OWN_TARGETS_MS
        met = None
        if measured:
            met = page.median_ms <= median_target and page.p95_ms <= p95_target
            if not own:
                met = met and ratio <= pagebench.RATIO_TARGET
        rows.append(
            {
                "page": page.name,
                "url": page.url,
                "samples": len(page.timings),
                "median_ms": round(page.median_ms, 2),
                "p95_ms": round(page.p95_ms, 2),
                "ratio_to_bare": round(ratio, 1),
                "target_median_ms": median_target,
                "target_p95_ms": p95_target,
                "met": met,
                "queries": page.queries,
                "kilobytes": round(page.kilobytes, 1),
                "breakdown_per_cent": {
                    heading: round(share, 1) for heading, share in page.breakdown.items()
                },
            }
        )
    return {
        "when": timezone.now().isoformat(timespec="seconds"),
        "command": "python manage.py benchmark_pages",
        "records": scale.counts(),
        "bare_django_median_ms": round(bare.median_ms, 3),
        "floor_median_ms": round(floor.median_ms, 3),
        "floor_ratio": round(floor.median_ms / bare.median_ms, 2),
        "pages": rows,
    }


def _collected_static_files() -> str:
    """The static files collected as deployed (the manifest storage reads its manifest)."""
    root = str(settings.ICMS_DATA_DIR / "bench-static")
    manage = str(settings.BASE_DIR / "manage.py")
    subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, manage, "collectstatic", "--noinput", "-v0"],
        env=os.environ | {"STATIC_ROOT": root},
        check=True,
    )
    return root
