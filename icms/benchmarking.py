"""What the benchmark commands share: a scratch database, and a division with a team."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

from django.db import connection

from accounts.models import Division, Team, User
from clients.models import YoungPerson


@contextmanager
def scratch_database() -> Iterator[str]:
    """A throwaway copy of the schema (Django's test database machinery), dropped at the end;
    yields its name."""
    original_name = connection.settings_dict["NAME"]
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield name
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0)


def benchmark_team(workers: int) -> tuple[Division, Team, list[User]]:
    """The "Benchmark" division and team, with `workers` workers (worker0, worker1, ...)."""
    division = Division.objects.create(name="Benchmark")
    team = Team.objects.create(name="Benchmark team", division=division)
    made = User.objects.bulk_create(
        User(username=f"worker{n}", team=team, email=f"worker{n}@icms.example")
        for n in range(workers)
    )
    return division, team, made


def benchmark_young_people(
    count: int, team: Team, extra: Callable[[int], dict] = lambda n: {}
) -> list[YoungPerson]:
    """`count` active young people of the team (Young0 Person, ...); `extra(n)` gives the n-th
    any further fields."""
    return YoungPerson.objects.bulk_create(
        (
            YoungPerson(
                given_name=f"Young{n}",
                family_name="Person",
                date_of_birth=date(2010, 1, 1),
                division=team.division,
                team=team,
                status=YoungPerson.Status.ACTIVE,
                **extra(n),
            )
            for n in range(count)
        ),
        batch_size=2000,
    )
