"""Who may see and do what with risk and outcome reviews: the policy for this app.

A review belongs to the young person's record: the ICMS workers who see the young person see
their reviews, record new ones, and the one who recorded a review or the team's supervisor
marks it in error. Child protection and the register see none. The outcome report is counts,
not records: for supervisors and the system owner, as the agency's other reports.
"""

import rules
from django.db.models import QuerySet

from accounts.models import Role, User
from accounts.rules import is_administrator, is_supervisor, seen_in
from clients.rules import supervises_young_person, works_with_young_person, young_people_visible_to
from outcomes.models import Review


def reviews_visible_to(user: User) -> QuerySet[Review]:
    """The outcome reviews of the young people an ICMS worker sees."""
    if not user.is_authenticated or not (
        user.has_role(Role.CASE_MANAGER) or user.has_role(Role.SUPERVISOR)
    ):
        return Review.objects.none()
    return Review.objects.filter(young_person__in=young_people_visible_to(user))


@rules.predicate
def recorded_the_review(user: User, review: Review) -> bool:
    return review.reviewed_by_id == user.pk


@rules.predicate
def supervises_review_young_person(user: User, review: Review) -> bool:
    return supervises_young_person(user, review.young_person)


rules.add_perm("outcomes.view_review", seen_in(reviews_visible_to))
rules.add_perm("outcomes.add_review", works_with_young_person)
# The young person's outcomes page: their reviews and placement moves over time.
rules.add_perm("outcomes.view_outcomes", works_with_young_person)
rules.add_perm(
    "outcomes.mark_review_in_error",
    seen_in(reviews_visible_to) & (recorded_the_review | supervises_review_young_person),
)
rules.add_perm("outcomes.view_report", is_supervisor | is_administrator)
