from datetime import timedelta

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from register.models import Escalation, RegisterEntry, RegisterReview


def with_next_review(entries: QuerySet[RegisterEntry], *, soon_days: int = 7) -> QuerySet:
    """Annotate each entry with its open review's due date, and whether it is overdue or due
    within `soon_days`."""
    today = timezone.localdate()
    open_review = RegisterReview.objects.filter(entry=OuterRef("pk"), reviewed_on__isnull=True)
    return entries.annotate(next_review_on=Subquery(open_review.values("due_on")[:1])).annotate(
        review_overdue=ExpressionWrapper(Q(next_review_on__lt=today), output_field=BooleanField()),
        review_soon=ExpressionWrapper(
            Q(next_review_on__gte=today, next_review_on__lte=today + timedelta(days=soon_days)),
            output_field=BooleanField(),
        ),
    )


def with_register_review(young_people: QuerySet) -> QuerySet:
    """Annotate each young person with their active register entry (None if not listed), its
    open review's due date, whether that review is overdue, and whether a review escalated
    them and nobody has recorded yet what was done (`escalated`)."""
    active = RegisterEntry.objects.filter(
        young_person=OuterRef("pk"), status=RegisterEntry.Status.ACTIVE
    )
    open_review = RegisterReview.objects.filter(
        entry__young_person=OuterRef("pk"),
        entry__status=RegisterEntry.Status.ACTIVE,
        reviewed_on__isnull=True,
    )
    return young_people.annotate(
        register_entry_id=Subquery(active.values("pk")[:1]),
        register_review_on=Subquery(open_review.values("due_on")[:1]),
        escalated=Exists(open_escalations().filter(young_person=OuterRef("pk"))),
    ).annotate(
        register_review_overdue=ExpressionWrapper(
            Q(register_review_on__lt=timezone.localdate()), output_field=BooleanField()
        )
    )


def open_escalations() -> QuerySet[Escalation]:
    return Escalation.objects.filter(resolved_at__isnull=True)


def escalations_shown(escalations: QuerySet[Escalation]) -> QuerySet[Escalation]:
    """What a list of escalations shows of each: whose, where it was raised, by whom, and who
    resolved it."""
    return escalations.select_related(
        "young_person__primary_case_manager", "review__meeting", "raised_by", "resolved_by"
    )
