"""The demo agency's referrals: how each demo young person came to ICMS, and a few referrals
still in play so that every demo user has something to do. Every name here is invented."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.models import Team, User
from clients.models import KeyPerson, ProfessionalContact, YoungPerson
from referrals.forms import AGREEMENT_TERMS
from referrals.models import (
    CaseManagementAgreement,
    Consultation,
    Referral,
    ReferralKeyPerson,
    ReferralMove,
    ReferralProfessional,
)

Status = Referral.Status

ISSUES = {
    "housing": "Moved between three placements this year; often sleeps at friends' places.",
    "mental_health": "Self-harm after family contact; on the CAMHS waiting list.",
    "safety": "Seen with older young people who are known to police.",
}
TRIED = (
    "Monthly child protection visits and a youth worker through the placement; "
    "does not keep appointments and is not at home when workers call."
)

# Who the referrals still in play name: the family (given name, relationship, a support, notes)
# and the professional network (role, name, organisation).
FAMILY = [
    ("Dana", KeyPerson.Relationship.MOTHER, True, "Sees them weekly; wants to be involved."),
    ("Ray", KeyPerson.Relationship.FATHER, False, "No contact: intervention order until 2027."),
    ("Nell", KeyPerson.Relationship.GRANDPARENT, True, "Has them most weekends."),
]
NETWORK = [
    (ProfessionalContact.Role.SCHOOL, "Priya Shah", "Northside Secondary College, wellbeing"),
    (ProfessionalContact.Role.GP, "Dr Tom Fraser", "Northside Medical Centre"),
]
CULTURES = [("Samoan", "Samoan", False), ("Vietnamese", "Vietnamese", True), ("", "English", False)]

# given, family, age, division, urgency, status, days since submitted, note
IN_PLAY = [
    ("Isla", "Murphy", 14, "North", "urgent", Status.SUBMITTED, 2, ""),
    ("Harper", "Scott", 15, "North", "routine", Status.DRAFT, 0, ""),
    ("Sophie", "Turner", 16, "North", "priority", Status.DECLINED, 20, "Not on the register"),
    ("Kai", "Bennett", 13, "West", "priority", Status.UNDER_CONSIDERATION, 5, ""),
]


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _moves(referral: Referral, steps: list[tuple[str, User, datetime, str]]) -> None:
    previous = Status.DRAFT
    for to, by, at, note in steps:
        ReferralMove.objects.create(
            referral=referral, from_status=previous, to_status=to, by=by, at=at, note=note
        )
        previous = to


def _referral(young: dict, *, by: User, team: Team, **fields) -> Referral:
    typical = {
        "presenting_issues": ISSUES,
        "risks": ["self_harm", "absconding"],
        "tried_before": TRIED,
        "register_listed": True,
        "consent": Referral.Consent.CONSENTS,
    }
    return Referral.objects.create(
        referred_by=by, team=team, division=team.division, **(typical | young | fields)
    )


def _name_family(referral: Referral, family_name: str) -> None:
    ReferralKeyPerson.objects.bulk_create(
        ReferralKeyPerson(
            referral=referral,
            name=f"{given} {family_name}",
            relationship=relationship,
            is_support=support,
            phone=f"0400 111 {index:03d}",
            notes=notes,
        )
        for index, (given, relationship, support, notes) in enumerate(FAMILY)
    )
    ReferralProfessional.objects.bulk_create(
        ReferralProfessional(referral=referral, role=role, name=name, organisation=organisation)
        for role, name, organisation in NETWORK
    )


def _as_accepted(referral: Referral, young_person: YoungPerson) -> None:
    """The family and network the referral named, as accepting it carried them to the record."""
    ReferralKeyPerson.objects.bulk_create(
        ReferralKeyPerson(referral=referral, **person)
        for person in young_person.key_people.values("name", "relationship", "is_support", "phone")
    )
    role, name, organisation = NETWORK[0]
    ReferralProfessional.objects.create(
        referral=referral, role=role, name=name, organisation=organisation
    )
    ProfessionalContact.objects.create(
        young_person=young_person, role=role, name=name, organisation=organisation
    )
    young_person.permanency_objective = referral.permanency_objective
    young_person.save(update_fields=["permanency_objective"])


def seed_demo_referrals(
    young_people: list[tuple[YoungPerson, date]], referrers: dict[str, User]
) -> int:
    """An accepted referral and agreement for each young person (allocated on the given
    date), then the referrals still in play. Returns how many referrals were made."""
    made = 0
    for young_person, accepted_on in young_people:
        team = young_person.team
        referrer = referrers[team.division.name]
        submitted = _at(accepted_on - timedelta(days=9))
        referral = _referral(
            {
                "given_name": young_person.given_name,
                "family_name": young_person.family_name,
                "preferred_name": young_person.preferred_name,
                "date_of_birth": young_person.date_of_birth,
                "child_protection_number": young_person.child_protection_number,
                "legal_order": young_person.legal_order,
                "placement": young_person.placement,
                "language": young_person.language,
                "permanency_objective": YoungPerson.Permanency.FAMILY_REUNIFICATION
                if made % 2
                else YoungPerson.Permanency.LONG_TERM_CARE,
                "register_listed_on": accepted_on - timedelta(days=20),
            },
            by=referrer,
            team=team,
            young_person=young_person,
            status=Status.ACCEPTED,
            created_at=submitted - timedelta(days=1),
            submitted_at=submitted,
            decided_at=_at(accepted_on),
        )
        _as_accepted(referral, young_person)
        _moves(
            referral,
            [
                (Status.SUBMITTED, referrer, submitted, ""),
                (Status.UNDER_CONSIDERATION, team.supervisor, submitted + timedelta(days=2), ""),
                (
                    Status.ACCEPTED,
                    team.supervisor,
                    _at(accepted_on),
                    f"Allocated to {young_person.primary_case_manager or 'the team'}",
                ),
            ],
        )
        name = young_person.preferred_name or young_person.given_name
        CaseManagementAgreement.objects.create(
            referral=referral,
            young_person=young_person,
            agreed_on=accepted_on,
            parties=f"{young_person}, young person\n{referrer}, child protection practitioner"
            f"\n{young_person.primary_case_manager or 'ICMS case manager'}, ICMS case manager",
            terms=AGREEMENT_TERMS.format(name=name),
            recorded_by=team.supervisor,
            recorded_at=_at(accepted_on),
        )
        made += 1

    today = timezone.localdate()
    for index, (given, family, age, division, urgency, status, days, note) in enumerate(IN_PLAY):
        referrer = referrers[division]
        culture, language, interpreter = CULTURES[index % len(CULTURES)]
        team = Team.objects.select_related("supervisor").get(division__name=division)
        submitted = None if status == Status.DRAFT else _at(today - timedelta(days=days), 9)
        young = {
            "given_name": given,
            "family_name": family,
            "date_of_birth": today - timedelta(days=365 * age + 100),
            "child_protection_number": "" if status == Status.DRAFT else f"CP-3{days:05d}",
            "register_listed_on": None
            if status == Status.DECLINED
            else today - timedelta(days=days + 3),
            "cultural_background": culture,
            "language": language,
            "interpreter_needed": interpreter,
            "referrer_phone": "03 9000 1234",
        }
        referral = _referral(
            young,
            by=referrer,
            team=team,
            urgency=urgency,
            status=status,
            submitted_at=submitted,
            created_at=submitted or _at(today, 8),
            **(
                {
                    "register_listed": False,
                    "decline_reason": Referral.DeclineReason.ELIGIBILITY,
                    "decision_notes": "ICMS takes on young people on the divisional high-risk "
                    "youth register; Sophie is not listed.",
                    "decided_at": submitted + timedelta(days=3),
                }
                if status == Status.DECLINED
                else {}
            ),
        )
        _name_family(referral, family)
        steps = [] if submitted is None else [(Status.SUBMITTED, referrer, submitted, "")]
        if status in {Status.UNDER_CONSIDERATION, Status.DECLINED}:
            steps.append((Status.UNDER_CONSIDERATION, team.supervisor, submitted, ""))
        if status == Status.DECLINED:
            steps.append((Status.DECLINED, team.supervisor, referral.decided_at, note))
            Consultation.objects.create(
                team=team,
                referral=referral,
                asked_by=str(referrer),
                organisation=f"Child Protection, {division} division",
                asked_on=referral.decided_at.date(),
                question=f"Referral of {referral.display_name}",
                advice="Raise Sophie at the next register meeting; until then, the youth "
                "justice outreach team runs a Thursday drop-in she may use.",
                given_by=team.supervisor,
            )
        _moves(referral, steps)
        made += 1
    Consultation.objects.create(
        team=Team.objects.get(division__name="North"),
        asked_by="Wellbeing coordinator",
        organisation="Northside Secondary College",
        asked_on=today - timedelta(days=6),
        question="A year 9 student is missing school and staying out overnight; "
        "what can the school do?",
        advice="Make a report to child protection; meanwhile keep a record of absences and "
        "who the student is seen with, and offer a regular check-in with one teacher.",
        given_by=Team.objects.get(division__name="North").supervisor,
    )
    return made
