from datetime import timedelta

from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from register.models import RegisterEntry, RegisterReview


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
