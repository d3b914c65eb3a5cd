"""The contacts of a young person through the REST API, read-only: what the worker whose token it
is sees on the young person's timeline, through the same policy (clients.rules). A restricted
contact shows a non-reader that it exists, when and by whom, and nothing it says."""

from functools import cached_property

from django.db.models import QuerySet
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from clients.models import Contact, RestrictionReason, YoungPerson
from clients.queries import contacts_on_file
from clients.rules import young_people_visible_to
from toolkit.access import audit_detail, find_or_404, shows_restricted_content

# What a restricted contact's non-readers get as null.
CONTENT_FIELDS = ("kind", "mode", "location", "notes", "follow_up", "participants")


class ContactSerializer(serializers.ModelSerializer):
    workers = serializers.StringRelatedField(
        many=True, help_text="The workers who made the contact, by name."
    )
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

    def to_representation(self, contact: Contact) -> dict:
        shown = super().to_representation(contact)
        if not contact.content_readable:
            shown.update(dict.fromkeys([*CONTENT_FIELDS, "restricted_because"]))
        return shown


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
