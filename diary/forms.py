from django import forms
from django.db.models import QuerySet

from accounts.models import User
from clients.forms import DateTimeInput, version_field
from clients.models import Contact, KeyPerson, ProfessionalContact
from diary.models import Appointment
from diary.services import Repeat
from toolkit.forms import DateInput
from toolkit.validators import validate_plausible_day

# The few fields a phone shows first; the rest are folded away.
FIRST_FIELDS = ["what", "kind", "starts_at", "duration_minutes", "place"]
SCOPES = [("this", "This appointment only"), ("following", "This and the following ones")]


class AppointmentForm(forms.ModelForm):
    workers = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        label="Who goes from ICMS",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose from the young person's team."},
    )
    key_people = forms.ModelMultipleChoiceField(
        queryset=KeyPerson.objects.none(),
        required=False,
        label="Family and others",
        widget=forms.CheckboxSelectMultiple,
    )
    professionals = forms.ModelMultipleChoiceField(
        queryset=ProfessionalContact.objects.none(),
        required=False,
        label="Professionals",
        widget=forms.CheckboxSelectMultiple,
    )
    participants = forms.MultipleChoiceField(
        choices=Contact.Participant.choices,
        required=False,
        label="Also present",
        widget=forms.CheckboxSelectMultiple,
    )
    # Set when the worker has seen the clashes with their other appointments and books anyway.
    despite_clashes = forms.BooleanField(
        required=False, widget=forms.HiddenInput, label="Book it anyway"
    )

    class Meta:
        model = Appointment
        fields = [
            "what",
            "kind",
            "starts_at",
            "duration_minutes",
            "place",
            "show_place_in_feed",
            "workers",
            "key_people",
            "professionals",
            "participants",
            "transport_needed",
            "note",
        ]
        widgets = {
            "starts_at": DateTimeInput(),
            "duration_minutes": forms.NumberInput(
                attrs={"min": 1, "max": 1440, "inputmode": "numeric"}
            ),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(
        self,
        *args: object,
        workers: QuerySet[User],
        key_people: QuerySet[KeyPerson],
        professionals: QuerySet[ProfessionalContact],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["workers"].queryset = workers
        self.fields["key_people"].queryset = key_people
        self.fields["professionals"].queryset = professionals
        if not key_people.exists():
            del self.fields["key_people"]
        if not professionals.exists():
            del self.fields["professionals"]

    @property
    def first_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in FIRST_FIELDS]

    @property
    def more_fields(self) -> list[forms.BoundField]:
        return [
            field
            for field in self.visible_fields()
            if field.name not in FIRST_FIELDS and field.name not in ("repeat", "repeat_until")
        ]

    def appointment(self) -> dict:
        """What was typed, as the services take it."""
        fields = dict(self.cleaned_data)
        fields.pop("despite_clashes", None)
        fields.pop("version", None)
        fields.pop("scope", None)
        fields.setdefault("key_people", [])
        fields.setdefault("professionals", [])
        return fields


class NewAppointmentForm(AppointmentForm):
    repeat = forms.ChoiceField(choices=Repeat.CHOICES, required=False, label="Repeats")
    repeat_until = forms.DateField(
        required=False, label="Until", widget=DateInput(), validators=[validate_plausible_day]
    )

    @property
    def first_fields(self) -> list[forms.BoundField]:
        return [*super().first_fields, self["repeat"], self["repeat_until"]]


class OneOrFollowing:
    """For one of a series: whether the change is for it alone or for the ones after it too
    (`following()`). An appointment that does not repeat is not asked."""

    scope_label = "Change"

    def __init__(self, *args: object, repeats: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if repeats:
            self.fields["scope"] = forms.ChoiceField(
                choices=SCOPES, initial="this", label=self.scope_label, widget=forms.RadioSelect
            )

    def following(self) -> bool:
        return self.cleaned_data.get("scope") == "following"


class ChangeAppointmentForm(OneOrFollowing, AppointmentForm):
    """Changing an appointment: the version read travels with the form."""

    version = version_field()

    @property
    def first_fields(self) -> list[forms.BoundField]:
        scope = [self["scope"]] if "scope" in self.fields else []
        return [*scope, *super().first_fields]

    @property
    def more_fields(self) -> list[forms.BoundField]:
        return [field for field in super().more_fields if field.name != "scope"]


class CancelForm(OneOrFollowing, forms.Form):
    scope_label = "Cancel"

    reason = forms.CharField(max_length=300, label="Why is it cancelled?")
