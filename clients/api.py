"""Young people and their contacts through the REST API, read-only: what the account whose token
it is sees on the pages, through the same policy (clients.rules). A restricted contact shows a
non-reader that it exists, when and by whom, and nothing it says.

`RecordPartViewSet` is the base of every kind of record the API lists (young people, plans,
register entries, appointments, documents): those the account sees by the pages' own policy,
by id in pages of a cursor; each read audited as a page's is."""

import re
from datetime import UTC, datetime
from functools import cached_property

from django.db import connection
from django.db.models import Model, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from clients.models import Allocation, Contact, RestrictionReason, YoungPerson
from clients.queries import changed_since, contacts_on_file, current_allocations
from clients.rules import young_people_visible_to
from toolkit.access import audit_detail, find_or_404, shows_list, shows_restricted_content
from toolkit.validators import MAX_ID


class OldestFirst(CursorPagination):
    """Pages of 100 by id, with an opaque `next` link: a client synchronising follows `next`
    until it is null, and rows added meanwhile are neither skipped nor repeated."""

    ordering = ("pk",)
    page_size = 100
    max_page_size = 500
    page_size_query_param = "page_size"


class Synchronising(OldestFirst):
    """Each page also says `synchronised_to`: the moment to ask `updated_since` from next time."""

    def paginate_queryset(self, queryset: QuerySet, request: Request, view: object = None) -> list:
        self.synchronised_to = synchronised_to()  # before the rows are read
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: list) -> Response:
        response = super().get_paginated_response(data)
        response.data["synchronised_to"] = timezone.localtime(self.synchronised_to)
        return response

    def get_paginated_response_schema(self, schema: dict) -> dict:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["synchronised_to"] = {
            "type": "string",
            "format": "date-time",
            "description": "Pass it as `updated_since` next time: no change is missed.",
        }
        return paginated


YOUNG_PERSON_FILTER = OpenApiParameter(
    "young_person", OpenApiTypes.INT, description="Only this young person's."
)


class RecordPartViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Records of one kind (`model`) that the account sees (`visible_to`, the pages' policy), by
    id; `?young_person=` lists one young person's. A read of the list, or of one, is audited
    as a page's is. Read only: its serializers name no `read_only_fields`, which would drop
    from the schema the empty value a field that may be blank answers with."""

    model: type[Model]
    permission_classes = [IsAuthenticated]
    pagination_class = OldestFirst
    lookup_value_regex = "[0-9]+"
    # The query parameters its list is filtered by: a value of the wrong shape is a 400.
    filters = ("young_person",)

    @staticmethod
    def visible_to(user: User) -> QuerySet:
        raise NotImplementedError

    def with_related(self, records: QuerySet) -> QuerySet:
        """What the serializer reads of each, fetched with the page."""
        return records

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # building the schema: no user
            return self.model.objects.none()
        return self.with_related(self.visible_to(self.request.user))

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        young_person = self.request.query_params.get("young_person")
        if young_person is not None:
            if not re.fullmatch("[0-9]{1,19}", young_person) or int(young_person) > MAX_ID:
                raise exceptions.ValidationError({"young_person": "A young person's id."})
            queryset = queryset.filter(young_person_id=int(young_person))
        return queryset

    def get_object(self) -> Model:
        record = find_or_404(self.request, self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, record)
        return record

    @extend_schema(parameters=[YOUNG_PERSON_FILTER])
    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        shows_list(request, f"{self.basename}-api")
        response = super().list(request, *args, **kwargs)
        audit_detail(request, **{self.basename: [row["id"] for row in response.data["results"]]})
        return response


def _moment(value: str) -> datetime:
    """An ISO 8601 moment; one without a time zone is in ICMS's."""
    try:
        moment = datetime.fromisoformat(value.strip().replace(" ", "+"))
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment.astimezone(UTC)  # as the database compares it: a year 1 may not be
    except (ValueError, OverflowError):
        raise exceptions.ValidationError(
            {"updated_since": "Give a moment in ISO 8601, e.g. 2026-07-01T09:30:00+10:00."}
        ) from None


def synchronised_to() -> datetime:
    """The moment a client may ask `updated_since` from next time without missing a change:
    the start of the oldest transaction still open (a change it commits later bears that
    moment, by pghistory's trigger), or now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT least(now(), min(xact_start)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND xact_start IS NOT NULL"
        )
        return cursor.fetchone()[0]


class AllocationSerializer(serializers.ModelSerializer):
    worker = serializers.StringRelatedField(help_text="The worker, by name.")

    class Meta:
        model = Allocation
        fields = ["worker_id", "worker", "role", "started_on"]


class YoungPersonSerializer(serializers.ModelSerializer):
    intensity = serializers.StringRelatedField(allow_null=True, help_text="The intensity level.")
    team = serializers.StringRelatedField(help_text="The ICMS team, by name.")
    allocations = AllocationSerializer(
        many=True,
        source="current_allocations",
        help_text="The workers allocated now: the primary case manager and the care team.",
    )

    class Meta:
        model = YoungPerson
        fields = [
            "id",
            "given_name",
            "family_name",
            "preferred_name",
            "date_of_birth",
            "gender",
            "indigenous_status",
            "child_protection_number",
            "status",
            "intensity",
            "team_id",
            "team",
            "division_id",
            "primary_case_manager_id",
            "allocations",
            "permanency_objective",
            "legal_order",
            "legal_order_ends_on",
            "placement",
            "created_at",
            "version",
            "updated_at",
        ]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "updated_since",
                OpenApiTypes.DATETIME,
                description="Only young people whose record or allocation changed at or after "
                "this moment: pass the `synchronised_to` of the last complete synchronisation.",
            ),
            OpenApiParameter(
                "status", description="Only with this status.", enum=YoungPerson.Status.values
            ),
            OpenApiParameter("young_person", exclude=True),
        ]
    )
)
class YoungPersonViewSet(RecordPartViewSet):
    """The young people the account sees, by id. To synchronise: list with `updated_since`,
    follow `next` to the end, and keep `synchronised_to` for the next time."""

    model = YoungPerson
    serializer_class = YoungPersonSerializer
    pagination_class = Synchronising
    filters = ("updated_since", "status")
    visible_to = staticmethod(young_people_visible_to)

    def with_related(self, young_people: QuerySet[YoungPerson]) -> QuerySet[YoungPerson]:
        return young_people.select_related("intensity", "team").prefetch_related(
            current_allocations()
        )

    def filter_queryset(self, young_people: QuerySet[YoungPerson]) -> QuerySet[YoungPerson]:
        if since := self.request.query_params.get("updated_since"):
            young_people = young_people.filter(changed_since(_moment(since)))
        if status := self.request.query_params.get("status"):
            if status not in YoungPerson.Status.values:
                raise exceptions.ValidationError(
                    {"status": f"One of: {', '.join(YoungPerson.Status.values)}."}
                )
            young_people = young_people.filter(status=status)
        return young_people


# What a restricted contact's non-readers get as null.
CONTENT_FIELDS = ("kind", "mode", "location", "notes", "follow_up", "participants")


class RestrictableEntrySerializer(serializers.Serializer):
    """The fields of an entry whose content may be restricted (clients.RestrictableEntry), for
    a ModelSerializer of one: its `content_fields` are null for an account that may not read
    them (the queryset annotates `content_readable`, clients.rules.with_readable_content)."""

    content_fields: tuple[str, ...] = ()
    restricted = serializers.BooleanField(
        source="is_restricted",
        read_only=True,
        help_text="Only some workers read what it says. For the others, its content is null.",
    )
    restricted_because = serializers.ChoiceField(
        choices=RestrictionReason.choices,
        allow_blank=True,
        allow_null=True,
        read_only=True,
        help_text="Why it is restricted: empty when it is not, null for those who may not read it.",
    )

    def to_representation(self, entry: Model) -> dict:
        shown = super().to_representation(entry)
        if not entry.content_readable:
            shown.update(dict.fromkeys([*self.content_fields, "restricted_because"]))
        return shown


class ContactSerializer(RestrictableEntrySerializer, serializers.ModelSerializer):
    content_fields = CONTENT_FIELDS
    workers = serializers.StringRelatedField(
        many=True, help_text="The workers who made the contact, by name."
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "started_at",
            "duration_minutes",
            "after_hours",
            "reached_young_person",
            "workers",
            "recorded_at",
            "amended_at",
            "entered_in_error_at",
            "restricted",
            "restricted_because",
            *CONTENT_FIELDS,
        ]
        read_only_fields = fields
        extra_kwargs = {name: {"allow_null": True} for name in CONTENT_FIELDS}


class ContactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The contacts of a young person the account's worker sees, newest first."""

    serializer_class = ContactSerializer
    permission_classes = [IsAuthenticated]
    lookup_url_kwarg = "contact_pk"
    lookup_value_regex = "[0-9]+"

    @cached_property
    def young_person(self) -> YoungPerson:
        """Found through the policy, as the timeline finds them: the read, or the refusal, is
        audited."""
        visible = young_people_visible_to(self.request.user)
        return find_or_404(self.request, visible, pk=self.kwargs["pk"])

    def get_queryset(self) -> QuerySet[Contact]:
        if getattr(self, "swagger_fake_view", False):  # building the schema: no user
            return Contact.objects.none()
        contacts = contacts_on_file(self.young_person, self.request.user)
        return contacts.order_by("-started_at", "-pk")

    def get_object(self) -> Contact:
        contact = find_or_404(self.request, self.get_queryset(), pk=self.kwargs["contact_pk"])
        self.check_object_permissions(self.request, contact)
        return contact

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        response = super().list(request, *args, **kwargs)
        audit_detail(request, contacts=[contact["id"] for contact in response.data["results"]])
        return response

    def paginate_queryset(self, queryset: QuerySet[Contact]) -> "list[Contact] | None":
        page = super().paginate_queryset(queryset)
        readable = [contact for contact in page or () if contact.content_readable]
        shows_restricted_content(self.request, readable)
        return page

    def retrieve(self, request: Request, *args: object, **kwargs: object) -> Response:
        contact = self.get_object()
        if contact.content_readable:
            shows_restricted_content(request, [contact])
        return Response(self.get_serializer(contact).data)
