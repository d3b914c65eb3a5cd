from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from audit.queries import young_people_named, young_people_searchable_by
from toolkit.forms import DateInput
from toolkit.validators import MAX_ID, validate_plausible_day


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class AuditSearchForm(forms.Form):
    def clean(self) -> dict:
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The period must end on or after the day it starts.")
        return data


class AuditEventFilter(django_filters.FilterSet):
    """Search the trail by person, young person, action and period. Days become ranges of
    timestamps so that the index and the monthly partitions are used."""

    who = django_filters.CharFilter(
        method="filter_who",
        label="Young person (name or CP number)",
        max_length=200,
        help_text="Who looked at this young person: their records, however named.",
    )
    username = django_filters.CharFilter(
        field_name="actor_username", lookup_expr="iexact", label="Username"
    )
    young_person = django_filters.NumberFilter(
        field_name="young_person_id",
        label="Young person (record number)",
        min_value=1,
        max_value=MAX_ID,
        decimal_places=0,
    )
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, empty_label="Any action")
    since = django_filters.DateFilter(
        method="filter_since", label="From", widget=DateInput(), validators=[validate_plausible_day]
    )
    until = django_filters.DateFilter(
        method="filter_until", label="To", widget=DateInput(), validators=[validate_plausible_day]
    )

    class Meta:
        model = AuditEvent
        form = AuditSearchForm
        fields = ["who", "username", "young_person", "action", "since", "until"]

    def filter_who(self, events: QuerySet, name: str, text: str) -> QuerySet:
        among = young_people_searchable_by(self.request.user)
        return events.filter(young_person_id__in=young_people_named(text, among=among))

    def filter_since(self, events: QuerySet, name: str, day: date) -> QuerySet:
        return events.filter(occurred_at__gte=_start_of(day))

    def filter_until(self, events: QuerySet, name: str, day: date) -> QuerySet:
        return events.filter(occurred_at__lt=_start_of(day + timedelta(days=1)))
