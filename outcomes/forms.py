import uuid

from django import forms
from django.utils import timezone

from outcomes.models import Instrument, Review, Scale
from outcomes.services import Rated
from toolkit.forms import DateInput
from toolkit.validators import validate_past_day


class InstrumentChoiceForm(forms.Form):
    """Which instrument a new review uses (ICMS's own unless the agency adds another)."""

    instrument = forms.ModelChoiceField(Instrument.objects.none(), empty_label=None)

    def __init__(self, *args: object, instruments: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].queryset = instruments


class ReviewForm(forms.Form):
    """A review on a phone: the occasion and date, then each item as a row: the scale's points
    to choose, a short reason, and beside it the young person's own rating and words."""

    client_reference = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    occasion = forms.ChoiceField(choices=Review.Occasion.choices)
    reviewed_on = forms.DateField(
        label="Date of the review", widget=DateInput(), validators=[validate_past_day]
    )
    engagement = forms.ChoiceField(
        label="Education, training or employment now",
        choices=Review.Engagement.choices,
        widget=forms.RadioSelect,
    )
    young_person_view = forms.CharField(
        label="The young person's view overall, in their words",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: object, instrument: Instrument, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.fields["reviewed_on"].initial = timezone.localdate
        self.scales: list[Scale] = list(instrument.scales.all())
        for scale in self.scales:
            points = [(point.value, f"{point.value} {point.label}") for point in scale.points.all()]
            for item in scale.items.all():
                prefix = f"item-{item.pk}"
                self.fields[f"{prefix}-value"] = forms.TypedChoiceField(
                    label=item.label,
                    choices=points,
                    coerce=int,
                    widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                    help_text=item.help_text,
                    error_messages={"required": f"Rate {item.label.lower()}."},
                )
                self.fields[f"{prefix}-reason"] = forms.CharField(
                    label="Why",
                    max_length=300,
                    required=False,
                    widget=forms.TextInput(attrs={"class": "form-control"}),
                )
                self.fields[f"{prefix}-own_value"] = forms.TypedChoiceField(
                    label="Their rating",
                    choices=[("", "Not given"), *points],
                    coerce=int,
                    empty_value=None,
                    required=False,
                    widget=forms.Select(attrs={"class": "form-select"}),
                )
                self.fields[f"{prefix}-own_words"] = forms.CharField(
                    label="In their words",
                    max_length=300,
                    required=False,
                    widget=forms.TextInput(attrs={"class": "form-control"}),
                )

    def scale_rows(self) -> list[tuple[Scale, list[tuple]]]:
        """For the page: each scale with its items, each item with its four fields."""
        return [
            (
                scale,
                [
                    (item, *(self[f"item-{item.pk}-{name}"] for name in Rated.FIELDS))
                    for item in scale.items.all()
                ],
            )
            for scale in self.scales
        ]

    def ratings(self) -> list[Rated]:
        data = self.cleaned_data
        return [
            Rated(item=item, **{name: data[f"item-{item.pk}-{name}"] for name in Rated.FIELDS})
            for scale in self.scales
            for item in scale.items.all()
        ]

    def fields_to_save(self) -> dict:
        data = self.cleaned_data
        return {
            "instrument": self.instrument,
            "occasion": data["occasion"],
            "reviewed_on": data["reviewed_on"],
            "engagement": data["engagement"],
            "young_person_view": data["young_person_view"],
            "client_reference": data["client_reference"],
            "ratings": self.ratings(),
        }


class InErrorForm(forms.Form):
    reason = forms.CharField(label="Why is this review in error?", max_length=300)
