import django_filters
from django import forms

from accounts.models import Division
from clients.models import YoungPerson
from referrals.models import Referral
from register.models import (
    LiaisonMeeting,
    MeetingAction,
    RegisterEntry,
    RegisterReview,
)
from register.services import Discussed
from toolkit.forms import ACTION_ROWS, DateInput
from toolkit.validators import validate_past_day

REVIEW_SOON_DAYS = 7


class RegisterFilter(django_filters.FilterSet):
    """The register, by status, division and when the review falls due."""

    status = django_filters.ChoiceFilter(
        choices=RegisterEntry.Status.choices, empty_label="Listed and removed"
    )
    division = django_filters.ModelChoiceFilter(
        queryset=Division.objects.none(), empty_label="Every division"
    )
    review = django_filters.ChoiceFilter(
        label="Review",
        choices=[("overdue", "Overdue"), ("soon", f"Due within {REVIEW_SOON_DAYS} days")],
        empty_label="Any time",
        method="by_review",
    )

    class Meta:
        model = RegisterEntry
        fields = ["status", "division", "review"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # The divisions of the entries the user sees (a coordinator: their own), not every one.
        self.filters["division"].queryset = Division.objects.filter(
            pk__in=self.queryset.values("division")
        )

    def by_review(self, entries: object, name: str, value: str) -> object:
        return entries.filter(**{f"review_{value}": True})


class ConfirmListingForm(forms.ModelForm):
    """The listing as the coordinator confirms it: when, and for which risks."""

    risk_factors = forms.MultipleChoiceField(
        choices=Referral.Risk.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Risk factors",
    )

    class Meta:
        model = RegisterEntry
        fields = ["listed_on", "risk_factors", "risk_details"]
        widgets = {"listed_on": DateInput(), "risk_details": forms.Textarea(attrs={"rows": 3})}


class NotListedForm(forms.Form):
    reason = forms.CharField(
        label="Why they are not listed",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="ICMS and the referrer read it.",
    )


class ListingForm(ConfirmListingForm):
    young_person = forms.ModelChoiceField(queryset=YoungPerson.objects.none())

    class Meta(ConfirmListingForm.Meta):
        fields = ["young_person", *ConfirmListingForm.Meta.fields]

    def __init__(self, *args: object, young_people: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["young_person"].queryset = young_people


class ReviewForm(forms.ModelForm):
    participants = forms.MultipleChoiceField(
        choices=RegisterReview.Participant.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Who took part",
    )
    outcome = forms.ChoiceField(choices=RegisterReview.Outcome.choices, widget=forms.RadioSelect)
    removal_reason = forms.CharField(
        max_length=2000,
        required=False,
        label="Why they come off the register (when removed)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    escalation = forms.CharField(
        max_length=2000,
        required=False,
        label="What is escalated, and why (when escalated)",
        help_text="The team leader and the case manager are told, and the young person is "
        "flagged until they record what was done.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = RegisterReview
        fields = ["reviewed_on", "participants", "outcome", "notes"]
        widgets = {"reviewed_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}


class RemovalForm(forms.Form):
    removed_on = forms.DateField(
        label="Removed on", widget=DateInput(), validators=[validate_past_day]
    )
    reason = forms.CharField(max_length=2000, label="Why", widget=forms.Textarea(attrs={"rows": 2}))


class MeetingForm(forms.ModelForm):
    """A liaison meeting, with a row for each open review of the division: the outcome the
    meeting reached for that young person, if it discussed them."""

    agencies = forms.MultipleChoiceField(
        choices=RegisterReview.Participant.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Agencies present",
    )

    class Meta:
        model = LiaisonMeeting
        fields = ["held_on", "agencies", "attendees", "notes"]
        widgets = {
            "held_on": DateInput(),
            "attendees": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: object, reviews: list[RegisterReview], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.reviews = reviews
        for review in reviews:
            self.fields[f"outcome-{review.pk}"] = forms.ChoiceField(
                choices=[("", "Not discussed"), *RegisterReview.Outcome.choices],
                required=False,
                label=f"Outcome for {review.entry.young_person.display_name}",
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[f"reason-{review.pk}"] = forms.CharField(
                max_length=2000,
                required=False,
                label="Why removed",
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )
            self.fields[f"escalation-{review.pk}"] = forms.CharField(
                max_length=2000,
                required=False,
                label=f"What is escalated for {review.entry.young_person.display_name}, and why",
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )

    def review_rows(self) -> list[tuple[RegisterReview, forms.BoundField, ...]]:
        return [
            (review, *(self[f"{name}-{review.pk}"] for name in ("outcome", "reason", "escalation")))
            for review in self.reviews
        ]

    def outcomes(self) -> dict[RegisterReview, Discussed]:
        return {
            review: Discussed(
                *(
                    self.cleaned_data[f"{name}-{review.pk}"]
                    for name in ("outcome", "reason", "escalation")
                )
            )
            for review in self.reviews
            if self.cleaned_data[f"outcome-{review.pk}"]
        }


class ResolutionForm(forms.Form):
    what_was_done = forms.CharField(
        max_length=4000,
        label="What was done",
        help_text="Recording it takes the flag off the young person.",
        error_messages={"required": "Say what was done."},
        widget=forms.Textarea(attrs={"rows": 4}),
    )


ActionFormSet = forms.inlineformset_factory(LiaisonMeeting, MeetingAction, **ACTION_ROWS)
