"""Who may see and do what with referrals and consultations: the policy for this app.

A practitioner sees the referrals they made, and through them the status of the young people
those became; the receiving team's supervisor triages; the team's workers see the referral of
a young person on their caseload, and the consultations their team gave. The practitioner whose
referral the young person's current episode came from is, to ICMS, their child protection
practitioner: they record child protection's decisions (permanency objective, legal order,
placement) through that referral, and see nothing more of the record for it.
"""

import rules
from django.db.models import F, Q, QuerySet

from accounts.models import Role, User
from accounts.rules import (
    is_icms_worker,
    is_practitioner,
    is_supervisor,
    seen_in,
    supervises_team,
    teams_supervised_by,
)
from clients.models import YoungPerson
from clients.rules import supervises_young_person, young_people_visible_to
from referrals.models import OPEN_STATUSES, CaseManagementAgreement, Consultation, Referral


def referrals_visible_to(user: User) -> QuerySet[Referral]:
    if not user.is_authenticated or not user.is_active:
        return Referral.objects.none()
    visible = Q(pk__in=[])
    if user.has_role(Role.PRACTITIONER):
        visible |= Q(referred_by=user)
    if user.has_role(Role.SUPERVISOR):
        visible |= Q(team__in=teams_supervised_by(user)) & ~Q(status=Referral.Status.DRAFT)
    if user.has_role(Role.CASE_MANAGER):
        on_caseload = young_people_visible_to(user)
        visible |= Q(status=Referral.Status.ACCEPTED, young_person__in=on_caseload)
    return Referral.objects.filter(visible)


def young_people_referred_by(user: User) -> QuerySet[YoungPerson]:
    """The young people a practitioner's accepted referrals became (seen read-only, in part)."""
    return YoungPerson.objects.filter(
        referrals__referred_by=user, referrals__status=Referral.Status.ACCEPTED
    ).distinct()


def agreements_visible_to(user: User) -> QuerySet[CaseManagementAgreement]:
    """The agreements of the young people the user sees, and of the referrals they see."""
    if not user.is_authenticated or not user.is_active:
        return CaseManagementAgreement.objects.none()
    return CaseManagementAgreement.objects.filter(
        Q(young_person__in=young_people_visible_to(user))
        | Q(referral__in=referrals_visible_to(user))
    )


def consultations_visible_to(user: User) -> QuerySet[Consultation]:
    if not user.is_authenticated or not user.is_active:
        return Consultation.objects.none()
    visible = Q(pk__in=[])
    if user.has_role(Role.PRACTITIONER):
        visible |= Q(referral__referred_by=user)
    if user.has_role(Role.CASE_MANAGER):
        visible |= Q(team=user.team_id)
    if user.has_role(Role.SUPERVISOR):
        visible |= Q(team__in=teams_supervised_by(user))
    return Consultation.objects.filter(visible)


@rules.predicate
def made_the_referral(user: User, referral: Referral) -> bool:
    return referral.referred_by_id == user.pk


@rules.predicate
def is_draft(user: User, referral: Referral) -> bool:
    return referral.status == Referral.Status.DRAFT


@rules.predicate
def is_open(user: User, referral: Referral) -> bool:
    return referral.status in OPEN_STATUSES


@rules.predicate
def leads_receiving_team(user: User, referral: Referral) -> bool:
    return supervises_team(user, referral.team)


@rules.predicate
def has_a_division(user: User) -> bool:
    return user.division_id is not None


@rules.predicate
def referred_the_current_episode(user: User, referral: Referral) -> bool:
    """The referral is the one the young person's open episode came from (their latest accepted
    referral), and the user made it."""
    if referral.referred_by_id != user.pk or referral.status != Referral.Status.ACCEPTED:
        return False
    if referral.young_person is None or referral.young_person.status == YoungPerson.Status.CLOSED:
        return False
    latest = (
        Referral.objects.filter(
            young_person=referral.young_person_id, status=Referral.Status.ACCEPTED
        )
        .order_by(F("decided_at").desc(nulls_last=True), "-created_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return latest == referral.pk


rules.add_perm("referrals.view_referral", seen_in(referrals_visible_to))
rules.add_perm("referrals.view_casemanagementagreement", seen_in(agreements_visible_to))
rules.add_perm("referrals.view_consultation", seen_in(consultations_visible_to))
rules.add_perm("referrals.add_referral", is_practitioner & has_a_division)
rules.add_perm("referrals.change_referral", made_the_referral & is_draft)
rules.add_perm("referrals.discard_referral", made_the_referral & is_draft)
# A document attached by mistake: removed from a draft (change_referral), withdrawn after.
rules.add_perm("referrals.withdraw_attachment", made_the_referral & ~is_draft)
# Submitting again what was already submitted gets its message from the service, not a 403.
rules.add_perm("referrals.submit_referral", made_the_referral)
rules.add_perm("referrals.withdraw_referral", made_the_referral & is_open & ~is_draft)
# Whether a decision is still possible is the state machine's to say (referrals.services).
rules.add_perm("referrals.decide_referral", leads_receiving_team & ~is_draft)
rules.add_perm("referrals.view_referral_queue", is_supervisor)
rules.add_perm("referrals.add_consultation", is_icms_worker)
# A young person whose record the team opened outside a referral: its supervisor takes them on.
rules.add_perm("referrals.take_on_youngperson", supervises_young_person)
rules.add_perm(
    "referrals.record_child_protection_decisions", is_practitioner & referred_the_current_episode
)
