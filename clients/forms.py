from django import forms

from clients.models import Disclosure
from icms.forms import DateInput


class DisclosureForm(forms.ModelForm):
    class Meta:
        model = Disclosure
        fields = [
            "disclosed_on",
            "information",
            "recipient_organisation",
            "recipient_person",
            "authority",
            "authority_detail",
        ]
        widgets = {
            "disclosed_on": DateInput(),
            "information": forms.Textarea(attrs={"rows": 3}),
        }


class BreakGlassForm(forms.Form):
    """Find the young person (by number, or by family name and date of birth) and say why."""

    child_protection_number = forms.CharField(
        label="Child protection client number", max_length=30, required=False
    )
    family_name = forms.CharField(max_length=100, required=False)
    date_of_birth = forms.DateField(required=False, widget=DateInput())
    reason = forms.CharField(
        label="Why do you need their safety plan now?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Your supervisor and theirs will read this tomorrow.",
    )

    def clean(self) -> dict:
        data = super().clean()
        by_number = bool(data.get("child_protection_number", "").strip())
        by_name = bool(data.get("family_name", "").strip() and data.get("date_of_birth"))
        if not by_number and not by_name:
            raise forms.ValidationError(
                "Give the child protection client number, or the family name and date of birth."
            )
        return data


class ReviewForm(forms.Form):
    """An empty form: the supervisor confirms they have seen an after-hours access."""
