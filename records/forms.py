from django import forms

from toolkit.forms import DateInput
from toolkit.validators import MAX_ID, validate_date_of_birth


class ArchiveSearchForm(forms.Form):
    """A search of the team's archived files: by name or child protection number, date of
    birth, or both, always saying why (the audit trail keeps it)."""

    q = forms.CharField(label="Name or child protection number", max_length=200, required=False)
    born = forms.DateField(
        label="Date of birth",
        required=False,
        widget=DateInput(),
        validators=[validate_date_of_birth],
    )
    purpose = forms.CharField(
        label="Why are you searching?",
        max_length=300,
        help_text="For example: an access request, a subpoena, a care leaver asking for their "
        "file, a new referral. It is kept in the audit trail with the search.",
    )

    def clean(self) -> dict:
        data = super().clean()
        if not (data.get("q") or "").strip() and not data.get("born") and not self.errors:
            raise forms.ValidationError("Give a name, a child protection number or a birth date.")
        return data


class LegalHoldForm(forms.Form):
    """Place a hold (no `hold`), or lift the standing one (its number): with a reason."""

    hold = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput()
    )
    reason = forms.CharField(
        label="Why",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The court case, inquiry or claim; or, lifting it, what ended it.",
    )


class DisposalForm(forms.Form):
    confirmed = forms.BooleanField(
        label="I have checked there is no reason to keep this file",
        help_text="No claim, inquiry, court case or request for access stands or is expected.",
    )
    note = forms.CharField(
        label="Note",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you checked. It stays on the register of disposed files.",
    )
