from copy import copy
from datetime import date, datetime, timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.services import CONTACT_DRAFT_KEY
from audit.exports import csv_download
from caseplans.queries import (
    advanced_by,
    goals_to_advance,
    with_overdue_tasks,
    with_plan_review,
)
from caseplans.services import amend_contact_with_plan_work, record_contact_with_plan_work
from clients.forms import (
    CARE_FIELDS,
    CHILD_PROTECTION_FIELDS,
    IDENTITY_FIELDS,
    AlertEndForm,
    AlertForm,
    AllocationForm,
    BreakGlassForm,
    CaseloadFilter,
    ContactEditForm,
    ContactForm,
    DisclosureForm,
    EmptyForm,
    FilePeriodForm,
    FileSearchForm,
    KeyPersonForm,
    MarkInErrorForm,
    MergeChoiceForm,
    MergeForm,
    NewYoungPersonForm,
    ProfessionalForm,
    RestrictionForm,
    StatusForm,
    TransferForm,
    TransferFromForm,
    VersionedForm,
    YoungPersonForm,
)
from clients.models import Allocation, Contact, RestrictableEntry, YoungPerson
from clients.queries import (
    IDENTITY,
    OPEN_STATUSES,
    active_alerts,
    contacts_on_file,
    covered_by_user,
    current_allocations,
    draft_for,
    duplicates_of,
    file_summary,
    find_for_break_glass,
    local_midnight,
    possible_duplicates,
    reads_of,
    recent_views_of,
    restricted_readable,
    team_members,
    with_contact_figures,
    with_page_header,
    young_person_record,
)
from clients.rules import (
    active_break_glass_for,
    break_glass_accesses_visible_to,
    contacts_visible_to,
    merged_records_visible_to,
    with_readable_content,
    young_people_visible_to,
)
from clients.services import (
    STATUS_FORM_MOVES,
    Conflict,
    add_to_care_team,
    allocate_primary,
    change_alert,
    change_restriction,
    change_status,
    end_alert,
    end_care_team_allocation,
    grant_break_glass,
    mark_contact_in_error,
    merge_preview,
    merge_young_people,
    raise_alert,
    record_disclosure,
    review_break_glass,
    save_contact_draft,
    save_key_person,
    save_professional,
    transfer_caseload,
    update_young_person,
)
from clients.timeline import (
    TIMELINE_PAGE,
    restricted_content_shown,
    timeline_kinds,
    timeline_page,
)
from crises.queries import crises_on_file
from diary.queries import coming_up
from diary.rules import appointments_visible_to
from documents.queries import documents_card
from documents.rules import documents_visible_to
from exits.planning import exits_coming_panel
from exits.queries import latest_closure_of
from oncall.queries import is_on_call, on_call_at
from outcomes.queries import with_outcome_review
from records.queries import standing_hold
from referrals.queries import referrals_on_record
from referrals.services import open_record_outside_referral
from register.queries import (
    escalations_shown,
    open_escalations,
    why_record_not_listed,
    with_register_review,
)
from toolkit.access import (
    audit_detail,
    changes_closed_files,
    find_or_404,
    found_record,
    is_closed_file,
    lists_client_records,
    require_permission,
    shows_no_record,
    shows_restricted_content,
)
from toolkit.forms import add_service_error, save_versioned, submitted
from toolkit.hours import is_after_hours
from toolkit.pdf import render_pdf
from toolkit.querysets import built_once_a_day

CONTACT_MULTI_FIELDS = {"co_workers", "participants", "advanced", "restricted_readers"}


def _young_person_or_404(request: HttpRequest, pk: int) -> YoungPerson:
    """A young person the user sees, with the alerts shown on every page about them."""
    return find_or_404(request, with_page_header(young_people_visible_to(request.user)), pk=pk)


# --- Caseload ---------------------------------------------------------------------------------


def _caseload(request: HttpRequest) -> tuple[CaseloadFilter, QuerySet[YoungPerson]]:
    young_people = built_once_a_day(request.user, _caseload_of)
    caseload = CaseloadFilter(request.GET, queryset=young_people, request=request)
    return caseload, caseload.qs if caseload.is_valid() else young_people.none()


def _caseload_of(user: User) -> QuerySet[YoungPerson]:
    """The open cases the user sees, with what a caseload shows of each."""
    return with_outcome_review(
        with_overdue_tasks(
            with_register_review(
                with_plan_review(
                    with_contact_figures(
                        young_people_visible_to(user)
                        .open()
                        .select_related("intensity", "primary_case_manager", "team")
                        .annotate(covering=covered_by_user(user))
                    )
                )
            )
        )
    ).order_by("family_name", "given_name")


@require_GET
@lists_client_records
def caseload(request: HttpRequest) -> HttpResponse:
    """My caseload (a supervisor: the team's), with last contact against what the intensity
    expects; searchable, filterable, sortable, exportable."""
    require_permission(request, "clients.view_caseload")
    caseload, young_people = _caseload(request)
    return render(
        request,
        "clients/caseload.html",
        {
            "caseload": caseload,
            "young_people": young_people,
            "query": request.GET.urlencode(),
            "can_add": request.user.has_perm("clients.add_youngperson"),
            **exits_coming_panel(young_people_visible_to(request.user), today=timezone.localdate()),
        },
    )


@require_GET
def caseload_export(request: HttpRequest) -> StreamingHttpResponse:
    """The caseload as on screen, as CSV."""
    require_permission(request, "clients.export_caseload")
    _, young_people = _caseload(request)
    header = [
        "Record",
        "Given name",
        "Family name",
        "Preferred name",
        "Date of birth",
        "CP number",
        "Status",
        "Intensity",
        "Primary case manager",
        "Last successful contact",
        "Contacts this fortnight",
        "Contact overdue",
        "Next plan review",
        "Plan review overdue",
        "Overdue tasks",
        "Next register review",
        "Register review overdue",
        "Escalated",
        "Next outcome review",
        "Outcome review overdue",
    ]
    rows = (
        [
            young_person.pk,
            young_person.given_name,
            young_person.family_name,
            young_person.preferred_name,
            young_person.date_of_birth.isoformat(),
            young_person.child_protection_number,
            young_person.get_status_display(),
            str(young_person.intensity or ""),
            str(young_person.primary_case_manager or ""),
            timezone.localtime(young_person.last_contact_at).strftime("%Y-%m-%d %H:%M")
            if young_person.last_contact_at
            else "",
            young_person.contacts_this_fortnight,
            "yes" if young_person.contact_overdue else "no",
            young_person.plan_review_on.isoformat() if young_person.plan_review_on else "",
            "yes" if young_person.plan_review_overdue else "no",
            young_person.overdue_tasks,
            young_person.register_review_on.isoformat() if young_person.register_review_on else "",
            "yes" if young_person.register_review_overdue else "no",
            "yes" if young_person.escalated else "no",
            young_person.outcome_review_due_on.isoformat()
            if young_person.outcome_review_due_on
            else "",
            "yes" if young_person.outcome_review_overdue else "no",
        ]
        for young_person in young_people.iterator(chunk_size=2000)
    )
    return csv_download(
        request,
        name="caseload",
        header=header,
        rows=rows,
        detail={"rows": young_people.count()},
    )


# --- The young person's record ----------------------------------------------------------------


def _records_of(user: User) -> QuerySet[YoungPerson]:
    """The records the user sees, with what the young person's page shows of each."""
    return with_register_review(young_person_record(young_people_visible_to(user))).annotate(
        **standing_hold()
    )


@require_GET
def young_person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        young_person = find_or_404(request, built_once_a_day(request.user, _records_of), pk=pk)
    except Http404:
        return _merged_record(request, pk)
    user = request.user
    # A closed file is read-only (toolkit.access): the page offers nothing to change.
    read_only = is_closed_file(young_person)
    return render(
        request,
        "clients/young_person_detail.html",
        {
            "young_person": young_person,
            # Read only when there is one: the flag in the header says what was escalated.
            "escalations": escalations_shown(open_escalations().filter(young_person=young_person))
            if young_person.escalated
            else [],
            "access_log": recent_views_of(young_person)
            if user.has_perm("clients.view_access_log", young_person)
            else None,
            "can_change": not read_only
            and user.has_perm("clients.change_youngperson", young_person),
            "can_allocate": not read_only and user.has_perm("clients.add_allocation", young_person),
            "can_reopen": read_only and user.has_perm("exits.reopen_episode", young_person),
            "not_listed": why_record_not_listed(young_person)
            if young_person.status == YoungPerson.Status.REFERRED
            else None,
            "can_merge": user.has_perm("clients.merge_youngperson", young_person),
            "can_release": user.has_perm("records.release_file", young_person),
            "can_hold": user.has_perm("records.hold_file", young_person),
            "can_dispose": read_only and user.has_perm("records.dispose_file", young_person),
            "referrals": list(referrals_on_record(young_person, user)),
            "documents": documents_card(
                documents_visible_to(user).filter(young_person=young_person)
            ),
            "appointments": coming_up(
                appointments_visible_to(user).filter(young_person=young_person)
            ),
            # Read only when there is one: how the last episode ended.
            "closure": latest_closure_of(young_person)
            if young_person.status == YoungPerson.Status.CLOSED
            else None,
        },
    )


def _merged_record(request: HttpRequest, pk: int) -> HttpResponse:
    """A record merged into another (404 unless the user sees the one kept): says where the
    young person's record is now."""
    merged = find_or_404(
        request,
        merged_records_visible_to(request.user).select_related("merged_into", "merge__merged_by"),
        pk=pk,
    )
    return render(request, "clients/merged_record.html", {"merged": merged})


@require_http_methods(["GET", "POST"])
def young_person_create(request: HttpRequest) -> HttpResponse:
    """A supervisor opens a record for their team. A likely duplicate must be confirmed."""
    require_permission(request, "clients.add_youngperson")
    teams = request.user.teams_led.all()
    form = NewYoungPersonForm(submitted(request))
    duplicates, hidden_duplicates = [], 0
    if request.method == "POST" and form.is_valid():
        fields = {
            name: form.cleaned_data[name]
            for name in IDENTITY_FIELDS + CARE_FIELDS + CHILD_PROTECTION_FIELDS
        }
        duplicates, hidden_duplicates = possible_duplicates(
            request.user, **{name: fields[name] for name in IDENTITY}
        )
        if (duplicates or hidden_duplicates) and not form.cleaned_data["not_a_duplicate"]:
            form.add_error("not_a_duplicate", "Check the possible duplicates above first.")
        elif not teams:
            form.add_error(None, "You lead no team to hold this record.")
        else:
            try:
                young_person = open_record_outside_referral(
                    by=request.user, team=teams[0], **fields
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    f"{young_person} is added to {young_person.team}. The {young_person.division} "
                    "register coordinator is asked to confirm the listing; then take them on.",
                )
                return redirect(young_person)
    return render(
        request,
        "clients/young_person_form.html",
        {"form": form, "duplicates": duplicates, "hidden_duplicates": hidden_duplicates},
    )


def save_from(request: HttpRequest, form: VersionedForm, action, *args: object, **extra) -> object:
    """Run a service with what the form holds, from the version the form was read at; None
    unless it saved. A refusal is shown on the form. A conflict (someone saved in between) is
    kept as `form.conflict` for the page to say who saved what, and the form is made ready to
    save over it knowingly: it holds what the worker typed on top of what the other saved (the
    fields the worker left alone take the other's values), and the version saved now."""
    form.conflict, form.changed_by_both = None, []
    return save_versioned(
        request, form, action, *args, conflict=Conflict, on_conflict=_conflicting, **extra
    )


def _conflicting(form: VersionedForm, conflict: Conflict) -> None:
    data = form.data.copy()
    data["version"] = str(conflict.current.version)
    for change in conflict.changes:
        if change.name not in form.fields:
            continue
        if conflict.left_as_it_was(change.name, form.cleaned_data[change.name]):
            field = form.fields[change.name]
            data.setlist(change.name, _as_posted(field, getattr(conflict.current, change.name)))
        else:
            form.changed_by_both.append(change.name)
    form.data = data
    form.conflict = conflict


def _as_posted(field: forms.Field, value: object) -> list[str]:
    """`value` as the browser posts it for `field`."""
    if isinstance(field.widget, forms.CheckboxInput):
        return ["on"] if value else []
    value = field.prepare_value(value)
    if isinstance(value, date):
        return [value.isoformat()]
    return ["" if value is None else str(value)]


@require_http_methods(["GET", "POST"])
def young_person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    young_person = _young_person_or_404(request, pk)
    require_permission(request, "clients.change_youngperson", young_person)
    # A copy: the form validates against it (excluding the record itself from the unique
    # checks) while the service compares the changes with the record as it is.
    form = YoungPersonForm(submitted(request), instance=copy(young_person))
    if (
        request.method == "POST"
        and form.is_valid()
        and save_from(request, form, update_young_person, young_person)
    ):
        messages.success(request, "The record is updated.")
        return redirect(young_person)
    return render(
        request,
        "clients/young_person_form.html",
        {"form": form, "young_person": young_person},
    )


@require_http_methods(["GET", "POST"])
def key_person_form(
    request: HttpRequest, pk: int, key_person_pk: int | None = None
) -> HttpResponse:
    young_person = _young_person_or_404(request, pk)
    require_permission(request, "clients.add_keyperson", young_person)
    key_person = (
        find_or_404(request, young_person.key_people, pk=key_person_pk) if key_person_pk else None
    )
    return _part_form(
        request,
        young_person,
        KeyPersonForm(submitted(request), instance=copy(key_person)),
        save_key_person,
        young_person,
        key_person=key_person,
        title=f"Change {key_person}" if key_person else "Add a family member or significant other",
        done="Key people are updated.",
    )


@require_http_methods(["GET", "POST"])
def professional_form(
    request: HttpRequest, pk: int, professional_pk: int | None = None
) -> HttpResponse:
    young_person = _young_person_or_404(request, pk)
    require_permission(request, "clients.add_professionalcontact", young_person)
    professional = (
        find_or_404(request, young_person.professionals, pk=professional_pk)
        if professional_pk
        else None
    )
    return _part_form(
        request,
        young_person,
        ProfessionalForm(submitted(request), instance=copy(professional)),
        save_professional,
        young_person,
        professional=professional,
        title=f"Change {professional}" if professional else "Add to the professional network",
        done="The professional network is updated.",
    )


def _part_form(
    request: HttpRequest,
    young_person: YoungPerson,
    form: VersionedForm,
    action,
    *args: object,
    title: str,
    done: str,
    **extra: object,
) -> HttpResponse:
    """The form of a part of the record (a key person, a professional, an alert): once saved,
    back to the record; until then, the form (again, with what stopped it)."""
    if (
        request.method == "POST"
        and form.is_valid()
        and save_from(request, form, action, *args, **extra)
    ):
        messages.success(request, done)
        return redirect(young_person)
    return render(
        request,
        "clients/record_part_form.html",
        {"form": form, "young_person": young_person, "title": title},
    )


@require_http_methods(["GET", "POST"])
def alert_create(request: HttpRequest, pk: int) -> HttpResponse:
    young_person = _young_person_or_404(request, pk)
    require_permission(request, "clients.add_workersafetyalert", young_person)
    form = AlertForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        try:
            raise_alert(young_person, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "The worker-safety alert is raised.")
            return redirect(young_person)
    return render(
        request,
        "clients/record_part_form.html",
        {"form": form, "young_person": young_person, "title": "Raise a worker-safety alert"},
    )


@require_http_methods(["GET", "POST"])
def alert_edit(request: HttpRequest, pk: int, alert_pk: int) -> HttpResponse:
    young_person = _young_person_or_404(request, pk)
    require_permission(request, "clients.add_workersafetyalert", young_person)
    alert = find_or_404(request, young_person.alerts, pk=alert_pk)
    return _part_form(
        request,
        young_person,
        AlertForm(submitted(request), instance=copy(alert)),
        change_alert,
        alert,
        title="Change a worker-safety alert",
        done="The alert is updated.",
    )


@require_POST
def alert_end(request: HttpRequest, pk: int, alert_pk: int) -> HttpResponse:
    young_person = _young_person_or_404(request, pk)
    require_permission(request, "clients.add_workersafetyalert", young_person)
    alert = find_or_404(request, young_person.alerts, pk=alert_pk)
    form = AlertEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["version"]))
        return redirect(young_person)
    try:
        end_alert(alert, by=request.user, version=form.cleaned_data["version"])
    except Conflict as conflict:
        messages.error(
            request,
            f"{conflict} It is still in force: read it again, and end it if the risk has passed.",
        )
    else:
        messages.success(request, f"Alert ended: {alert}.")
    return redirect(young_person)


@require_http_methods(["GET", "POST"])
def disclosure_create(request: HttpRequest, pk: int) -> HttpResponse:
    young_person = _young_person_or_404(request, pk)
    require_permission(request, "clients.add_disclosure", young_person)
    form = DisclosureForm(submitted(request), initial={"disclosed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            record_disclosure(young_person, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "The disclosure is recorded.")
            return redirect(young_person)
    return render(
        request, "clients/disclosure_form.html", {"form": form, "young_person": young_person}
    )


# --- Merging two records of one young person --------------------------------------------------


def _merge_candidate_or_404(request: HttpRequest, pk: int) -> YoungPerson:
    young_person = find_or_404(
        request,
        young_people_visible_to(request.user)
        .select_related("team", "intensity", "primary_case_manager", "division")
        .prefetch_related(active_alerts()),
        pk=pk,
    )
    require_permission(request, "clients.merge_youngperson", young_person)
    return young_person


@require_GET
def young_person_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """The supervisor looks for another record of this young person to merge into this one:
    likely duplicates among the records they see, or any by its number."""
    young_person = _merge_candidate_or_404(request, pk)
    form = MergeChoiceForm(request.GET or None)
    if form.is_valid():
        return redirect(
            "clients:merge-confirm", pk=young_person.pk, other_pk=form.cleaned_data["record"]
        )
    duplicates, hidden_duplicates = duplicates_of(
        request.user, young_person, exclude=young_person.pk
    )
    return render(
        request,
        "clients/merge.html",
        {
            "young_person": young_person,
            "duplicates": duplicates,
            "hidden_duplicates": hidden_duplicates,
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
@changes_closed_files  # a duplicate merged into a closed record reopens it with its episode
def young_person_merge_confirm(request: HttpRequest, pk: int, other_pk: int) -> HttpResponse:
    """Both records side by side, what would move and how what clashes is settled; confirming
    with a reason merges the other record into this one."""
    kept = _merge_candidate_or_404(request, pk)
    other = _merge_candidate_or_404(request, other_pk)
    audit_detail(request, merge_with=kept.pk)
    try:
        moves, settled = merge_preview(kept, other, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("clients:merge", pk=kept.pk)
    form = MergeForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        try:
            merge_young_people(kept, other, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Record no. {other.pk} is merged into this one.")
            return redirect(kept)
    return render(
        request,
        "clients/merge_confirm.html",
        {
            "young_person": kept,
            "other": other,
            "moves": moves,
            "settled": settled,
            "form": form,
        },
    )


# --- Allocation -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def allocation(request: HttpRequest, pk: int) -> HttpResponse:
    """The supervisor allocates the primary case manager (a transfer if one holds the case)
    and the care team."""
    young_person = find_or_404(
        request,
        young_people_visible_to(request.user)
        .select_related("team", "primary_case_manager")
        .prefetch_related(active_alerts(), current_allocations()),
        pk=pk,
    )
    require_permission(request, "clients.add_allocation", young_person)
    form = AllocationForm(submitted(request), workers=team_members(young_person.team))
    status_form = StatusForm(allowed=STATUS_FORM_MOVES.get(young_person.status, set()))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        allocate = allocate_primary if data["role"] == Allocation.Role.PRIMARY else add_to_care_team
        try:
            allocate(
                young_person,
                worker=data["worker"],
                by=request.user,
                on=data["on"],
                note=data["note"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{data['worker']} is allocated to {young_person}.")
            return redirect(young_person)
    return render(
        request,
        "clients/allocation.html",
        {"form": form, "status_form": status_form, "young_person": young_person},
    )


@require_POST
def status_change(request: HttpRequest, pk: int) -> HttpResponse:
    young_person = _young_person_or_404(request, pk)
    require_permission(request, "clients.add_allocation", young_person)
    form = StatusForm(request.POST, allowed=STATUS_FORM_MOVES.get(young_person.status, set()))
    closing_an_episode = young_person.status in OPEN_STATUSES and request.POST.get("to") == "closed"
    if not form.is_valid() and closing_an_episode:
        messages.error(
            request,
            "An episode closes with its exit plan (or the reason there is none), why the young "
            "person is leaving and where to: close it here.",
        )
        return redirect("exits:close", pk=young_person.pk)
    if not form.is_valid():
        messages.error(request, "Choose the new status and say why.")
        return redirect("clients:allocation", pk=young_person.pk)
    data = form.cleaned_data
    try:
        change_status(young_person, to=data["to"], by=request.user, reason=data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("clients:allocation", pk=young_person.pk)
    status = young_person.get_status_display().lower()
    messages.success(request, f"{young_person} is now {status}.")
    return redirect(young_person)


@require_POST
def allocation_end(request: HttpRequest, pk: int, allocation_pk: int) -> HttpResponse:
    young_person = _young_person_or_404(request, pk)
    require_permission(request, "clients.add_allocation", young_person)
    current = find_or_404(
        request, young_person.allocations, pk=allocation_pk, ended_on__isnull=True
    )
    try:
        end_care_team_allocation(current, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{current.worker} has left the care team.")
    return redirect("clients:allocation", pk=young_person.pk)


@require_http_methods(["GET", "POST"])
def transfer(request: HttpRequest) -> HttpResponse:
    """Bulk transfer: move a worker's caseload (all, or the young people chosen) to one or more
    colleagues in one step."""
    require_permission(request, "clients.transfer_caseload")
    teams = request.user.teams_led.all()
    workers = team_members(teams.first()).filter(team__in=teams)
    chooser = TransferFromForm(request.GET or None, workers=workers)
    if not chooser.is_valid():
        return render(request, "clients/transfer.html", {"chooser": chooser})
    leaving = chooser.cleaned_data["worker"]
    young_people = list(
        young_people_visible_to(request.user)
        .open()
        .filter(primary_case_manager=leaving)
        .select_related("intensity")
    )
    form = TransferForm(
        submitted(request), young_people=young_people, workers=workers.exclude(pk=leaving.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            moved = transfer_caseload(
                form.assignments(),
                by=request.user,
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{len(moved)} young people moved from {leaving}.")
            return redirect("home")
    return render(
        request, "clients/transfer.html", {"chooser": chooser, "form": form, "leaving": leaving}
    )


# --- Contacts ---------------------------------------------------------------------------------


def _contact_or_404(request: HttpRequest, pk: int, contact_pk: int) -> tuple:
    young_person = _young_person_or_404(request, pk)
    contact = find_or_404(
        request,
        with_readable_content(
            contacts_visible_to(request.user).filter(young_person=young_person), request.user
        )
        .select_related("recorded_by", "entered_in_error_by", "young_person__team")
        .prefetch_related("workers"),
        pk=contact_pk,
    )
    return young_person, contact


@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Log a contact in under a minute on a phone. What is typed is kept as a draft every few
    seconds (see contact_draft), and offered again if the session ended before submitting.
    Without signal, static/js/offline-contact.js keeps the contact in the browser, encrypted
    with the session's draft key, and sends it here when the connection is back."""
    young_person = _young_person_or_404(request, pk)
    require_permission(request, "clients.add_contact", young_person)
    co_workers = team_members(young_person.team).exclude(pk=request.user.pk)
    draft = draft_for(request.user, young_person)
    form = ContactForm(
        submitted(request),
        initial=draft.data if draft else None,
        co_workers=co_workers,
        plan_goals=goals_to_advance(young_person),
        readers=co_workers,
    )
    if request.method == "POST" and form.is_valid():
        try:
            contact = record_contact_with_plan_work(
                young_person, by=request.user, **form.contact_and_plan_work()
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Contact recorded: {contact}.")
            return redirect("clients:timeline", pk=young_person.pk)
    return render(
        request,
        "clients/contact_form.html",
        {
            "form": form,
            "young_person": young_person,
            "draft": draft,
            "draft_key": request.session.get(CONTACT_DRAFT_KEY),
        },
    )


@require_POST
@shows_no_record
def contact_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Called by the contact form every few seconds while typing (htmx): keep the draft."""
    young_person = _young_person_or_404(request, pk)
    require_permission(request, "clients.add_contact", young_person)
    data = {
        key: values if key in CONTACT_MULTI_FIELDS else values[-1]
        for key, values in request.POST.lists()
        if key != "csrfmiddlewaretoken"
    }
    draft = save_contact_draft(young_person, author=request.user, data=data)
    return render(request, "clients/draft_status.html", {"draft": draft})


@require_GET
def contact_detail(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    """A contact. A restricted one shows its content to its readers (a read of restricted
    content, audited as such); to the others who see the young person, only that it exists,
    when and by whom (200, not 403: they may need to know that there is more to ask about)."""
    young_person, contact = _contact_or_404(request, pk, contact_pk)
    user = request.user
    readable = contact.content_readable
    if readable:
        shows_restricted_content(request, [contact])
    earlier = (
        contact.events.order_by("-pgh_id")[1:] if contact.amended_at and readable else []
    )  # the versions before this one, newest first
    return render(
        request,
        "clients/contact_detail.html",
        {
            "young_person": young_person,
            "contact": contact,
            "earlier_versions": earlier,
            "advanced": advanced_by(contact) if readable else [],
            "can_change": user.has_perm("clients.change_contact", contact),
            "can_mark_in_error": user.has_perm("clients.mark_contact_in_error", contact),
            "error_form": MarkInErrorForm(),
            # its authors restrict it from the edit form
            **restriction_actions(user, contact, with_form=False),
        },
    )


@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    young_person, contact = _contact_or_404(request, pk, contact_pk)
    require_permission(request, "clients.change_contact", contact)
    co_workers = team_members(young_person.team).exclude(pk=contact.recorded_by_id)
    initial = {
        "version": contact.version,
        "co_workers": [w.pk for w in contact.workers.all() if w.pk != contact.recorded_by_id],
    }
    form = ContactEditForm(
        submitted(request),
        instance=copy(contact),
        initial=initial,
        co_workers=co_workers,
        plan_goals=goals_to_advance(young_person),
        readers=co_workers,
    )
    shows_restricted_content(request, [contact])  # the form holds what it says
    if request.method == "POST" and form.is_valid():
        try:
            amend_contact_with_plan_work(contact, by=request.user, **form.contact_and_plan_work())
        except ValidationError as error:
            add_service_error(form, error)
            contact.refresh_from_db()
        else:
            messages.success(request, "The contact is updated.")
            return redirect("clients:contact-detail", pk=young_person.pk, contact_pk=contact.pk)
    return render(
        request,
        "clients/contact_form.html",
        {"form": form, "young_person": young_person, "contact": contact},
    )


@require_POST
def contact_mark_in_error(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    young_person, contact = _contact_or_404(request, pk, contact_pk)
    require_permission(request, "clients.mark_contact_in_error", contact)
    form = MarkInErrorForm(request.POST)
    if form.is_valid():
        try:
            mark_contact_in_error(contact, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "The contact is marked as entered in error. It is kept.")
    else:
        messages.error(request, "Say why this contact is in error.")
    return redirect("clients:contact-detail", pk=young_person.pk, contact_pk=contact.pk)


def restriction_actions(user: User, entry: RestrictableEntry, *, with_form: bool = True) -> dict:
    """What an entry's page offers about its restriction: to its authors, the form that
    restricts it or changes its readers (`restriction_form`); lifting it (`can_lift`); and the
    link to who has read it (`can_see_reads`). The permissions are `<app>.restrict_<model>`,
    `<app>.lift_<model>_restriction` and `<app>.view_<model>_read_log`."""
    meta = entry._meta
    restricts = with_form and user.has_perm(f"{meta.app_label}.restrict_{meta.model_name}", entry)
    readers = team_members(entry.young_person.team).exclude(pk=user.pk)  # the author restricts
    return {
        "restriction_form": RestrictionForm(readers=readers, entry=entry) if restricts else None,
        "can_lift": entry.is_restricted
        and user.has_perm(f"{meta.app_label}.lift_{meta.model_name}_restriction", entry),
        "can_see_reads": entry.is_restricted
        and user.has_perm(f"{meta.app_label}.view_{meta.model_name}_read_log", entry),
    }


def save_restriction(request: HttpRequest, entry: RestrictableEntry, *, what: str) -> None:
    """The restriction posted for `entry` (a contact, a crisis, a document) saved, and the worker
    told: restricted, or its reason or readers changed, by its authors (`<app>.restrict_<model>`);
    lifted, when no reason is given, by them, the primary case manager or the supervisor
    (`<app>.lift_<model>_restriction`)."""
    meta = entry._meta
    lifting = not request.POST.get("restricted_because")
    action = f"lift_{meta.model_name}_restriction" if lifting else f"restrict_{meta.model_name}"
    require_permission(request, f"{meta.app_label}.{action}", entry)
    form = RestrictionForm(request.POST, readers=team_members(entry.young_person.team))
    if not form.is_valid():
        messages.error(request, "Choose why it is restricted, and readers of the team.")
        return
    because = form.cleaned_data["restricted_because"]
    try:
        change_restriction(
            entry, by=request.user, because=because, readers=form.cleaned_data["restricted_readers"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"The {what} is restricted." if because else "The restriction is lifted."
        )


@require_POST
def contact_restriction(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    """Restrict a contact, change why or who else reads it (its authors), or lift the
    restriction (they, the primary case manager or the supervisor)."""
    young_person, contact = _contact_or_404(request, pk, contact_pk)
    save_restriction(request, contact, what="contact")
    return redirect("clients:contact-detail", pk=young_person.pk, contact_pk=contact.pk)


@require_GET
def contact_read_log(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    """Who has read a restricted contact, and who opened its page: for the team's supervisor."""
    young_person, contact = _contact_or_404(request, pk, contact_pk)
    return read_log(
        request, contact, reverse("clients:contact-detail", args=[young_person.pk, contact.pk])
    )


def read_log(request: HttpRequest, entry: RestrictableEntry, entry_url: str) -> HttpResponse:
    """Who has read a restricted entry (a contact, a crisis, a document), and who opened its
    page, from the audit trail: for the team's supervisor (`<app>.view_<model>_read_log`)."""
    meta = entry._meta
    require_permission(request, f"{meta.app_label}.view_{meta.model_name}_read_log", entry)
    return render(
        request,
        "clients/restricted_reads.html",
        {
            "young_person": entry.young_person,
            "entry": entry,
            "entry_url": entry_url,
            "reads": reads_of(entry),
        },
    )


# --- Timeline ---------------------------------------------------------------------------------


def _timeline_key(value: str) -> tuple[datetime, int, int] | None:
    """The `before` parameter: `<ISO moment>,<rank>,<id>` of the last entry shown."""
    try:
        moment, rank, entry_id = value.rsplit(",", 2)
        return datetime.fromisoformat(moment), int(rank), int(entry_id)
    except ValueError:
        return None


@require_GET
def timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """The young person's chronology, newest first, filterable by kind; "older" pages come in
    with htmx (or as plain links without JavaScript)."""
    young_person = _young_person_or_404(request, pk)
    search = FileSearchForm(request.GET)
    words = search.cleaned_data["q"] if search.is_valid() else ""
    audit_detail(request, timeline=True, **({"searched": words} if words else {}))
    all_kinds = timeline_kinds()
    asked = set(request.GET.getlist("kind"))
    kinds = [kind.name for kind in all_kinds if kind.name in asked]
    entries, next_key = timeline_page(
        young_person,
        user=request.user,
        kinds=kinds or [kind.name for kind in all_kinds],
        before=_timeline_key(request.GET.get("before", "")),
        size=TIMELINE_PAGE,
        words=words,
    )
    shows_restricted_content(request, restricted_content_shown(entries))
    query = request.GET.copy()
    query.pop("before", None)
    context = {
        "young_person": young_person,
        "entries": entries,
        "kinds": [(kind.name, kind.label, kind.name in kinds) for kind in all_kinds],
        "next_key": f"{next_key[0].isoformat()},{next_key[1]},{next_key[2]}" if next_key else None,
        "query": query.urlencode(),
        "can_add_contact": request.user.has_perm("clients.add_contact", young_person),
        "search": search,
        "words": words,
        "searched_kinds": [kind.label.lower() for kind in all_kinds if kind.searched],
        "period": FilePeriodForm(None),
    }
    if request.htmx and request.GET.get("before"):
        return render(request, "clients/timeline_entries.html", context)
    return render(request, "clients/timeline.html", context)


# --- The file's outputs -----------------------------------------------------------------------
# Each shows a restricted entry's content only to its readers (clients.rules.with_readable_content)
# and tells the audit trail which restricted entries a reader got.

CONTACTS_CSV_HEADER = [
    "Date",
    "Start",
    "Minutes",
    "How",
    "Where",
    "Kind",
    "Reached the young person",
    "After hours",
    "Workers",
    "Notes",
    "Follow-up",
    "Entered in error",
]


def _contact_row(contact: Contact) -> list:
    started_at = timezone.localtime(contact.started_at)
    workers = ", ".join(str(worker) for worker in contact.workers.all())
    when = [f"{started_at:%Y-%m-%d}", f"{started_at:%H:%M}"]
    if not contact.content_readable:  # that it exists, when and by whom; nothing it says
        return [*when, "", "", "", "", "", "", workers, "Restricted", "", ""]
    return [
        *when,
        contact.duration_minutes,
        contact.get_mode_display(),
        contact.get_location_display(),
        contact.get_kind_display(),
        "yes" if contact.reached_young_person else "no",
        "yes" if contact.after_hours else "no",
        workers,
        contact.notes,
        contact.follow_up,
        "yes" if contact.entered_in_error_at else "no",
    ]


@require_GET
def contacts_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The young person's contacts, oldest first, as CSV."""
    young_person = find_or_404(request, young_people_visible_to(request.user), pk=pk)
    contacts = contacts_on_file(young_person, request.user)
    # Said before the rows stream: the trail is written when the answer leaves.
    shows_restricted_content(request, restricted_readable(contacts))
    return csv_download(
        request,
        name=f"contacts-{young_person.pk}",
        header=CONTACTS_CSV_HEADER,
        rows=(_contact_row(contact) for contact in contacts.iterator(chunk_size=2000)),
        detail={"rows": contacts.count()},
        young_person_id=young_person.pk,
    )


@require_GET
def file_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The young person's file for a case conference or a court: who they are, their status
    and team, and the contacts and crises of a period (`?from=&to=`, the last three months by
    default)."""
    young_person = find_or_404(request, file_summary(young_people_visible_to(request.user)), pk=pk)
    period = FilePeriodForm(request.GET)
    if not period.is_valid():
        return render(
            request,
            "clients/file/period_form.html",
            {"young_person": young_person, "period": period},
            status=400,
        )
    starts_on, ends_on = period.cleaned_data["from"], period.cleaned_data["to"]
    start, end = local_midnight(starts_on), local_midnight(ends_on + timedelta(days=1))
    contacts = contacts_on_file(young_person, request.user)
    contacts = list(contacts.filter(started_at__gte=start, started_at__lt=end))
    crises = list(crises_on_file(young_person, request.user).happened_between(start, end))
    audit_detail(request, file_pdf=True, period=[starts_on.isoformat(), ends_on.isoformat()])
    shows_restricted_content(
        request, [entry for entry in [*contacts, *crises] if entry.content_readable]
    )
    context = {
        "young_person": young_person,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "contacts": contacts,
        "crises": crises,
        "today": timezone.localdate(),
    }
    return render_pdf(
        request,
        "clients/file/file_pdf.html",
        context,
        filename=f"file-{young_person.pk}-{starts_on:%Y%m%d}-{ends_on:%Y%m%d}.pdf",
        instead="Download the contacts as CSV instead.",
    )


# --- After-hours access -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@lists_client_records
def break_glass_request(request: HttpRequest) -> HttpResponse:
    """After hours: open the safety information of a young person not on one's caseload."""
    require_permission(request, "clients.add_breakglassaccess")
    form = BreakGlassForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        young_person = find_for_break_glass(
            child_protection_number=data["child_protection_number"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
        )
        if young_person is None:
            form.add_error(None, "No open case matches exactly. Check the number or the name.")
        else:
            try:
                access = grant_break_glass(young_person, worker=request.user, reason=data["reason"])
            except ValidationError as error:
                add_service_error(form, error)
            else:
                return redirect("clients:break-glass-detail", pk=access.pk)
    return render(
        request,
        "clients/break_glass_form.html",
        {
            "form": form,
            "after_hours": is_after_hours(timezone.now()),
            "break_glass_hours": settings.BREAK_GLASS_MINUTES // 60,
            "active_accesses": active_break_glass_for(request.user).select_related("young_person"),
            "on_call": on_call_at(timezone.now()),
            "is_on_call": is_on_call(request.user, timezone.now()),
        },
    )


@require_GET
def break_glass_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The young person's alerts and crisis plan, while the worker's access lasts."""
    access = find_or_404(
        request,
        active_break_glass_for(request.user).select_related(
            "young_person__crisis_plan", "young_person__team__supervisor"
        ),
        pk=pk,
    )
    young_person = access.young_person
    found_record(request, young_person)
    audit_detail(request, break_glass=access.pk)
    return render(
        request,
        "clients/break_glass_detail.html",
        {
            "access": access,
            "young_person": young_person,
            "alerts": young_person.alerts.filter(active=True),
        },
    )


@require_POST
@changes_closed_files  # an after-hours access is reviewed whatever became of the file since
def break_glass_review(request: HttpRequest, pk: int) -> HttpResponse:
    access = find_or_404(
        request,
        break_glass_accesses_visible_to(request.user).select_related("young_person__team"),
        pk=pk,
    )
    require_permission(request, "clients.review_breakglassaccess", access)
    if EmptyForm(request.POST).is_valid():
        review_break_glass(access, by=request.user)
        messages.success(request, f"Marked as reviewed: {access}.")
    return redirect("home")
