"""Case plans with their goals and action table, crisis plans and exit plans through the REST
API, read-only, as their pages show them to the account (caseplans.rules). A child protection
practitioner sees a current plan's action table only, as on the plan's page."""

from django.db.models import BooleanField, Exists, OuterRef, Prefetch, QuerySet, Value
from rest_framework import serializers

from accounts.rules import is_icms_worker
from caseplans.models import CasePlan, CrisisPlan, ExitPlan, Goal, Task
from caseplans.rules import (
    case_plans_visible_to,
    crisis_plans_visible_to,
    exit_plans_visible_to,
)
from clients.api import RecordPartViewSet
from clients.rules import young_people_visible_to

# The parts of a plan that are for ICMS workers only (caseplans.view_whole_plan).
WHOLE_PLAN_FIELDS = (
    "participants",
    "participation_notes",
    "young_persons_view",
    "agreed_on",
    "cultural_plan",
    "cultural_organisation",
)


class TaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "description", "responsible", "agency", "due_on", "status", "completed_on"]


class GoalSerializer(serializers.ModelSerializer):
    tasks = TaskSerializer(many=True, help_text="The action table's rows for this goal.")

    class Meta:
        model = Goal
        fields = ["id", "lineage", "domain", "in_own_words", "status", "tasks"]


class CasePlanSerializer(serializers.ModelSerializer):
    goals = GoalSerializer(many=True)

    class Meta:
        model = CasePlan
        fields = [
            "id",
            "young_person_id",
            "number",
            "status",
            "starts_on",
            "review_on",
            *WHOLE_PLAN_FIELDS,
            "submitted_at",
            "approved_at",
            "superseded_at",
            "goals",
        ]
        extra_kwargs = {name: {"allow_null": True} for name in WHOLE_PLAN_FIELDS}

    def to_representation(self, plan: CasePlan) -> dict:
        shown = super().to_representation(plan)
        if not plan.whole:
            shown.update(dict.fromkeys(WHOLE_PLAN_FIELDS))
        return shown


class CasePlanViewSet(RecordPartViewSet):
    """Case plans, every version the account sees; a practitioner's are the current ones of the
    young people their referrals became, as an action table (the other parts are null)."""

    model = CasePlan
    serializer_class = CasePlanSerializer
    visible_to = staticmethod(case_plans_visible_to)

    def with_related(self, plans: QuerySet[CasePlan]) -> QuerySet[CasePlan]:
        user = self.request.user
        whole = (
            Exists(young_people_visible_to(user).filter(pk=OuterRef("young_person_id")))
            if is_icms_worker(user)
            else Value(False, output_field=BooleanField())
        )
        goals = Goal.objects.order_by("position", "pk").prefetch_related(
            Prefetch("tasks", Task.objects.order_by("position", "pk"))
        )
        return plans.annotate(whole=whole).prefetch_related(Prefetch("goals", goals))


class CrisisPlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = CrisisPlan
        fields = [
            "id",
            "young_person_id",
            "warning_signs",
            "triggers",
            "what_helps",
            "who_to_call",
            "after_hours_steps",
            "when_to_consult_ahcpes",
            "updated_at",
        ]


class CrisisPlanViewSet(RecordPartViewSet):
    """Crisis plans of the young people the account sees: one a young person at most."""

    model = CrisisPlan
    serializer_class = CrisisPlanSerializer
    visible_to = staticmethod(crisis_plans_visible_to)


class ExitPlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExitPlan
        fields = [
            "id",
            "young_person_id",
            "exit_on",
            *(name for area in ExitPlan.AREAS for name in area),
            "post_statutory_referrer",
            "updated_at",
        ]


class ExitPlanViewSet(RecordPartViewSet):
    """Exit plans of the young people the account sees: each area of life after ICMS, what is
    arranged and whether it is in place."""

    model = ExitPlan
    serializer_class = ExitPlanSerializer
    visible_to = staticmethod(exit_plans_visible_to)
