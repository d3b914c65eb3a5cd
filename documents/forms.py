from django import forms
from django.core.files.uploadedfile import UploadedFile

from accounts.models import User
from clients.models import RestrictionReason
from documents.models import Document
from toolkit.forms import DateInput
from toolkit.uploads import ACCEPTED_ENDINGS
from toolkit.validators import validate_plausible_day


class UploadForm(forms.Form):
    """The file of a document, from a phone's camera ("Take a photo") or chosen: one of them."""

    photo = forms.FileField(
        label="Take a photo",
        required=False,
        help_text="Opens the camera on a phone: a paper form, straight onto the file.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    file = forms.FileField(
        label="Choose a file",
        required=False,
        help_text="A PDF, a Word document or a photo (JPEG, PNG, HEIC).",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_ENDINGS}),
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("photo") and data.get("file"):
            raise forms.ValidationError("Take a photo or choose a file, not both.")
        if not data.get("photo") and not data.get("file") and not self.errors:
            raise forms.ValidationError("Take a photo or choose a file.")
        return data

    @property
    def upload(self) -> UploadedFile:
        return self.cleaned_data.get("photo") or self.cleaned_data["file"]


class DocumentForm(UploadForm, forms.ModelForm):
    restricted_because = forms.ChoiceField(
        label="Restricted",
        choices=[
            ("", "No: everyone who works with the young person reads it"),
            *RestrictionReason.choices,
        ],
        required=False,
        help_text="A restricted document is read only by you, the primary case manager, the "
        "team's supervisor and the readers you name. Others see only that it exists.",
    )
    restricted_readers = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Also readable by",
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Document
        fields = ["kind", "title", "dated", "provided_by", "expires_on"]
        widgets = {"dated": DateInput(), "expires_on": DateInput()}
        help_texts = {"expires_on": "Court orders and consents only: you are reminded before."}
        error_messages = {
            "title": {"required": "Give the document a title."},
            "dated": {"required": "Give the document's date."},
            "provided_by": {"required": "Say who provided it."},
        }

    field_order = [
        "kind", "title", "dated", "provided_by", "expires_on", "photo", "file",
        "restricted_because", "restricted_readers",
    ]  # fmt: skip

    def __init__(self, *args: object, readers: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["restricted_readers"].queryset = readers

    def clean(self) -> dict:
        data = super().clean()
        kind, expires_on = data.get("kind"), data.get("expires_on")
        if expires_on and kind and kind not in Document.EXPIRING_KINDS:
            self.add_error("expires_on", "Only court orders and consents expire.")
        return data

    def fields_to_save(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        return fields | {
            "upload": self.upload,
            "restricted_because": self.cleaned_data["restricted_because"],
            "restricted_readers": self.cleaned_data["restricted_readers"],
        }


class VersionForm(UploadForm):
    expires_on = forms.DateField(
        label="New expiry",
        required=False,
        widget=DateInput(),
        validators=[validate_plausible_day],
        help_text="For a renewed order or consent: when this version expires.",
    )

    def __init__(self, *args: object, document: Document, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if document.kind not in Document.EXPIRING_KINDS:
            del self.fields["expires_on"]


class InErrorForm(forms.Form):
    reason = forms.CharField(
        max_length=300, label="Why is this document in error?", widget=forms.TextInput()
    )
