from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import CasePlanFactory


@pytest.fixture
def current_plan(own_young_person, case_manager, supervisor):
    """The case manager's young person's plan, approved by the supervisor, half way through."""
    return CasePlanFactory(
        young_person=own_young_person,
        created_by=case_manager,
        number=1,
        status="current",
        starts_on=timezone.localdate() - timedelta(weeks=4),
        review_on=timezone.localdate() + timedelta(weeks=8),
        submitted_at=timezone.now(),
        approved_by=supervisor,
        approved_at=timezone.now(),
    )
