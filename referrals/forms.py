import uuid

from django import forms
from django.utils import timezone

from accounts.models import Team, User
from clients.models import IntensityLevel, LifeDomain
from icms.forms import DateInput
from icms.validators import validate_past_day
from referrals.models import Consultation, Referral
from referrals.services import DRAFT_FIELDS

AGREEMENT_TERMS = """\
We agree to work together so that {name} is safe, well and has people to rely on.

ICMS will:
- give {name} a case manager who keeps in regular contact, evenings and weekends included;
- make a case plan with {name}, and with family and others where {name} wants them involved;
- work with child protection, school, health and other services, and tell {name} what is shared;
- help in a crisis, and make sure someone can be reached after hours.

{name} is asked to:
- meet their case manager and say what they want from ICMS;
- say when something is not working, so that the plan can change.

Child protection remains responsible for the case plan's significant decisions (such as the
permanency objective and placement), and will:
- keep ICMS informed of changes to orders, placement and the case plan;
- take part in case plan reviews and the fortnightly register reviews.

This agreement is reviewed with the case plan, and ends when {name} exits ICMS.
"""


class ReferralForm(forms.ModelForm):
    """A referral, as child protection fills it in. Drafts may be incomplete; submitting
    checks every part (referrals.services.missing_parts)."""

    client_reference = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    risks = forms.MultipleChoiceField(
        choices=Referral.Risk.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Referral
        fields = [name for name in DRAFT_FIELDS if name != "presenting_issues"]
        widgets = {
            "date_of_birth": DateInput(),
            "register_listed_on": DateInput(),
            "risk_details": forms.Textarea(attrs={"rows": 3}),
            "tried_before": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: object, teams: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["team"].empty_label = None
        # Names and number are checked when the referral is submitted, not when it is saved.
        for name in ("given_name", "family_name"):
            self.fields[name].required = False
        issues = self.instance.presenting_issues if self.instance.pk else {}
        for domain in LifeDomain:
            self.fields[f"issue_{domain.value}"] = forms.CharField(
                label=domain.label,
                required=False,
                max_length=2000,
                initial=issues.get(domain.value, ""),
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def issue_fields(self) -> list[forms.BoundField]:
        return [self[f"issue_{domain.value}"] for domain in LifeDomain]

    def draft_fields(self) -> dict:
        """What the service saves: the model fields and the presenting issues by domain."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["presenting_issues"] = {
            domain.value: self.cleaned_data[f"issue_{domain.value}"].strip()
            for domain in LifeDomain
            if self.cleaned_data[f"issue_{domain.value}"].strip()
        }
        return data


class AttachmentForm(forms.Form):
    document = forms.FileField(
        label="Attach a document",
        help_text="A PDF, a Word document or a photo; at most 10 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.doc,.docx,.jpg,.jpeg,.png,.heic"}),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AcceptForm(forms.Form):
    case_manager = forms.ModelChoiceField(queryset=User.objects.none())
    intensity = forms.ModelChoiceField(queryset=IntensityLevel.objects.all())
    agreed_on = forms.DateField(
        label="Agreement date",
        initial=timezone.localdate,
        widget=DateInput(),
        validators=[validate_past_day],
    )
    parties = forms.CharField(
        label="Parties to the agreement", max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )
    terms = forms.CharField(max_length=8000, widget=forms.Textarea(attrs={"rows": 14}))

    def __init__(self, *args: object, case_managers: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case_manager"].queryset = case_managers


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(choices=Referral.DeclineReason.choices)
    notes = forms.CharField(
        label="Explanation for the referrer",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    advice = forms.CharField(
        label="Advice to the referrer (logged as a consultation)",
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the practitioner could try instead, and who else could help.",
    )


class ConsultationForm(forms.ModelForm):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), empty_label=None)

    class Meta:
        model = Consultation
        fields = ["team", "asked_by", "organisation", "asked_on", "question", "advice"]
        widgets = {
            "asked_on": DateInput(),
            "question": forms.Textarea(attrs={"rows": 3}),
            "advice": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: object, teams: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
