from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from clients.queries import local_midnight
from visits.models import VisitPlan


def with_overdue(plans: QuerySet[VisitPlan]) -> QuerySet[VisitPlan]:
    """Annotate each plan with whether it is open past the time the worker gave."""
    return plans.annotate(
        is_overdue=ExpressionWrapper(
            Q(checked_in_at__isnull=True, back_by__lt=timezone.now()), output_field=BooleanField()
        )
    )


def visits_of_today(plans: QuerySet[VisitPlan]) -> QuerySet[VisitPlan]:
    """The open plans, the earliest time back first (so the overdue ones lead), then those
    checked in today, the latest first."""
    today = local_midnight(timezone.localdate())
    return (
        with_overdue(plans.filter(Q(checked_in_at__isnull=True) | Q(checked_in_at__gte=today)))
        .select_related("worker", "checked_in_by")
        .order_by(F("checked_in_at").desc(nulls_first=True), "back_by")
    )


def overdue_visits(plans: QuerySet[VisitPlan]) -> QuerySet[VisitPlan]:
    """The open plans past the time the worker gave, the longest overdue first."""
    return (
        plans.filter(checked_in_at__isnull=True, back_by__lt=timezone.now())
        .select_related("worker")
        .order_by("back_by")
    )
