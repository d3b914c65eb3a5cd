from datetime import date, timedelta

import pytest
from django.db.models import Value
from django.db.models.functions import Greatest

from clients.models import Allocation, YoungPerson
from exits.models import Closure, Destination, ExitReason


def close_file(young_person: YoungPerson, *, on: date, by, **closure: object) -> Closure:
    """The young person's episode closed on `on`, as exits records a closing: the closed status,
    the workers' allocations ended, and its Closure."""
    current = Allocation.objects.filter(young_person=young_person, ended_on__isnull=True)
    current.update(ended_on=Greatest("started_on", Value(on)))
    YoungPerson.objects.filter(pk=young_person.pk).update(
        status=YoungPerson.Status.CLOSED, primary_case_manager=None
    )
    young_person.refresh_from_db()
    return Closure.objects.create(
        young_person=young_person,
        began_on=on - timedelta(days=400),
        closed_on=on,
        closed_by=by,
        reason=ExitReason.GOALS_ACHIEVED,
        destination=Destination.KINSHIP,
        **closure,
    )


@pytest.fixture
def supervisor_client(client, log_in, supervisor):
    log_in(supervisor)
    return client
