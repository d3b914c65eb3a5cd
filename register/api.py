"""Register entries and their fortnightly reviews through the REST API, read-only: those the
account sees on the register's pages (register.rules): the coordinator their division's, ICMS
workers and practitioners those of the young people they see."""

from django.db.models import QuerySet
from rest_framework import serializers

from clients.api import RecordPartViewSet
from register.models import RegisterEntry, RegisterReview
from register.queries import with_reviews
from register.rules import register_entries_visible_to


class RegisterReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = RegisterReview
        fields = ["id", "due_on", "reviewed_on", "participants", "outcome", "notes"]


class RegisterEntrySerializer(serializers.ModelSerializer):
    reviews = RegisterReviewSerializer(many=True, help_text="Newest first.")

    class Meta:
        model = RegisterEntry
        fields = [
            "id",
            "young_person_id",
            "division_id",
            "listed_on",
            "risk_factors",
            "risk_details",
            "status",
            "removed_on",
            "removal_reason",
            "reviews",
        ]


class RegisterEntryViewSet(RecordPartViewSet):
    """Register entries, each with its reviews."""

    model = RegisterEntry
    serializer_class = RegisterEntrySerializer
    visible_to = staticmethod(register_entries_visible_to)

    def with_related(self, entries: QuerySet[RegisterEntry]) -> QuerySet[RegisterEntry]:
        return with_reviews(entries)
