"""Who may see and do what with the high-risk youth register: the policy for this app.

The register coordinator keeps their division's register: lists, reviews, removes. ICMS
supervisors see the entries of the young people they see, and record reviews with the
coordinator; case managers see their young people's entries. A practitioner sees the register
status of the young people their referrals became. A review's escalation is seen by whoever sees
the young person, and by the coordinator; the ICMS workers who hold the case resolve it.
"""

import rules
from django.db.models import Q, QuerySet

from accounts.models import Role, User
from accounts.rules import is_register_coordinator, is_supervisor, seen_in, teams_supervised_by
from clients.models import YoungPerson
from clients.rules import works_with_young_person, young_people_visible_to
from referrals.models import OPEN_STATUSES
from referrals.rules import young_people_referred_by
from register.models import (
    Escalation,
    LiaisonMeeting,
    ListingRequest,
    RegisterEntry,
    RegisterReview,
)


def register_kept_by(user: User) -> int | None:
    """The division whose register the user keeps (as its register coordinator), if any."""
    if user.is_authenticated and user.is_active and user.has_role(Role.REGISTER_COORDINATOR):
        return user.division_id
    return None


def register_entries_visible_to(user: User) -> QuerySet[RegisterEntry]:
    if not user.is_authenticated or not user.is_active:
        return RegisterEntry.objects.none()
    visible = Q(pk__in=[])
    if division := register_kept_by(user):
        visible |= Q(division=division)
    if user.has_role(Role.CASE_MANAGER) or user.has_role(Role.SUPERVISOR):
        visible |= Q(young_person__in=young_people_visible_to(user))
    if user.has_role(Role.PRACTITIONER):
        visible |= Q(young_person__in=young_people_referred_by(user))
    return RegisterEntry.objects.filter(visible)


def escalations_visible_to(user: User) -> QuerySet[Escalation]:
    """Those who see the young person see their escalations; the coordinator sees those of
    their division's register."""
    if not user.is_authenticated or not user.is_active:
        return Escalation.objects.none()
    visible = Q(young_person__in=young_people_visible_to(user))
    if division := register_kept_by(user):
        visible |= Q(entry__division=division)
    return Escalation.objects.filter(visible)


def young_people_listable_by(user: User) -> QuerySet[YoungPerson]:
    """The young people of a coordinator's division not on the register now."""
    if not (division := register_kept_by(user)):
        return YoungPerson.objects.none()
    return YoungPerson.objects.filter(division=division).exclude(
        register_entries__status=RegisterEntry.Status.ACTIVE
    )


def liaison_meetings_visible_to(user: User) -> QuerySet[LiaisonMeeting]:
    """The coordinator's division's meetings; an ICMS supervisor's, of their teams' divisions."""
    if not user.is_authenticated or not user.is_active:
        return LiaisonMeeting.objects.none()
    visible = Q(pk__in=[])
    if division := register_kept_by(user):
        visible |= Q(division=division)
    if user.has_role(Role.SUPERVISOR):
        visible |= Q(division__teams__in=teams_supervised_by(user))
    return LiaisonMeeting.objects.filter(visible).distinct()


def open_reviews_of_division(user: User) -> QuerySet:
    """The open reviews of a coordinator's division, for a liaison meeting to hold."""
    if not (division := register_kept_by(user)):
        return RegisterReview.objects.none()
    return RegisterReview.objects.filter(
        entry__division=division,
        entry__status=RegisterEntry.Status.ACTIVE,
        reviewed_on__isnull=True,
    )


def listing_requests_visible_to(user: User) -> QuerySet[ListingRequest]:
    """The requests to confirm a listing on the register a coordinator keeps."""
    if not (division := register_kept_by(user)):
        return ListingRequest.objects.none()
    return ListingRequest.objects.filter(division=division)


def listings_waiting(requests: QuerySet[ListingRequest]) -> QuerySet[ListingRequest]:
    """Those still to answer: a withdrawn or decided referral, or a record closed before it
    was taken on, asks nothing any more."""
    return requests.filter(status=ListingRequest.Status.WAITING).filter(
        Q(referral__status__in=OPEN_STATUSES) | Q(young_person__status=YoungPerson.Status.REFERRED)
    )


@rules.predicate
def keeps_the_register_of(user: User, obj: RegisterEntry | YoungPerson | ListingRequest) -> bool:
    return user.division_id is not None and obj.division_id == user.division_id


@rules.predicate
def works_with_the_escalated(user: User, escalation: Escalation) -> bool:
    return works_with_young_person(user, escalation.young_person)


sees_the_entry = seen_in(register_entries_visible_to)

rules.add_perm("register.view_register", is_register_coordinator | is_supervisor)
rules.add_perm("register.view_registerentry", sees_the_entry)
rules.add_perm("register.view_escalation", seen_in(escalations_visible_to))
rules.add_perm("register.view_liaisonmeeting", seen_in(liaison_meetings_visible_to))
rules.add_perm("register.keep_register", is_register_coordinator)
rules.add_perm("register.add_registerentry", is_register_coordinator & keeps_the_register_of)
rules.add_perm(
    "register.review_registerentry",
    (is_register_coordinator & keeps_the_register_of) | (is_supervisor & sees_the_entry),
)
rules.add_perm("register.remove_registerentry", is_register_coordinator & keeps_the_register_of)
rules.add_perm("register.answer_listingrequest", is_register_coordinator & keeps_the_register_of)
# What was done about an escalation: the ICMS workers holding the case (its case managers, the
# team's supervisor), to whom it was escalated.
rules.add_perm("register.resolve_escalation", works_with_the_escalated)
