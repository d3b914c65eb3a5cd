from datetime import date, timedelta

from django import forms
from django.utils import timezone

from accounts.models import Division, Team
from icms.forms import DateInput
from supervision.reports import Scope

LONGEST_PERIOD = timedelta(days=5 * 366)


def last_twelve_months(today: date) -> dict[str, date]:
    """From the first of the month eleven months ago to today."""
    year, month = (
        (today.year, today.month - 11) if today.month == 12 else (today.year - 1, today.month + 1)
    )
    return {"starts_on": date(year, month, 1), "ends_on": today}


class ReportForm(forms.Form):
    starts_on = forms.DateField(label="From", widget=DateInput)
    ends_on = forms.DateField(label="To (included)", widget=DateInput)
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
