import calendar
import uuid
from datetime import date, timedelta

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from clients.models import (
    Allocation,
    ChildProtectionDecision,
    Contact,
    Disclosure,
    IntensityLevel,
    KeyPerson,
    ProfessionalContact,
    RestrictableEntry,
    RestrictionReason,
    WorkerSafetyAlert,
    YoungPerson,
)
from clients.queries import primary_case_managers_of, search_young_people
from clients.rules import young_people_visible_to
from toolkit.forms import DateInput
from toolkit.text import quoted
from toolkit.validators import (
    MAX_INT,
    VERSION_ERRORS,
    validate_date_of_birth,
    validate_past_day,
    validate_plausible_day,
)

IDENTITY_FIELDS = [
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "gender",
    "gender_description",
    "indigenous_status",
    "cultural_background",
    "language",
    "interpreter_needed",
    "child_protection_number",
]
CARE_FIELDS = [
    "intensity",
    "information_sharing",
    "information_sharing_notes",
]
# Child protection's decisions: its practitioner changes them (ChildProtectionDecisionForm);
# ICMS gives them only when it opens a record outside a referral (NewYoungPersonForm).
CHILD_PROTECTION_FIELDS = [
    "permanency_objective",
    "legal_order",
    "legal_order_ends_on",
    "placement",
    "placement_details",
]


class DateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker, which wants `yyyy-mm-ddThh:mm` in local time."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


YOUNG_PERSON_WIDGETS = {
    "date_of_birth": DateInput(),
    "legal_order_ends_on": DateInput(),
    "information_sharing_notes": forms.Textarea(attrs={"rows": 2}),
}


def version_field() -> forms.IntegerField:
    """The version of the record the form was read at, so that a save over someone else's
    change is refused (clients.services.Conflict, amend_contact)."""
    return forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=MAX_INT, error_messages=VERSION_ERRORS
    )


class VersionedForm(forms.ModelForm):
    """Changing a record carries the version it was read at; adding one carries none."""

    version = version_field()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)
        else:
            del self.fields["version"]

    def fields_to_save(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class YoungPersonForm(VersionedForm):
    """What ICMS records of the young person; child protection's decisions are not here."""

    class Meta:
        model = YoungPerson
        fields = IDENTITY_FIELDS + CARE_FIELDS
        widgets = YOUNG_PERSON_WIDGETS


class NewYoungPersonForm(forms.ModelForm):
    """Creating a record outside a referral: the order and placement as child protection has
    told ICMS; the supervisor confirms it is not a duplicate when one is likely."""

    not_a_duplicate = forms.BooleanField(
        label="I have checked: this is a different young person",
        required=False,
    )

    class Meta:
        model = YoungPerson
        fields = IDENTITY_FIELDS + CARE_FIELDS + CHILD_PROTECTION_FIELDS
        widgets = YOUNG_PERSON_WIDGETS


class ChildProtectionDecisionForm(VersionedForm):
    """The young person's child protection practitioner records what child protection decided."""

    decided_on = forms.DateField(
        label="Decided on",
        widget=DateInput(),
        initial=timezone.localdate,
        validators=[validate_past_day],
    )
    note = forms.CharField(
        label="Where or how it was decided",
        max_length=500,
        required=False,
        help_text="For example: Children's Court, 3 March; case planning meeting.",
    )
    placement_reason = forms.ChoiceField(
        label="If the placement changed: why",
        choices=[("", "---------"), *ChildProtectionDecision.PlacementReason.choices],
        required=False,
    )
    placement_reason_details = forms.CharField(
        label="The reason, in words",
        max_length=300,
        required=False,
        help_text='Needed for "Other"; for example, what broke down.',
    )

    class Meta:
        model = YoungPerson
        fields = CHILD_PROTECTION_FIELDS
        widgets = YOUNG_PERSON_WIDGETS


class KeyPersonForm(VersionedForm):
    class Meta:
        model = KeyPerson
        fields = ["name", "relationship", "is_support", "phone", "notes", "active"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


class ProfessionalForm(VersionedForm):
    class Meta:
        model = ProfessionalContact
        fields = ["role", "name", "organisation", "phone", "email", "notes", "active"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


class AlertForm(VersionedForm):
    class Meta:
        model = WorkerSafetyAlert
        fields = ["kind", "details"]
        widgets = {"details": forms.Textarea(attrs={"rows": 2})}


class AlertEndForm(forms.Form):
    """Ending an alert, as it was read: a change made since stops it (it may matter)."""

    version = version_field()


class DisclosureForm(forms.ModelForm):
    class Meta:
        model = Disclosure
        fields = [
            "disclosed_on",
            "information",
            "recipient_organisation",
            "recipient_person",
            "authority",
            "authority_detail",
        ]
        widgets = {
            "disclosed_on": DateInput(),
            "information": forms.Textarea(attrs={"rows": 3}),
        }


RESTRICTION_FIELDS = ("restricted_because", "restricted_readers")


class RestrictionFields:
    """The "Restricted" section of a form about an entry (a contact, a crisis): why its content
    is kept to a few readers (blank: it is not), and the workers of the young person's team its
    author names to read it too. templates/includes/restricted_entry_form.html shows it apart."""

    restriction_fields = RESTRICTION_FIELDS
    fields: dict
    initial: dict

    def add_restriction_fields(
        self, readers: QuerySet[User] | None, entry: RestrictableEntry | None = None
    ) -> None:
        self.fields["restricted_because"] = forms.ChoiceField(
            choices=[("", "Not restricted"), *RestrictionReason.choices],
            required=False,
            label="Restricted",
            help_text="Only you, the primary case manager, the team's supervisor and the people "
            "you name below read a restricted entry; others see only that it exists.",
        )
        self.fields["restricted_readers"] = forms.ModelMultipleChoiceField(
            queryset=readers if readers is not None else User.objects.none(),
            required=False,
            label="Also readable by",
            widget=forms.CheckboxSelectMultiple,
        )
        self.names_readers = readers is not None and readers.exists()
        if entry is not None and entry.pk:
            self.initial.setdefault("restricted_because", entry.restricted_because)
            self.initial.setdefault(
                "restricted_readers", [reader.pk for reader in entry.restricted_readers.all()]
            )


class RestrictionForm(RestrictionFields, forms.Form):
    """Restricting an entry later, changing its readers, or lifting the restriction."""

    def __init__(
        self,
        *args: object,
        readers: QuerySet[User] | None = None,
        entry: RestrictableEntry | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.add_restriction_fields(readers, entry)


class ContactForm(RestrictionFields, forms.ModelForm):
    """The quick contact form for a phone: when (now by default), how long, how, where, what
    kind, notes. `client_reference` is made when the form is first shown, so a resubmission
    is recognised."""

    client_reference = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    co_workers = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Went with",
        widget=forms.CheckboxSelectMultiple,
        help_text="Other workers of the team who made this contact with you.",
    )
    participants = forms.MultipleChoiceField(
        choices=Contact.Participant.choices,
        required=False,
        label="Also present",
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Contact
        fields = [
            "started_at",
            "duration_minutes",
            "mode",
            "location",
            "kind",
            "reached_young_person",
            "participants",
            "notes",
            "follow_up",
        ]
        widgets = {
            "started_at": DateTimeInput(),
            "duration_minutes": forms.NumberInput(
                attrs={"min": 1, "max": 1440, "inputmode": "numeric"}
            ),
            "notes": forms.Textarea(attrs={"rows": 6}),
            "follow_up": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(
        self,
        *args: object,
        co_workers: object = None,
        plan_goals: list | None = None,
        readers: QuerySet[User] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.add_restriction_fields(readers, self.instance)
        if co_workers is not None and co_workers.exists():
            self.fields["co_workers"].queryset = co_workers
        else:
            del self.fields["co_workers"]  # nobody else in the team to name
        self.plan_goals = plan_goals or []
        if self.plan_goals:
            self.fields["advanced"] = forms.MultipleChoiceField(
                label="What it moved forward in the case plan",
                required=False,
                widget=forms.CheckboxSelectMultiple,
                choices=[
                    (
                        f"Goal: {quoted(goal.in_own_words)}",
                        [(f"goal-{goal.pk}", "The goal in general")]
                        + [
                            (f"task-{task.pk}", f"{task} ({task.who})") for task in goal.tasks.all()
                        ],
                    )
                    for goal in self.plan_goals
                ],
            )
            if self.instance.pk:
                links = list(self.instance.advanced.select_related("task"))
                self.initial.setdefault("advanced", self._advanced_initial(links))
        # Validators, not min_value/max_value: those only act when set at creation.
        self.fields["duration_minutes"].validators += [
            MinValueValidator(1, "A contact lasts at least a minute."),
            MaxValueValidator(24 * 60, "A contact lasts at most a day (1440 minutes)."),
        ]
        if not self.is_bound and not self.instance.pk:
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial.setdefault("started_at", now)

    def contact_and_plan_work(self) -> dict:
        """What was typed, as record_contact_with_plan_work and amend_contact_with_plan_work
        take it: the contact's fields, who went along, and the goals and tasks ticked among
        the goals offered."""
        contact = dict(self.cleaned_data)
        goals, tasks = contact.pop("advanced", ([], []))
        return {**contact, "goals": goals, "tasks": tasks, "offered": self.plan_goals}

    def clean_advanced(self) -> tuple[list, list]:
        """The goals and tasks ticked, as (goals, tasks)."""
        chosen = set(self.cleaned_data["advanced"])
        goals = [goal for goal in self.plan_goals if f"goal-{goal.pk}" in chosen]
        tasks = [
            task
            for goal in self.plan_goals
            for task in goal.tasks.all()
            if f"task-{task.pk}" in chosen
        ]
        return goals, tasks

    def _advanced_initial(self, links: list) -> list[str]:
        """The choices matching what a contact already advanced (`links`, ContactAdvanced), in
        whichever version of the plan they were made."""
        values = []
        for goal in self.plan_goals:
            for link in links:
                if link.goal_lineage != goal.lineage:
                    continue
                if link.task is None:
                    values.append(f"goal-{goal.pk}")
                else:
                    values += [
                        f"task-{task.pk}"
                        for task in goal.tasks.all()
                        if task.lineage == link.task.lineage
                    ]
        return values


class ContactEditForm(ContactForm):
    """Editing a contact: the version it was read at travels with the form (no lost update)."""

    version = version_field()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["client_reference"]


class MarkInErrorForm(forms.Form):
    reason = forms.CharField(
        max_length=300, label="Why is this contact in error?", widget=forms.TextInput()
    )


class AllocationForm(forms.Form):
    worker = forms.ModelChoiceField(queryset=User.objects.none(), label="Case manager")
    role = forms.ChoiceField(choices=Allocation.Role.choices, initial=Allocation.Role.PRIMARY)
    on = forms.DateField(
        label="From",
        widget=DateInput(),
        initial=timezone.localdate,
        validators=[validate_plausible_day],
    )
    note = forms.CharField(max_length=300, required=False, label="Reason (for a transfer)")

    def __init__(self, *args: object, workers: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers


class StatusForm(forms.Form):
    to = forms.ChoiceField(label="Change the status to", choices=())
    reason = forms.CharField(max_length=300)

    def __init__(self, *args: object, allowed: set[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [
            choice for choice in YoungPerson.Status.choices if choice[0] in allowed
        ]


class TransferFromForm(forms.Form):
    """Step one of a bulk transfer: whose caseload moves."""

    worker = forms.ModelChoiceField(queryset=User.objects.none(), label="Move the caseload of")

    def __init__(self, *args: object, workers: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers


class TransferForm(forms.Form):
    """Step two: for each of the worker's young people, who takes them on (blank: stays)."""

    on = forms.DateField(
        label="From",
        widget=DateInput(),
        initial=timezone.localdate,
        validators=[validate_plausible_day],
    )
    note = forms.CharField(max_length=300, label="Reason", initial="Worker leaving the team")

    def __init__(
        self, *args: object, young_people: list[YoungPerson], workers: object, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.young_people = young_people
        self.fields["everyone_to"] = forms.ModelChoiceField(
            queryset=workers,
            required=False,
            label="Everyone not chosen below goes to",
            empty_label="Nobody: they stay where they are",
        )
        for young_person in young_people:
            self.fields[f"to_{young_person.pk}"] = forms.ModelChoiceField(
                queryset=workers,
                required=False,
                label=young_person.display_name,
                empty_label="Stays where they are",
            )

    def assignments(self) -> list[tuple[YoungPerson, User]]:
        """Who takes on whom: each young person's own choice, else the choice for everyone."""
        default = self.cleaned_data.get("everyone_to")
        chosen = [
            (young_person, self.cleaned_data.get(f"to_{young_person.pk}") or default)
            for young_person in self.young_people
        ]
        return [(young_person, worker) for young_person, worker in chosen if worker]


class BreakGlassForm(forms.Form):
    """Find the young person (by number, or by family name and date of birth) and say why."""

    child_protection_number = forms.CharField(
        label="Child protection client number", max_length=30, required=False
    )
    family_name = forms.CharField(max_length=100, required=False)
    date_of_birth = forms.DateField(
        required=False, widget=DateInput(), validators=[validate_date_of_birth]
    )
    reason = forms.CharField(
        label="Why do you need their safety plan now?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Your supervisor and theirs will read this tomorrow.",
    )

    def clean(self) -> dict:
        data = super().clean()
        by_number = bool(data.get("child_protection_number", "").strip())
        by_name = bool(data.get("family_name", "").strip() and data.get("date_of_birth"))
        if not by_number and not by_name:
            raise forms.ValidationError(
                "Give the child protection client number, or the family name and date of birth."
            )
        return data


class EmptyForm(forms.Form):
    """A confirmation: a button and the CSRF token."""


class MergeChoiceForm(forms.Form):
    """The other record of the young person, by its number (shown on its page's address)."""

    record = forms.IntegerField(
        label="Record number of the other record", min_value=1, max_value=MAX_INT
    )


class MergeForm(forms.Form):
    reason = forms.CharField(
        label="How do you know these records are one young person?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown on the record kept, to explain the merge to whoever reads it later.",
    )


SORTS = {
    "name": ("family_name", "given_name"),
    "last_contact": ("last_contact_at", "family_name"),
    "intensity": ("-intensity__caseload_weight", "family_name"),
    "plan_review": (F("plan_review_on").asc(nulls_first=True), "family_name"),
}


class CaseloadFilter(django_filters.FilterSet):
    """Search, filter and sort a caseload list."""

    q = django_filters.CharFilter(method="search", label="Name or CP number")
    status = django_filters.ChoiceFilter(
        choices=[
            (value, label) for value, label in YoungPerson.Status.choices if value != "closed"
        ],
        empty_label="Any status",
    )
    intensity = django_filters.ModelChoiceFilter(
        queryset=IntensityLevel.objects.all(), empty_label="Any intensity"
    )
    worker = django_filters.ModelChoiceFilter(
        field_name="primary_case_manager",
        label="Primary case manager",
        queryset=lambda request: primary_case_managers_of(young_people_visible_to(request.user)),
        empty_label="Anyone",
        null_label="Not allocated",
    )
    overdue = django_filters.BooleanFilter(
        field_name="contact_overdue",
        label="Contact overdue",
        widget=forms.CheckboxInput,
        method="only_overdue",
    )
    review_overdue = django_filters.BooleanFilter(
        label="Plan review overdue",
        widget=forms.CheckboxInput,
        method="only_review_overdue",
    )
    tasks_overdue = django_filters.BooleanFilter(
        label="Tasks overdue",
        widget=forms.CheckboxInput,
        method="only_tasks_overdue",
    )
    register_overdue = django_filters.BooleanFilter(
        label="Register review overdue",
        widget=forms.CheckboxInput,
        method="only_register_overdue",
    )
    escalated = django_filters.BooleanFilter(
        label="Escalated",
        widget=forms.CheckboxInput,
        method="only_escalated",
    )
    sort = django_filters.ChoiceFilter(
        method="sort_by",
        choices=[
            ("name", "Name"),
            ("last_contact", "Longest without contact"),
            ("intensity", "Intensity"),
            ("plan_review", "Plan review due"),
        ],
        empty_label=None,
        label="Sort by",
    )

    class Meta:
        model = YoungPerson
        fields = [
            "q",
            "status",
            "intensity",
            "worker",
            "overdue",
            "review_overdue",
            "tasks_overdue",
            "register_overdue",
            "escalated",
            "sort",
        ]

    def __init__(self, *args: object, request: HttpRequest, **kwargs: object) -> None:
        super().__init__(*args, request=request, **kwargs)
        # Only a team's caseload (a supervisor's) is filtered by worker; the page offers it to
        # no one else, and its list of workers is not free to build.
        if not request.user.has_perm("clients.transfer_caseload"):
            del self.filters["worker"]

    def search(self, young_people: object, name: str, value: str) -> object:
        return search_young_people(young_people, value)

    def only_overdue(self, young_people: object, name: str, value: bool) -> object:
        return young_people.filter(contact_overdue=True) if value else young_people

    def only_review_overdue(self, young_people: object, name: str, value: bool) -> object:
        return young_people.filter(plan_review_overdue=True) if value else young_people

    def only_tasks_overdue(self, young_people: object, name: str, value: bool) -> object:
        return young_people.filter(overdue_tasks__gt=0) if value else young_people

    def only_register_overdue(self, young_people: object, name: str, value: bool) -> object:
        return young_people.filter(register_review_overdue=True) if value else young_people

    def only_escalated(self, young_people: object, name: str, value: bool) -> object:
        return young_people.filter(escalated=True) if value else young_people

    def sort_by(self, young_people: object, name: str, value: str) -> object:
        return young_people.order_by(*SORTS.get(value, SORTS["name"]))


class FileSearchForm(forms.Form):
    """The words the timeline searches the file's notes for (clients.timeline.matching_words)."""

    q = forms.CharField(label="Search the notes", max_length=200, required=False, strip=True)


# The file's PDF covers at most this long: a court or a case conference reads a period.
LONGEST_FILE_PERIOD = timedelta(days=2 * 366)


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the month's last day where it has no such day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last_day))


class FilePeriodForm(forms.Form):
    """The period of the file's PDF, `?from=&to=` (days, both included): by default the last
    three months; `to` alone, the three months before it."""

    def __init__(self, data: object) -> None:
        super().__init__(data)
        # "from" is a Python keyword: the fields are named here rather than declared.
        self.fields["from"] = forms.DateField(
            label="From", required=False, widget=DateInput, validators=[validate_plausible_day]
        )
        self.fields["to"] = forms.DateField(
            label="To (included)",
            required=False,
            widget=DateInput,
            validators=[validate_plausible_day],
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        ends_on = cleaned.get("to") or timezone.localdate()
        starts_on = cleaned.get("from") or months_before(ends_on, 3)
        if ends_on < starts_on:
            self.add_error("to", "The period ends before it starts.")
        elif ends_on - starts_on > LONGEST_FILE_PERIOD:
            self.add_error("to", "Choose a period of at most two years.")
        cleaned["from"], cleaned["to"] = starts_on, ends_on
        return cleaned
