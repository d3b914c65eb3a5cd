from django import forms

from accounts.models import ExternalSystem
from webhooks.models import EventKind, Subscription


class SubscriptionForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(
        label="Events",
        choices=EventKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each is sent only where the system's account may see the young person or "
        "the referral it is about.",
    )

    class Meta:
        model = Subscription
        fields = ["system", "url", "kinds"]
        widgets = {"url": forms.URLInput(attrs={"placeholder": "https://"})}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = ExternalSystem.objects.filter(
            account__is_active=True
        ).select_related("account")
        self.fields["system"].empty_label = "Choose a system"

    def fields_to_save(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in ("system", "url", "kinds")}
