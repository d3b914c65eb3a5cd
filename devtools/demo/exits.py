"""The demo's exit planning: Mia Thompson's family reunification order ends in about five
months and her exit plan is half made (3 of 7 in place), so Casey's caseload and Sam's home show
an exit coming. Every name is invented."""

from datetime import timedelta

from django.utils import timezone

from caseplans.models import ExitPlan
from clients.models import YoungPerson


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
