from django import forms
from django.utils import timezone

from accounts.models import User
from clients.models import IntensityLevel
from exits.models import Closure, FollowUp, NoExitPlanReason, Reopening
from toolkit.forms import DateInput
from toolkit.validators import validate_past_day, validate_plausible_day


def _a_past_day(label: str) -> forms.DateField:
    """A day up to today, today unless changed."""
    return forms.DateField(
        label=label,
        widget=DateInput(),
        initial=timezone.localdate,
        validators=[validate_plausible_day, validate_past_day],
    )


class CloseForm(forms.ModelForm):
    """Closing an episode: when, why (coded), where to, and why there is no exit plan if there
    is none."""

    closed_on = _a_past_day("Closed on")
    no_exit_plan_because = forms.ChoiceField(
        label="No exit plan because",
        choices=[("", "There is an exit plan"), *NoExitPlanReason.choices],
        required=False,
        help_text="Only when the young person left without one.",
    )

    class Meta:
        model = Closure
        fields = ["closed_on", "reason", "destination", "no_exit_plan_because", "phone", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}


class FollowUpForm(forms.ModelForm):
    made_on = _a_past_day("When")
    reached = forms.TypedChoiceField(
        label="Did you reach the young person?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda answer: answer == "yes",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = FollowUp
        fields = ["made_on", "mode", "reached", "spoke_with", "holding", "notes"]
        labels = {"mode": "How", "holding": "Are the supports holding?"}
        widgets = {"holding": forms.RadioSelect, "notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # The model allows them empty until the follow-up is made; making it needs them.
        self.fields["mode"].required = True
        self.fields["holding"].required = True
        self.fields["holding"].choices = FollowUp.Holding.choices


class ReopenForm(forms.ModelForm):
    """Reopening a closed file on a re-referral: who asked and why, the case manager and the
    intensity of the new episode."""

    case_manager = forms.ModelChoiceField(queryset=User.objects.none())
    intensity = forms.ModelChoiceField(queryset=IntensityLevel.objects.all())

    class Meta:
        model = Reopening
        fields = ["referred_by", "referrer", "why", "case_manager", "intensity"]
        widgets = {"referred_by": forms.RadioSelect, "why": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: object, workers: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case_manager"].queryset = workers
