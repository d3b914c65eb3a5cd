from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.db.models import QuerySet

from accounts.models import Division, Role, Team, User
from toolkit.forms import DateInput
from toolkit.validators import validate_plausible_day


class LoginForm(AuthenticationForm):
    """Django's form; the first of the two steps. Its error does not tell whether the username
    exists, and django-axes counts its failures."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Django sets max_length on this field after creating it, so without this validator an
        # over-long name reaches authenticate() and the lockout records.
        max_length = User._meta.get_field(User.USERNAME_FIELD).max_length
        self.fields["username"].validators.append(MaxLengthValidator(max_length))


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class SetupCodeForm(forms.Form):
    code = forms.CharField(
        label="Code shown by the app",
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class CoverForm(forms.Form):
    """Arrange cover: of a worker's caseload, or of a whole team the supervisor leads."""

    whose = forms.ChoiceField(label="Cover for")
    covered_by = forms.ModelChoiceField(
        label="Covered by", queryset=User.objects.none(), empty_label="Choose a colleague"
    )
    starts_on = forms.DateField(
        label="From", widget=DateInput(), validators=[validate_plausible_day]
    )
    ends_on = forms.DateField(
        label="Until (the last day)", widget=DateInput(), validators=[validate_plausible_day]
    )
    reason = forms.CharField(label="Reason", max_length=200, help_text="For example: annual leave.")

    def __init__(
        self,
        *args: object,
        teams_led: QuerySet[Team],
        workers: QuerySet[User],
        colleagues: QuerySet[User],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.teams = {str(team.pk): team for team in teams_led}
        self.workers = {str(worker.pk): worker for worker in workers}
        self.fields["whose"].choices = [
            ("", "Choose a worker or the team"),
            *(
                (f"team-{pk}", f"The whole team {team} (as its supervisor)")
                for pk, team in self.teams.items()
            ),
            *((f"worker-{pk}", f"{worker}'s caseload") for pk, worker in self.workers.items()),
        ]
        self.fields["covered_by"].queryset = colleagues

    def clean(self) -> dict:
        data = super().clean()
        kind, _, pk = data.pop("whose", "").partition("-")
        data["team"] = self.teams.get(pk) if kind == "team" else None
        data["worker"] = self.workers.get(pk) if kind == "worker" else None
        return data


class ExternalSystemForm(forms.Form):
    """Register an external system: its name and its scope."""

    name = forms.CharField(
        max_length=100, help_text="For example: “Child protection (OpenFn)”, “Data warehouse”."
    )
    roles = forms.MultipleChoiceField(
        label="What it does",
        widget=forms.CheckboxSelectMultiple,
        choices=[
            (
                Role.SUPERVISOR,
                "Reads the young people of its team or division (no restricted content)",
            ),
            (Role.PRACTITIONER, "Makes and follows referrals for its division"),
            (Role.REGISTER_COORDINATOR, "Keeps its division's register"),
        ],
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.select_related("division"), required=False, empty_label="No team"
    )
    division = forms.ModelChoiceField(
        queryset=Division.objects.all(), required=False, empty_label="No division"
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="Where it is used, for example “OpenFn production”."
    )
    expires_on = forms.DateField(
        label="Works until (the last day)",
        widget=DateInput(),
        validators=[validate_plausible_day],
        help_text="A year at most.",
    )
