from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

from accounts.models import User


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
