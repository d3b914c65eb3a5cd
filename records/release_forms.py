"""The form releasing a young person's file: why, at whose request, to whom, and what of the
redaction list is withheld (records.release)."""

import uuid

from django import forms

from records.models import FileRelease
from records.release import RedactionItem


class ReleaseForm(forms.ModelForm):
    """The request, and the items of the redaction list withheld: the restricted ones unless
    unticked; those the person releasing may not read, always."""

    withheld = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    client_reference = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)

    class Meta:
        model = FileRelease
        fields = ["purpose", "requested_by", "released_to", "reason"]
        labels = {"purpose": "Why the file is released", "reason": "The reason, in full"}
        help_texts = {
            "requested_by": "Who asked: the young person, their lawyer, a court, an agency.",
            "released_to": "Who receives the copy, and how (post, secure e-mail, by hand).",
            "reason": "The request or order and its reference, and the provision that allows "
            "the release.",
        }
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "purpose": {"required": "Choose why the file is released."},
            "requested_by": {"required": "Say who asked for the file."},
            "released_to": {"required": "Say who receives the copy."},
            "reason": {"required": "Give the reason: the request or order, and what allows it."},
        }

    def __init__(self, *args: object, items: list[RedactionItem], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        self.fields["purpose"].choices = [("", "Choose why"), *FileRelease.Purpose.choices]
        self.fields["withheld"].choices = [(item.key, item.label) for item in items]
        self.fields["withheld"].error_messages["invalid_choice"] = (
            "The file has changed since the list was made: check it again."
        )
        self.initial.setdefault(
            "withheld", [item.key for item in items if item.restricted or item.always]
        )

    def rows(self) -> list[tuple[RedactionItem, bool]]:
        """Each item of the redaction list, and whether it is ticked to be withheld."""
        chosen = set(self["withheld"].value() or [])
        return [(item, item.always or item.key in chosen) for item in self.items]
