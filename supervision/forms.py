from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Division, Team, User
from audit.models import AuditAction, AuditEvent
from supervision.models import SupervisionAction, SupervisionSession
from supervision.queries import young_people_named, young_people_searchable_by
from supervision.reports import Scope
from toolkit.forms import ACTION_ROWS, DateInput
from toolkit.validators import MAX_ID, validate_plausible_day

LONGEST_PERIOD = timedelta(days=5 * 366)


def last_twelve_months(today: date) -> dict[str, date]:
    """From the first of the month eleven months ago to today."""
    year, month = (
        (today.year, today.month - 11) if today.month == 12 else (today.year - 1, today.month + 1)
    )
    return {"starts_on": date(year, month, 1), "ends_on": today}


class ReportForm(forms.Form):
    starts_on = forms.DateField(label="From", widget=DateInput, validators=[validate_plausible_day])
    ends_on = forms.DateField(
        label="To (included)", widget=DateInput, validators=[validate_plausible_day]
    )
    division = forms.ModelChoiceField(
        Division.objects.all(), required=False, empty_label="All divisions"
    )
    team = forms.ModelChoiceField(Team.objects.all(), required=False, empty_label="All teams")

    def __init__(self, data: object = None) -> None:
        if not data:
            data = {key: f"{day:%Y-%m-%d}" for key, day in last_twelve_months(
                timezone.localdate()
            ).items()}  # fmt: skip
        super().__init__(data)

    def clean(self) -> dict:
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on:
            if ends_on < starts_on:
                self.add_error("ends_on", "The period ends before it starts.")
            elif ends_on - starts_on > LONGEST_PERIOD:
                self.add_error("ends_on", "Choose a period of at most five years.")
        return cleaned

    def scope(self) -> Scope:
        data = self.cleaned_data
        return Scope(
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            team_id=data["team"].pk if data["team"] else None,
            division_id=data["division"].pk if data["division"] else None,
        )


class SessionForm(forms.ModelForm):
    """A supervision session; the young people of the worker's caseload to tick, and a "done"
    tick for each action left open from earlier sessions."""

    young_people = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label="Young people discussed",
        error_messages={
            "invalid_choice": "Only young people of the worker's caseload can be discussed here."
        },
    )

    class Meta:
        model = SupervisionSession
        fields = ["held_on", "young_people", "debriefing", "safety_matters", "notes"]
        widgets = {
            "held_on": DateInput(),
            "debriefing": forms.Textarea(attrs={"rows": 4}),
            "safety_matters": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(
        self,
        *args: object,
        cases: QuerySet,
        open_actions: list[SupervisionAction],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["young_people"].queryset = cases
        self.open_actions = open_actions
        for action in open_actions:
            self.fields[f"done-{action.pk}"] = forms.BooleanField(
                required=False,
                label=f"Done: {action.description}",
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )

    def ticked(self) -> set[str]:
        return {str(value) for value in self["young_people"].value() or []}

    def action_rows(self) -> list[tuple[SupervisionAction, forms.BoundField]]:
        return [(action, self[f"done-{action.pk}"]) for action in self.open_actions]

    def done_actions(self) -> list[SupervisionAction]:
        return [action for action in self.open_actions if self.cleaned_data[f"done-{action.pk}"]]


SessionActionFormSet = forms.inlineformset_factory(
    SupervisionSession,
    SupervisionAction,
    error_messages={
        "description": {"required": "Say what is to be done (or leave the row empty)."}
    },
    **ACTION_ROWS,
)


class SessionFilter(django_filters.FilterSet):
    worker = django_filters.ModelChoiceFilter(
        queryset=User.objects.none(), empty_label="Every worker"
    )

    class Meta:
        model = SupervisionSession
        fields = ["worker"]

    def __init__(self, *args: object, workers: QuerySet[User], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.filters["worker"].queryset = workers


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
