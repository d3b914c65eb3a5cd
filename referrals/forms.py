import uuid

from django import forms
from django.utils import timezone

from accounts.models import Team, User
from clients.models import IntensityLevel, LifeDomain
from referrals.models import (
    Consultation,
    Referral,
    ReferralKeyPerson,
    ReferralProfessional,
)
from referrals.services import DRAFT_FIELDS, Difference
from toolkit.forms import DateInput
from toolkit.validators import validate_past_day

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


class _PersonRow(forms.ModelForm):
    """One row of the people a referral names. A row left blank is no one; a row with anything
    in it needs a name and the kind (relationship or role) of the person."""

    kind = ""  # the field saying how the person is related to the young person

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for form_field in self.fields.values():
            form_field.required = False

    def clean(self) -> dict:
        data = super().clean()
        given = [name for name, value in data.items() if value and name != "is_support"]
        if given and not data.get("name"):
            self.add_error("name", "Give their name, or clear the row.")
        elif given and not data.get(self.kind):
            self.add_error(self.kind, "Choose one.")
        return data

    @property
    def row(self) -> dict | None:
        """What the service saves of this row, or None for a blank one."""
        if not getattr(self, "cleaned_data", {}).get("name"):
            return None
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ReferralKeyPersonForm(_PersonRow):
    kind = "relationship"

    class Meta:
        model = ReferralKeyPerson
        fields = ["name", "relationship", "phone", "notes", "is_support"]


class ReferralProfessionalForm(_PersonRow):
    kind = "role"

    class Meta:
        model = ReferralProfessional
        fields = ["role", "name", "organisation", "phone", "email"]


KeyPeopleFormSet = forms.formset_factory(ReferralKeyPersonForm, extra=1, max_num=20)
ProfessionalsFormSet = forms.formset_factory(ReferralProfessionalForm, extra=1, max_num=20)


class ReferralForm(forms.ModelForm):
    """A referral, as child protection fills it in, with the family and the professional network
    it names (formsets) and a document to attach. Drafts may be incomplete; submitting checks
    every part (referrals.services.missing_parts)."""

    client_reference = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    risks = forms.MultipleChoiceField(
        choices=Referral.Risk.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    document = forms.FileField(
        label="Attach a document",
        required=False,
        help_text="A PDF, a Word document or a photo; at most 10 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.doc,.docx,.jpg,.jpeg,.png,.heic"}),
    )

    class Meta:
        model = Referral
        fields = [name for name in DRAFT_FIELDS if name != "presenting_issues"]
        widgets = {
            "date_of_birth": DateInput(),
            "legal_order_ends_on": DateInput(),
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
        saved = self.instance.pk is not None
        if saved:
            self.fields["client_reference"].initial = self.instance.client_reference
        issues = self.instance.presenting_issues if saved else {}
        for domain in LifeDomain:
            self.fields[f"issue_{domain.value}"] = forms.CharField(
                label=domain.label,
                required=False,
                max_length=2000,
                initial=issues.get(domain.value, ""),
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        data = self.data if self.is_bound else None
        # What is posted is the whole list: compared with the saved rows, a row sent unchanged
        # would count as an empty one.
        rows = {"key_people": ReferralKeyPersonForm, "professionals": ReferralProfessionalForm}
        initial = {
            name: list(getattr(self.instance, name).values(*row.Meta.fields))
            if saved and data is None
            else []
            for name, row in rows.items()
        }
        self.key_people = KeyPeopleFormSet(data, prefix="family", initial=initial["key_people"])
        self.professionals = ProfessionalsFormSet(
            data, prefix="network", initial=initial["professionals"]
        )

    def is_valid(self) -> bool:
        return all([super().is_valid(), self.key_people.is_valid(), self.professionals.is_valid()])

    def issue_fields(self) -> list[forms.BoundField]:
        return [self[f"issue_{domain.value}"] for domain in LifeDomain]

    def draft_fields(self) -> dict:
        """What the service saves: every field the form found valid (all of them, once it is
        valid), the presenting issues by domain, and the family and network rows. Call after
        is_valid()."""
        cleaned = self.cleaned_data
        data = {name: cleaned[name] for name in self.Meta.fields if name in cleaned}
        issues = {domain.value: cleaned.get(f"issue_{domain.value}") for domain in LifeDomain}
        if None not in issues.values():
            data["presenting_issues"] = {
                domain: text.strip() for domain, text in issues.items() if text.strip()
            }
        for name in ("key_people", "professionals"):
            formset = getattr(self, name)
            if formset.is_valid():
                data[name] = [form.row for form in formset if form.row is not None]
        return data

    def problems(self) -> list[str]:
        """The labels of what the form could not take as it is."""
        labelled = [str(self[name].label) for name in self.errors if name in self.fields]
        if not self.key_people.is_valid():
            labelled.append("Family and significant others")
        if not self.professionals.is_valid():
            labelled.append("Professional network")
        return labelled


class NoteForm(forms.Form):
    note = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class WithdrawDocumentForm(forms.Form):
    reason = forms.CharField(label="Why", max_length=300)


AGREEMENT_FIELDS = ["case_manager", "intensity", "agreed_on", "parties", "terms"]


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

    def __init__(
        self,
        *args: object,
        case_managers: object,
        differences: list[Difference] = (),
        **kwargs: object,
    ) -> None:
        """`differences`: where the referral says otherwise than the record ICMS holds; for each,
        the supervisor keeps the record's or takes the referral's."""
        super().__init__(*args, **kwargs)
        self.fields["case_manager"].queryset = case_managers
        self.differences = differences
        for difference in differences:
            self.fields[f"take_{difference.field}"] = forms.ChoiceField(
                label=difference.label,
                choices=[("keep", "Keep the record's"), ("take", "Take the referral's")],
                initial="keep",
                required=False,  # not chosen: kept
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )

    def agreement_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in AGREEMENT_FIELDS]

    def difference_choices(self) -> list[tuple[Difference, forms.BoundField]]:
        return [(difference, self[f"take_{difference.field}"]) for difference in self.differences]

    def decision(self) -> dict:
        """accept_referral's arguments: the agreement, and the facts taken from the referral."""
        data = {field.name: self.cleaned_data[field.name] for field in self.agreement_fields()}
        data["take"] = [
            difference.field
            for difference in self.differences
            if self.cleaned_data[f"take_{difference.field}"] == "take"
        ]
        return data


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
