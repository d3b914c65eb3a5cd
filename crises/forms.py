import uuid
from datetime import date, datetime, timedelta

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from clients.forms import DateTimeInput, RestrictionFields
from clients.queries import local_midnight
from clients.services import CLOCK_TOLERANCE
from crises.models import CrisisEvent
from toolkit.forms import DateInput
from toolkit.validators import validate_plausible_day


class CrisisForm(RestrictionFields, forms.ModelForm):
    """What a worker writes down after (or during) a crisis, on a phone. `client_reference` is
    made when the form is first shown, so a resubmission is recognised."""

    client_reference = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    actions = forms.MultipleChoiceField(
        choices=CrisisEvent.Action.choices,
        required=False,
        label="What was done",
        widget=forms.CheckboxSelectMultiple,
    )
    safe_at_end = forms.ChoiceField(
        choices=CrisisEvent.Safe.choices,
        label="Was the young person safe at the end?",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = CrisisEvent
        fields = [
            "occurred_at",
            "caller",
            "caller_relationship",
            "what_happened",
            "actions",
            "action_details",
            "outcome",
            "safe_at_end",
        ]
        widgets = {
            "occurred_at": DateTimeInput(),
            "what_happened": forms.Textarea(attrs={"rows": 5}),
            "action_details": forms.Textarea(attrs={"rows": 3}),
            "outcome": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "what_happened": {"required": "Say what happened."},
            "outcome": {"required": "Say how it ended."},
        }

    def __init__(
        self, *args: object, readers: QuerySet[User] | None = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.add_restriction_fields(readers)

    def clean_occurred_at(self) -> datetime:
        occurred_at = self.cleaned_data["occurred_at"]
        if occurred_at > timezone.now() + CLOCK_TOLERANCE:
            raise forms.ValidationError("A crisis cannot be recorded as happening later.")
        return occurred_at


class InErrorForm(forms.Form):
    reason = forms.CharField(
        max_length=300, label="Why is this crisis in error?", widget=forms.TextInput()
    )


class CrisisLogForm(forms.Form):
    def clean(self) -> dict:
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The period must end on or after the day it starts.")
        return data


class CrisisLogFilter(django_filters.FilterSet):
    """The crisis log by when the crises happened and whether after hours. The morning summary
    links here with the period in which they were logged (`logged_from`, `logged_before`)."""

    since = django_filters.DateFilter(
        method="happened_since",
        label="From",
        widget=DateInput(),
        validators=[validate_plausible_day],
    )
    until = django_filters.DateFilter(
        method="happened_until", label="To", widget=DateInput(), validators=[validate_plausible_day]
    )
    after_hours = django_filters.ChoiceFilter(
        choices=[("yes", "After hours"), ("no", "Office hours")],
        empty_label="Any time",
        label="When",
        method="by_after_hours",
    )
    logged_from = django_filters.IsoDateTimeFilter(
        field_name="recorded_at", lookup_expr="gte", widget=forms.HiddenInput
    )
    logged_before = django_filters.IsoDateTimeFilter(
        field_name="recorded_at", lookup_expr="lt", widget=forms.HiddenInput
    )

    class Meta:
        model = CrisisEvent
        form = CrisisLogForm
        fields = ["since", "until", "after_hours", "logged_from", "logged_before"]

    def happened_since(self, crises: QuerySet, name: str, day: date) -> QuerySet:
        return crises.filter(occurred_at__gte=local_midnight(day))

    def happened_until(self, crises: QuerySet, name: str, day: date) -> QuerySet:
        return crises.filter(occurred_at__lt=local_midnight(day + timedelta(days=1)))

    def by_after_hours(self, crises: QuerySet, name: str, value: str) -> QuerySet:
        return crises.after_hours() if value == "yes" else crises.in_office_hours()
