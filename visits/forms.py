from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from clients.forms import DateTimeInput
from clients.models import YoungPerson
from visits.models import VisitPlan
from visits.services import check_back_by


class VisitPlanForm(forms.ModelForm):
    young_person = forms.ModelChoiceField(
        queryset=YoungPerson.objects.none(),
        required=False,
        label="Young person visited (if any)",
        error_messages={"invalid_choice": "Choose one of the young people you work with."},
    )

    class Meta:
        model = VisitPlan
        fields = ["young_person", "place", "purpose", "contact", "leaves_at", "back_by"]
        widgets = {"leaves_at": DateTimeInput(), "back_by": DateTimeInput()}

    def __init__(self, *args: object, young_people: QuerySet[YoungPerson], **kwargs: object):
        super().__init__(*args, **kwargs)
        self.fields["young_person"].queryset = young_people

    def clean(self) -> dict:
        """The rules for the time back, beside the field (the database constraints behind them
        would only name themselves)."""
        cleaned = super().clean()
        leaves_at, back_by = cleaned.get("leaves_at"), cleaned.get("back_by")
        if leaves_at and back_by:
            try:
                check_back_by(back_by, leaves_at=leaves_at, now=timezone.now())
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class ExtendForm(forms.Form):
    back_by = forms.DateTimeField(label="New time back", widget=DateTimeInput())


class CheckInForm(forms.Form):
    note = forms.CharField(
        max_length=1000,
        required=False,
        label="Note (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
