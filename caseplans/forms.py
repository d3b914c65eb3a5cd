from django import forms
from django.utils import timezone

from accounts.models import User
from caseplans.models import CasePlan, CrisisPlan, ExitPlan, Goal, Task
from clients.models import KeyPerson
from clients.rules import key_people_visible_to
from toolkit.forms import DateInput
from toolkit.validators import MAX_ID, VERSION_ERRORS, validate_past_day, validate_plausible_day


class VersionedForm(forms.Form):
    """Carries the version of the record the worker saw, so a save over someone else's
    change is refused (caseplans.services.Conflict)."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        min_value=0,
        max_value=MAX_ID,  # the versions are bigints (django-concurrency)
        error_messages=VERSION_ERRORS,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk:
            self.initial.setdefault("version", instance.version)

    def fields_to_save(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class PlanForm(VersionedForm, forms.ModelForm):
    participants = forms.MultipleChoiceField(
        label="Who took part",
        choices=CasePlan.Participant.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = CasePlan
        fields = [
            "starts_on",
            "review_on",
            "participants",
            "participation_notes",
            "young_persons_view",
            "agreed_on",
            "cultural_plan",
            "cultural_organisation",
        ]
        widgets = {
            "starts_on": DateInput(),
            "review_on": DateInput(),
            "agreed_on": DateInput(),
            "participation_notes": forms.Textarea(attrs={"rows": 2}),
            "young_persons_view": forms.Textarea(attrs={"rows": 3}),
            "cultural_plan": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.young_person.is_aboriginal_or_torres_strait_islander:
            del self.fields["cultural_plan"]
            del self.fields["cultural_organisation"]


class GoalForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["domain", "in_own_words", "strengths", "status"]
        widgets = {
            "in_own_words": forms.Textarea(attrs={"rows": 2}),
            "strengths": forms.Textarea(attrs={"rows": 2}),
        }


class GoalStatusForm(VersionedForm):
    status = forms.ChoiceField(choices=Goal.Status.choices)


class TaskForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = Task
        fields = ["description", "responsible", "key_person", "agency", "due_on", "status"]
        labels = {"key_person": "Which family member or significant other"}
        widgets = {"due_on": DateInput()}

    def __init__(
        self,
        *args: object,
        user: User,
        key_people: list[KeyPerson],
        form_id: str = "",
        between_reviews: bool = False,
        **kwargs: object,
    ) -> None:
        """`key_people`: the young person's, offered as the ones a task can be for (to `user`).
        `between_reviews`: a task of the current plan, whose "what" waits for the review."""
        super().__init__(*args, **kwargs)
        if between_reviews:
            self.fields["description"].widget.attrs["readonly"] = True
        if form_id:  # a row of the action table: its inputs belong to the form in its last cell
            for form_field in self.fields.values():
                select = isinstance(form_field.widget, forms.Select)
                form_field.widget.attrs["form"] = form_id
                form_field.widget.attrs["class"] = (
                    "form-select form-select-sm" if select else "form-control form-control-sm"
                )
        # Only this young person's key people (and the one the task names already) are
        # accepted: an id of anyone else's is refused as any unknown choice, naming no one.
        accepted = [person.pk for person in key_people]
        if self.instance.key_person_id:
            accepted.append(self.instance.key_person_id)
        self.fields["key_person"].queryset = key_people_visible_to(user).filter(pk__in=accepted)
        self.fields["key_person"].choices = [("", "—")] + [
            (person.pk, person.name) for person in key_people
        ]
        self.fields["agency"].help_text = "When another agency is responsible."


class TaskStatusForm(VersionedForm):
    status = forms.ChoiceField(choices=Task.Status.choices)


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Progress", max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(VersionedForm):
    note = forms.CharField(
        label="What needs to change", max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(
        initial=timezone.localdate, widget=DateInput(), validators=[validate_past_day]
    )
    summary = forms.CharField(
        label="What the review found", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_review_on = forms.DateField(
        label="Next review by", widget=DateInput(), validators=[validate_plausible_day]
    )

    def __init__(self, *args: object, goals: list[Goal], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.goals = goals
        for goal in goals:
            self.fields[f"status_{goal.pk}"] = forms.ChoiceField(
                label="Now", choices=Goal.Status.choices, initial=goal.status
            )
            self.fields[f"progress_{goal.pk}"] = forms.CharField(
                label="Progress",
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def goal_fields(self) -> list[tuple[Goal, forms.BoundField, forms.BoundField]]:
        return [
            (goal, self[f"status_{goal.pk}"], self[f"progress_{goal.pk}"]) for goal in self.goals
        ]

    def progress(self) -> dict:
        return {
            goal.lineage: (
                self.cleaned_data[f"status_{goal.pk}"],
                self.cleaned_data[f"progress_{goal.pk}"],
            )
            for goal in self.goals
        }


class CrisisPlanForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = CrisisPlan
        fields = [
            "warning_signs",
            "triggers",
            "what_helps",
            "who_to_call",
            "after_hours_steps",
            "when_to_consult_ahcpes",
        ]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields}


class ExitPlanForm(VersionedForm, forms.ModelForm):
    """The exit plan: for each area of the young person's life after ICMS, what is arranged and
    whether it is in place yet, kept together (`areas`); and who refers to the post-statutory
    supports. An area is marked in place only once it says what is arranged."""

    class Meta:
        model = ExitPlan
        fields = [
            "exit_on",
            *(name for area in ExitPlan.AREAS for name in area),
            "post_statutory_referrer",
        ]
        widgets = {"exit_on": DateInput()} | {
            name: forms.Textarea(attrs={"rows": 2}) for name, _flag in ExitPlan.AREAS
        }

    def areas(self) -> list[tuple[forms.BoundField, forms.BoundField, list[forms.BoundField]]]:
        """Each area as (what is arranged, whether it is in place, anything more it asks)."""
        more = {"post_statutory_support": [self["post_statutory_referrer"]]}
        return [(self[name], self[flag], more.get(name, [])) for name, flag in ExitPlan.AREAS]

    def clean(self) -> dict:
        cleaned = super().clean()
        for name, flag in ExitPlan.AREAS:
            if cleaned.get(flag) and not cleaned.get(name, "").strip() and name not in self.errors:
                area = ExitPlan._meta.get_field(name).verbose_name
                self.add_error(name, f"Say what is arranged for {area} before marking it in place.")
        return cleaned
