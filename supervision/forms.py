from datetime import date, timedelta

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Division, Team, User
from supervision.models import SupervisionAction, SupervisionSession
from supervision.reports import Scope
from toolkit.forms import DateInput
from toolkit.validators import validate_plausible_day

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
    fields=["description", "owner", "due_on"],
    widgets={"due_on": DateInput()},
    error_messages={
        "description": {"required": "Say what is to be done (or leave the row empty)."}
    },
    extra=3,
    # However many rows a request claims (its TOTAL_FORMS), at most these are built.
    max_num=20,
    absolute_max=20,
    validate_max=True,
    can_delete=False,
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
