"""The demo register, kept by each division's register coordinator: every young person ICMS
took on was listed by the coordinator when ICMS asked them to confirm the listing their
referral reported, with the fortnightly reviews held since; two reviews are overdue, for the
demo users to find. Of the referrals still in play, the North one waits for reg.demo to confirm
its listing, and the West one was confirmed by reg2.demo, so that it can be accepted. One young
person's last review escalated them, for the demo users to find."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.models import Role, User
from clients.models import YoungPerson
from referrals.models import Referral
from register.models import Escalation, ListingRequest, RegisterEntry, RegisterReview
from register.services import request_listing, schedule_reviews

OVERDUE = {"Thompson", "Jones"}  # their last review was not held
ESCALATED = "Anderson"  # their last review escalated them; nothing is recorded as done yet
WHAT_ESCALATED = (
    "Missing from the residential unit four nights in the last fortnight, seen with adults "
    "known to police. Needs a safety plan with the unit and police by the end of the week."
)


def _at(day: object, hour: int = 11) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _list(referral: Referral, young_person: YoungPerson, *, by: User) -> RegisterEntry:
    """The coordinator's listing, as they confirmed it the day after the referral came in."""
    confirmed_at = _at(referral.submitted_at.date() + timedelta(days=1))
    entry = RegisterEntry.objects.create(
        young_person=young_person,
        division=referral.division,
        listed_on=referral.register_listed_on,
        risk_factors=referral.risks,
        risk_details=referral.risk_details,
        listed_by=by,
        recorded_at=confirmed_at,
    )
    ListingRequest.objects.create(
        division=referral.division,
        referral=referral,
        requested_by=referral.referred_by,
        requested_at=referral.submitted_at,
        status=ListingRequest.Status.LISTED,
        entry=entry,
        answered_by=by,
        answered_at=confirmed_at,
    )
    return entry


def _hold_reviews(entry: RegisterEntry, *, by: User) -> None:
    """Reviews held on their dates up to today (the next falls due later), or, for the
    overdue ones, up to more than an interval ago (the next was due before today)."""
    today = timezone.localdate()
    interval = timedelta(days=entry.division.register_review_days)
    held_until = (
        today - interval - timedelta(days=3) if entry.young_person.family_name in OVERDUE else today
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
    if entry.young_person.family_name == ESCALATED and review is not None:
        _escalate(review, by=by)


def seed_demo_register() -> int:
    """List every young person with an accepted referral, and answer the listings of the
    referrals in play; return how many were listed."""
    coordinators = {
        user.division_id: user
        for user in User.objects.filter(groups__name=Role.REGISTER_COORDINATOR)
    }
    listed = 0
    accepted = Referral.objects.filter(status=Referral.Status.ACCEPTED).select_related(
        "young_person", "division"
    )
    for referral in accepted:
        by = coordinators[referral.division_id]
        _hold_reviews(_list(referral, referral.young_person, by=by), by=by)
        listed += 1
    waiting = Referral.objects.filter(
        status__in=[Referral.Status.SUBMITTED, Referral.Status.UNDER_CONSIDERATION],
        register_listed=True,
    ).select_related("division", "referred_by")
    for referral in waiting:
        if referral.division.name == "North":
            request = request_listing(
                division=referral.division, by=referral.referred_by, referral=referral
            )
            ListingRequest.objects.filter(pk=request.pk).update(requested_at=referral.submitted_at)
            continue
        # Known to ICMS only through the register until a referral of them is accepted.
        young_person = YoungPerson.objects.create(
            given_name=referral.given_name,
            family_name=referral.family_name,
            date_of_birth=referral.date_of_birth,
            child_protection_number=referral.child_protection_number,
            division=referral.division,
            status=YoungPerson.Status.REFERRED,
        )
        _list(referral, young_person, by=coordinators[referral.division_id])
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
