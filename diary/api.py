"""Appointments through the REST API, read-only: those of the young people the account sees
(diary.rules), as the young person's diary shows them."""

from django.db.models import QuerySet
from rest_framework import serializers

from clients.api import RecordPartViewSet
from diary.models import Appointment
from diary.rules import appointments_visible_to


class AppointmentSerializer(serializers.ModelSerializer):
    workers = serializers.StringRelatedField(many=True, help_text="The workers going, by name.")

    class Meta:
        model = Appointment
        fields = [
            "id",
            "young_person_id",
            "what",
            "kind",
            "starts_at",
            "duration_minutes",
            "place",
            "participants",
            "workers",
            "transport_needed",
            "note",
            "series",
            "outcome",
            "outcome_at",
            "cancel_reason",
            "contact_id",
            "version",
            "updated_at",
        ]


class AppointmentViewSet(RecordPartViewSet):
    model = Appointment
    serializer_class = AppointmentSerializer
    visible_to = staticmethod(appointments_visible_to)

    def with_related(self, appointments: QuerySet[Appointment]) -> QuerySet[Appointment]:
        return appointments.prefetch_related("workers")
