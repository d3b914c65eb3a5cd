from datetime import timedelta

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from clients.models import YoungPerson
from referrals.models import Referral
from register.models import Escalation, ListingRequest, RegisterEntry, RegisterReview


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


def with_reviews(entries: QuerySet[RegisterEntry]) -> QuerySet[RegisterEntry]:
    """Each entry with its reviews, the newest due first."""
    return entries.prefetch_related(
        Prefetch("reviews", RegisterReview.objects.order_by("-due_on", "-pk"))
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


def register_entry_of(division_id: int, child_protection_number: str) -> RegisterEntry | None:
    """The active entry on the division's register of the young person ICMS knows by this child
    protection number, if they are listed."""
    if not child_protection_number.strip():
        return None
    return (
        RegisterEntry.objects.filter(
            status=RegisterEntry.Status.ACTIVE,
            division_id=division_id,
            young_person__child_protection_number=child_protection_number,
        )
        .select_related("listed_by", "division")
        .first()
    )


def with_register_listing(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    """Annotate each referral with whether its young person is on its division's register now
    (`on_register`) and the state of its request to the register coordinator, if any
    (`listing_status`)."""
    listed = RegisterEntry.objects.filter(
        status=RegisterEntry.Status.ACTIVE,
        division=OuterRef("division"),
        young_person__child_protection_number=OuterRef("child_protection_number"),
    ).exclude(young_person__child_protection_number="")
    request = ListingRequest.objects.filter(referral=OuterRef("pk"))
    return referrals.annotate(
        on_register=Exists(listed), listing_status=Subquery(request.values("status")[:1])
    )


def why_not_listed(name: str, division: object, request: ListingRequest | None) -> str:
    """What stops ICMS taking on a young person who is not on the division's register."""
    if request is not None and request.status == ListingRequest.Status.WAITING:
        return (
            f"{name} is not on the {division} high-risk youth register yet: waiting for the "
            "register coordinator to confirm the listing."
        )
    if request is not None and request.status == ListingRequest.Status.NOT_LISTED:
        return (
            f"The {division} register coordinator says {name} is not on the high-risk youth "
            f"register: {request.reason.rstrip('.')}. ICMS takes on only young people on it."
        )
    return (
        f"{name} is not on the {division} high-risk youth register. ICMS takes on only young "
        "people the register coordinator has listed."
    )


def listing_request_of(referral: Referral) -> ListingRequest | None:
    return ListingRequest.objects.filter(referral=referral).first()


def why_record_not_listed(young_person: YoungPerson) -> str | None:
    """For a record opened outside a referral: why ICMS cannot take them on yet, or None when
    they are on their division's register."""
    if young_person.register_entries.filter(
        status=RegisterEntry.Status.ACTIVE, division=young_person.division_id
    ).exists():
        return None
    request = young_person.listing_requests.order_by("requested_at").last()
    return why_not_listed(str(young_person), young_person.division, request)


def reviews_to_hold(reviews: QuerySet[RegisterReview], *, days: int = 7) -> dict[str, list]:
    """The open reviews overdue, and those due within `days`, in the order they fell due: one
    query."""
    today = timezone.localdate()
    due = reviews.filter(due_on__lte=today + timedelta(days=days)).order_by("due_on", "pk")
    found = list(due.select_related("entry__young_person"))
    return {
        "overdue": [review for review in found if review.due_on < today],
        "this_week": [review for review in found if review.due_on >= today],
    }


def open_escalations() -> QuerySet[Escalation]:
    return Escalation.objects.filter(resolved_at__isnull=True)


def escalations_shown(escalations: QuerySet[Escalation]) -> QuerySet[Escalation]:
    """What a list of escalations shows of each: whose, where it was raised, by whom, and who
    resolved it."""
    return escalations.select_related(
        "young_person__primary_case_manager", "review__meeting", "raised_by", "resolved_by"
    )
