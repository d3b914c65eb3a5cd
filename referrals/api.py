"""The REST API for child protection systems: submit referrals and follow their decisions.

Each external system has an ICMS account with the child protection practitioner role and a
token (`manage.py create_api_token <username>`); it sees and does exactly what that
practitioner would in the browser: the same policy (referrals.rules) and the same services.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Team
from accounts.queries import teams_serving
from clients.forms import CHILD_PROTECTION_FIELDS
from clients.models import ChildProtectionDecision, LifeDomain, YoungPerson
from clients.services import Conflict, record_child_protection_decisions
from referrals.models import Referral, ReferralKeyPerson, ReferralProfessional
from referrals.permissions import IsChildProtectionAccount
from referrals.rules import referrals_visible_to
from referrals.services import (
    DRAFT_FIELDS,
    missing_parts,
    save_referral,
    submit_referral,
    withdraw_referral,
)
from toolkit.access import audit_detail, find_or_404, found_record, note_refused, shows_list
from toolkit.validators import MAX_ID, validate_past_day


def _refusal(error: DjangoValidationError) -> exceptions.ValidationError:
    """A service's refusal as a 400: its messages by field, or under `detail`."""
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(error.message_dict)
    return exceptions.ValidationError({"detail": error.messages})


class TeamField(serializers.PrimaryKeyRelatedField):
    """The teams that take referrals from the account's division, as the web form offers: the
    id of any other team is refused as one that does not exist."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(pk_field=serializers.IntegerField(min_value=1, max_value=MAX_ID), **kwargs)

    def get_queryset(self) -> QuerySet[Team]:
        request = self.context.get("request")
        if request is None or not request.user.is_authenticated:
            return Team.objects.none()
        return teams_serving(request.user.division)


class ReferralKeyPersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReferralKeyPerson
        fields = ["name", "relationship", "is_support", "phone", "notes"]


class ReferralProfessionalSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReferralProfessional
        fields = ["role", "name", "organisation", "phone", "email"]


class ChildProtectionDecisionsSerializer(serializers.ModelSerializer):
    """The young person's permanency objective, legal order and placement, as child protection
    decided them. A change names the `version` it was read at; fields left out stay as they are."""

    version = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text="The young person's `version` when these were read: a change made since "
        "answers 409 with what changed.",
    )
    decided_on = serializers.DateField(
        write_only=True, validators=[validate_past_day], help_text="When it was decided."
    )
    note = serializers.CharField(
        write_only=True,
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="Where or how it was decided, e.g. Children's Court, 3 March.",
    )
    placement_reason = serializers.ChoiceField(
        choices=ChildProtectionDecision.PlacementReason.choices,
        write_only=True,
        required=False,
        allow_blank=True,
        help_text="If the placement changed: why.",
    )
    placement_reason_details = serializers.CharField(
        write_only=True, max_length=300, required=False, allow_blank=True
    )

    class Meta:
        model = YoungPerson
        fields = [
            "version",
            "permanency_objective",
            "legal_order",
            "legal_order_ends_on",
            "placement",
            "placement_details",
            "decided_on",
            "note",
            "placement_reason",
            "placement_reason_details",
        ]
        extra_kwargs = {
            name: {"required": False}
            for name in ["permanency_objective", "legal_order", "placement", "placement_details"]
        }


_CONFLICT = inline_serializer(
    "Conflict",
    fields={
        "detail": serializers.CharField(),
        "version": serializers.IntegerField(help_text="The version now: read it and try again."),
        "changes": serializers.ListField(
            child=inline_serializer(
                "Changed",
                fields={
                    "field": serializers.CharField(),
                    "label": serializers.CharField(),
                    "now": serializers.CharField(help_text="What it says now, in words."),
                },
            )
        ),
    },
)


class ReferralSerializer(serializers.ModelSerializer):
    team = TeamField()
    key_people = ReferralKeyPersonSerializer(
        many=True, read_only=True, help_text="Family and significant others the referral names."
    )
    professionals = ReferralProfessionalSerializer(
        many=True, read_only=True, help_text="The professional network the referral names."
    )
    presenting_issues = serializers.DictField(
        child=serializers.CharField(max_length=2000, allow_blank=True),
        required=False,
        help_text="By life domain: " + ", ".join(LifeDomain.values),
    )
    risks = serializers.ListField(
        child=serializers.ChoiceField(choices=Referral.Risk.choices), required=False
    )
    client_reference = serializers.UUIDField(
        required=False,
        help_text="Chosen by the calling system: sending the same referral again returns it "
        "instead of making a second one.",
    )
    submit = serializers.BooleanField(
        write_only=True, default=False, help_text="Submit at once (otherwise a draft is saved)."
    )
    decline_reason = serializers.ChoiceField(
        choices=Referral.DeclineReason.choices,
        allow_blank=True,
        read_only=True,
        help_text="Why the team declined the referral; empty unless it did.",
    )
    missing = serializers.SerializerMethodField(
        help_text="What a draft still needs before it can be submitted."
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "client_reference",
            "status",
            *DRAFT_FIELDS,
            "key_people",
            "professionals",
            "submit",
            "missing",
            "decline_reason",
            "decision_notes",
            "created_at",
            "submitted_at",
            "decided_at",
            "young_person",
        ]
        read_only_fields = [
            "young_person",
            "id",
            "status",
            "decline_reason",
            "decision_notes",
            "created_at",
            "submitted_at",
            "decided_at",
        ]

    def get_missing(self, referral: Referral) -> list[str]:
        return missing_parts(referral) if referral.status == Referral.Status.DRAFT else []

    def validate_presenting_issues(self, issues: dict) -> dict:
        unknown = set(issues) - set(LifeDomain.values)
        if unknown:
            raise serializers.ValidationError(f"Unknown life domains: {', '.join(sorted(unknown))}")
        return {domain: text.strip() for domain, text in issues.items() if text.strip()}


class ReferralViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Referrals made by this system's practitioner account."""

    serializer_class = ReferralSerializer
    permission_classes = [IsAuthenticated, IsChildProtectionAccount]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Referral]:
        if getattr(self, "swagger_fake_view", False):  # building the schema: no user
            return Referral.objects.none()
        return (
            referrals_visible_to(self.request.user)
            .filter(referred_by=self.request.user)
            .prefetch_related("key_people", "professionals")
            .order_by("-created_at", "-id")
        )

    def permission_denied(
        self, request: Request, message: str | None = None, code: str | None = None
    ) -> None:
        """An account refused before the lookup (without the API's role): still a refused
        attempt on the referral it asked for, if that exists."""
        if "pk" in self.kwargs:
            note_refused(request, Referral, pk=self.kwargs["pk"])
        super().permission_denied(request, message, code)

    def get_object(self) -> Referral:
        """Through the policy, as a page finds it: the read, or the refusal, is audited."""
        referral = find_or_404(self.request, self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, referral)
        return referral

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        shows_list(request, "referrals-api")
        response = super().list(request, *args, **kwargs)
        audit_detail(request, referrals=[referral["id"] for referral in response.data["results"]])
        return response

    def _save(self, serializer: ReferralSerializer, referral: Referral | None) -> Referral:
        try:
            referral = save_referral(referral, by=self.request.user, **serializer.validated_data)
        except DjangoValidationError as error:
            raise _refusal(error) from error
        referral.refresh_from_db()
        return referral

    @extend_schema(
        responses={
            201: ReferralSerializer,
            200: OpenApiResponse(
                ReferralSerializer,
                "Sent again with the same `client_reference`: the referral it made the first time.",
            ),
        }
    )
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reference = serializer.validated_data.get("client_reference")
        existing = self.get_queryset().filter(client_reference=reference).first()
        if reference and existing is not None:
            found_record(request, existing)
            return Response(self.get_serializer(existing).data, status=status.HTTP_200_OK)
        referral = self._save(serializer, None)
        return Response(self.get_serializer(referral).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: object, **kwargs: object) -> Response:
        referral = self.get_object()
        if not request.user.has_perm("referrals.change_referral", referral):
            raise exceptions.PermissionDenied("Only a draft can be changed.")
        serializer = self.get_serializer(referral, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return Response(self.get_serializer(self._save(serializer, referral)).data)

    @extend_schema(request=None, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Submit a complete draft to the receiving team."""
        referral = self.get_object()
        if not request.user.has_perm("referrals.change_referral", referral):
            raise exceptions.PermissionDenied("This referral was already submitted.")
        try:
            submit_referral(referral, by=request.user)
        except DjangoValidationError as error:
            raise _refusal(error) from error
        referral.refresh_from_db()
        return Response(self.get_serializer(referral).data)

    @extend_schema(request=None, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """Withdraw a submitted referral that is still waiting for a decision."""
        referral = self.get_object()
        if not request.user.has_perm("referrals.withdraw_referral", referral):
            raise exceptions.PermissionDenied("This referral cannot be withdrawn now.")
        try:
            withdraw_referral(referral, by=request.user, note="Withdrawn through the API")
        except DjangoValidationError as error:
            raise _refusal(error) from error
        referral.refresh_from_db()
        return Response(self.get_serializer(referral).data)

    @extend_schema(
        request=ChildProtectionDecisionsSerializer,
        responses={
            200: ChildProtectionDecisionsSerializer,
            409: OpenApiResponse(_CONFLICT, "Changed since `version`: nothing was saved."),
        },
    )
    @action(detail=True, methods=["post"], url_path="child-protection-decisions")
    def child_protection_decisions(self, request: Request, pk: str | None = None) -> Response:
        """Record what child protection decided about the young person this referral became:
        their permanency objective, legal order, placement. Their case manager is told."""
        referral = self.get_object()
        if not request.user.has_perm("referrals.record_child_protection_decisions", referral):
            raise exceptions.PermissionDenied(
                "Only the practitioner whose referral began the current episode records these."
            )
        young_person = referral.young_person
        found_record(request, young_person)
        serializer = ChildProtectionDecisionsSerializer(young_person, data=request.data)
        serializer.is_valid(raise_exception=True)
        as_recorded = {name: getattr(young_person, name) for name in CHILD_PROTECTION_FIELDS}
        decided = as_recorded | serializer.validated_data  # what is left out stays as it is
        try:
            record_child_protection_decisions(young_person, by=request.user, **decided)
        except Conflict as conflict:
            changes = [
                {"field": change.name, "label": change.label, "now": change.value}
                for change in conflict.changes
            ]
            body = {"detail": str(conflict), "version": conflict.current.version}
            return Response(body | {"changes": changes}, status=status.HTTP_409_CONFLICT)
        except DjangoValidationError as error:
            raise _refusal(error) from error
        young_person.refresh_from_db()
        return Response(ChildProtectionDecisionsSerializer(young_person).data)
