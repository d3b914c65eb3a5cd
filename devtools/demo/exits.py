"""The demo's exits. Mia Thompson's family reunification order ends in about five months and
her exit plan is half made (3 of 7 in place), so Casey's caseload and Sam's home show an exit
coming. Sienna Walsh, Casey Morgan's (cm.demo), was closed by Sam Taylor (sup.demo) four weeks
ago with her exit plan in place, so that her first after-care follow-up is Casey's this week;
her contacts were made before she left. Every name is invented."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from caseplans.models import ExitPlan
from clients.models import Contact, YoungPerson
from exits.services import close_episode
from toolkit.hours import is_after_hours

LEFT = "Walsh"
LEFT_DAYS_AGO = 27  # the follow-up a month after falls due within the week
EXIT_PLAN = {
    "accommodation": "Back with her nan in Coburg; Nan has kinship carer support until 18.",
    "accommodation_in_place": True,
    "income": "Part-time wage from the bakery; bank account opened.",
    "income_in_place": True,
    "education_or_work": "Apprenticeship (baking), two days a week at TAFE.",
    "education_or_work_in_place": True,
    "health": "GP at the Coburg clinic; headspace counsellor fortnightly.",
    "health_in_place": True,
    "supportive_adults": "Nan (Maria); her TAFE teacher; the bakery owner.",
    "supportive_adults_in_place": True,
    "supports": "headspace Coburg.",
    "supports_in_place": True,
    "post_statutory_support": "Leaving care support program from her 18th birthday.",
    "post_statutory_referrer": "Casey, before her 18th birthday in March.",
}


def seed_demo_exits() -> int:
    """Close Sienna's episode as the supervisor does; return how many episodes were closed."""
    sienna = YoungPerson.objects.select_related("primary_case_manager", "team__supervisor").get(
        family_name=LEFT
    )
    closed_on = timezone.localdate() - timedelta(days=LEFT_DAYS_AGO)
    contacts = list(sienna.contacts.all())
    for contact in contacts:  # made in the weeks before she left
        contact.started_at -= timedelta(days=LEFT_DAYS_AGO + 3)
        contact.recorded_at -= timedelta(days=LEFT_DAYS_AGO + 3)
        contact.after_hours = is_after_hours(contact.started_at)
    Contact.objects.bulk_update(contacts, ["started_at", "recorded_at", "after_hours"])
    ExitPlan.objects.create(
        young_person=sienna,
        exit_on=closed_on,
        updated_by=sienna.primary_case_manager,
        **EXIT_PLAN,
    )
    close_episode(
        sienna,
        by=sienna.team.supervisor or User.objects.get(username="sup.demo"),
        closed_on=closed_on,
        reason="goals_achieved",
        destination="kinship",
        phone="0400 000 112",
        notes="Sienna's goals are met: home with Nan, the apprenticeship, headspace. She knows "
        "she can ring the team.",
    )
    return 1


def seed_demo_exit_planning(young_people: dict[str, YoungPerson]) -> int:
    mia = young_people["Thompson"]
    mia.legal_order_ends_on = timezone.localdate() + timedelta(days=150)
    mia.save(update_fields=["legal_order_ends_on"])
    ExitPlan.objects.create(
        young_person=mia,
        exit_on=mia.legal_order_ends_on,
        accommodation="Home to Mum's in Reservoir; child protection is working on reunification.",
        income="Youth Allowance: claim to lodge once she is living at home.",
        education_or_work="Year 11 at Reservoir High; the wellbeing coordinator knows the plan.",
        education_or_work_in_place=True,
        health="GP at the Reservoir clinic; Medicare card in her own name.",
        health_in_place=True,
        supportive_adults="Mum; her netball coach, Tash.",
        supportive_adults_in_place=True,
        supports="Family support service after reunification: referral not yet made.",
        updated_by=mia.primary_case_manager,
    )
    return 1
