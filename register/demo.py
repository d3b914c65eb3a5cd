"""The demo register: every demo young person is listed as their referral said, with the
fortnightly reviews held since; two reviews are overdue, and one young person's last review
escalated them, for the demo users to find."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.models import Division, Role, User
from clients.models import YoungPerson
from register.models import Escalation, RegisterEntry, RegisterReview
from register.services import schedule_reviews

OVERDUE = {"Thompson", "Jones"}  # their last review was not held
ESCALATED = "Anderson"  # their last review escalated them; nothing is recorded as done yet
WHAT_ESCALATED = (
    "Missing from the residential unit four nights in the last fortnight, seen with adults "
    "known to police. Needs a safety plan with the unit and police by the end of the week."
)


def seed_demo_register() -> int:
    """List every young person with an accepted referral; return how many were listed."""
    today = timezone.localdate()
    coordinators = {
        user.division_id: user
        for user in User.objects.filter(groups__name=Role.REGISTER_COORDINATOR)
    }
    listed = 0
    young_people = YoungPerson.objects.filter(referrals__status="accepted").distinct()
    for young_person in young_people.select_related("division"):
        referral = young_person.referrals.filter(status="accepted").first()
        division: Division = young_person.division
        by = coordinators.get(division.pk) or referral.referred_by
        entry = RegisterEntry.objects.create(
            young_person=young_person,
            division=division,
            listed_on=referral.register_listed_on,
            risk_factors=referral.risks,
            risk_details=referral.risk_details,
            listed_by=by,
        )
        interval = timedelta(days=division.register_review_days)
        # Reviews held on their dates up to today (the next falls due later), or, for the
        # overdue ones, up to more than an interval ago (the next was due before today).
        held_until = (
            today - interval - timedelta(days=3) if young_person.family_name in OVERDUE else today
        )
        due = entry.listed_on + interval
        review = None
        while due <= held_until:
            review = RegisterReview.objects.create(
                entry=entry,
                due_on=due,
                reviewed_on=due,
                participants=["child_protection", "icms", "placement"],
                outcome=RegisterReview.Outcome.REMAIN,
                notes="Reviewed at the liaison meeting; risks unchanged.",
                reviewed_by=by,
            )
            due += interval
        if young_person.family_name == ESCALATED and review is not None:
            _escalate(review, by=by)
        listed += 1
    schedule_reviews()
    return listed


def _escalate(review: RegisterReview, *, by: User) -> None:
    review.outcome = RegisterReview.Outcome.ESCALATE
    review.notes = "Reviewed at the liaison meeting; risks rising."
    review.save(update_fields=["outcome", "notes"])
    young_person = review.entry.young_person
    escalation = Escalation.objects.create(
        young_person=young_person,
        entry=review.entry,
        review=review,
        what=WHAT_ESCALATED,
        raised_by=by,
        raised_at=timezone.make_aware(datetime.combine(review.reviewed_on, time(15))),
    )
    escalation.escalated_to.set(
        [user for user in (young_person.team.supervisor, young_person.primary_case_manager) if user]
    )
