"""Where a page's time goes: a sampling profiler that, every half millisecond of wall-clock
time, looks at what the request is doing and counts it under one of a few headings. Wall-clock,
so that waiting for PostgreSQL or Redis counts too; each sample goes to the innermost frame
that names a heading, so the headings do not overlap and add up to the whole."""

import signal
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

INTERVAL = 0.0005  # seconds

HEADINGS = [
    "database and Redis",
    "compiling SQL",
    "building querysets",
    "rows to objects",
    "templates and forms",
    "access policy",
    "the rest",
]
COMPILING = {"as_sql", "compile", "get_select", "pre_sql_setup", "setup_query", "get_order_by",
             "get_group_by", "get_from_clause", "get_default_columns", "get_related_selections",
             "sql_with_params"}  # fmt: skip
FROM_ROWS = {"from_db", "__init__", "results_iter", "apply_converters", "prefetch_related_objects",
             "prefetch_one_level", "get_prefetch_querysets", "populate"}  # fmt: skip


def heading_of(frame: FrameType | None) -> str:
    """The heading of the innermost frame of `frame`'s stack that names one."""
    while frame is not None:
        path, name = frame.f_code.co_filename, frame.f_code.co_name
        if "psycopg2" in path or "/django/db/backends/" in path or "/icms/database/" in path:
            return "database and Redis"
        if "/redis/" in path or "/django/core/cache/" in path:
            return "database and Redis"
        if "/django/db/models/" in path:
            if name in COMPILING:
                return "compiling SQL"
            if name in FROM_ROWS or ("/query.py" in path and name == "__iter__"):
                return "rows to objects"
            return "building querysets"
        if (
            "/django/template/" in path
            or "/templatetags/" in path
            or "/crispy_forms/" in path
            or "/django/forms/" in path
        ):
            return "templates and forms"
        if path.endswith("rules.py") or "/rules/" in path:
            return "access policy"
        frame = frame.f_back
    return "the rest"


def _orm_heading(frame: FrameType) -> str:
    """Of the ORM's frames around `frame` (innermost first), the first that says what they do:
    compiling SQL, making objects of rows, or else putting a queryset together."""
    while frame is not None and "/django/db/models/" in frame.f_code.co_filename:
        name = frame.f_code.co_name
        if name in COMPILING:
            return "compiling SQL"
        iterating = name == "__iter__" and frame.f_code.co_filename.endswith("query.py")
        if name in FROM_ROWS or iterating:
            return "rows to objects"
        frame = frame.f_back
    return "building querysets"


@contextmanager
def sampling(counts: Counter) -> Iterator[None]:
    """Count, under `counts[heading]`, a sample of the main thread every INTERVAL."""

    def sample(signum: int, frame: FrameType | None) -> None:
        counts[heading_of(frame)] += 1

    previous: Callable | int | None = signal.signal(signal.SIGALRM, sample)
    signal.setitimer(signal.ITIMER_REAL, INTERVAL, INTERVAL)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous or signal.SIG_DFL)


def shares(counts: Counter) -> dict[str, float]:
    """Each heading's share of the samples, in per cent."""
    total = sum(counts.values()) or 1
    return {heading: 100 * counts[heading] / total for heading in HEADINGS}
