"""Case plans and their reviews on the young person's timeline (clients.timeline): a plan
made (a draft, or the next version made at a review), a plan approved and current, a review
of the plan."""

from caseplans.models import CasePlan, PlanReview
from caseplans.rules import case_plans_visible_to
from clients.timeline import Moment, TimelineKind, by_pk, register

_plans = by_pk(CasePlan.objects.select_related("created_by", "approved_by"))


def _plans_of(young_person, user):
    return case_plans_visible_to(user).filter(young_person=young_person)


register(
    TimelineKind(
        "case_plan",
        "Case plans",
        "caseplans/timeline_plan.html",
        (
            Moment(10, "made", _plans_of, "created_at", _plans),
            Moment(
                11,
                "approved",
                lambda young_person, user: _plans_of(young_person, user).filter(
                    approved_at__isnull=False
                ),
                "approved_at",
                _plans,
            ),
        ),
        accent="success",
    )
)
register(
    TimelineKind(
        "plan_review",
        "Plan reviews",
        "caseplans/timeline_review.html",
        (
            Moment(
                12,
                "reviewed",
                lambda young_person, user: PlanReview.objects.filter(
                    reviewed_plan__in=_plans_of(young_person, user)
                ),
                "recorded_at",
                by_pk(PlanReview.objects.select_related("reviewed_plan", "reviewed_by")),
            ),
        ),
        accent="success",
    )
)
