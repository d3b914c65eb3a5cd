from django import forms

from accounts.models import User
from oncall.models import Period
from oncall.services import Rostered
from toolkit.formats import show_date, show_time


class WeekForm(forms.Form):
    """A week's roster on one page: for each period, who is on call and the backup, chosen
    from the team's members (read once). A period left empty is a gap."""

    def __init__(self, data=None, *, periods: list[Period], members: list[User], initial=None):
        super().__init__(data, initial=initial)
        self.periods = periods
        self.members = {str(member.pk): member for member in members}
        choices = [("", "Nobody"), *((pk, str(member)) for pk, member in self.members.items())]
        for number, period in enumerate(periods):
            label = (
                f"{show_date(period.starts_at)}, {period.label.lower()} "
                f"({show_time(period.starts_at)} to {show_time(period.ends_at)})"
            )
            self.fields[f"worker_{number}"] = forms.ChoiceField(
                label=f"{label}: on call", choices=choices, required=False
            )
            self.fields[f"backup_{number}"] = forms.ChoiceField(
                label="Backup", choices=choices, required=False
            )

    def rows(self) -> list[tuple[Period, forms.BoundField, forms.BoundField]]:
        return [
            (period, self[f"worker_{number}"], self[f"backup_{number}"])
            for number, period in enumerate(self.periods)
        ]

    def clean(self) -> dict:
        data = super().clean()
        for number in range(len(self.periods)):
            worker, backup = data.get(f"worker_{number}"), data.get(f"backup_{number}")
            if backup and not worker:
                self.add_error(f"backup_{number}", "Choose who is on call before a backup.")
            elif backup and backup == worker:
                self.add_error(f"backup_{number}", "The backup must be someone else.")
        return data

    def rostered(self) -> list[Rostered]:
        data = self.cleaned_data
        return [
            Rostered(
                period.starts_at,
                self.members.get(data.get(f"worker_{number}") or ""),
                self.members.get(data.get(f"backup_{number}") or ""),
            )
            for number, period in enumerate(self.periods)
        ]


class SwapForm(forms.Form):
    to_worker = forms.ModelChoiceField(
        queryset=User.objects.none(), label="Hand the shift to", empty_label="Choose a worker"
    )
    reason = forms.CharField(max_length=300, label="Why?", widget=forms.TextInput())

    def __init__(self, data=None, *, members):
        super().__init__(data)
        self.fields["to_worker"].queryset = members


class HandoverForm(forms.Form):
    note = forms.CharField(
        max_length=4000,
        label="Handover for the morning",
        help_text="What happened on the shift and what the team needs to follow up. The "
        "supervisors' morning summary carries it.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Write what the next person needs to know."},
    )
