from copy import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, IntegerField, OuterRef, QuerySet, Value, When
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role, Team, User
from accounts.queries import teams_serving
from accounts.rules import teams_supervised_by
from caseplans.models import CasePlan
from caseplans.rules import case_plans_visible_to
from clients.forms import ChildProtectionDecisionForm
from clients.models import YoungPerson
from clients.queries import duplicates_of, team_members, team_workers_with_caseload
from clients.rules import young_people_visible_to
from clients.services import record_child_protection_decisions
from clients.views import save_from
from referrals.forms import (
    AGREEMENT_TERMS,
    AcceptForm,
    ConsultationForm,
    DeclineForm,
    NoteForm,
    ReferralForm,
    WithdrawDocumentForm,
)
from referrals.models import OPEN_STATUSES, Referral, ReferralAttachment
from referrals.queries import (
    Capacity,
    capacities,
    capacity_of,
    kept_capacity,
    last_phone_of,
    team_capacities,
    waiting_for,
)
from referrals.rules import agreements_visible_to, consultations_visible_to, referrals_visible_to
from referrals.services import (
    accept_referral,
    attach_document,
    check_move,
    consider_referral,
    decline_referral,
    differences,
    discard_referral_draft,
    missing_parts,
    record_consultation,
    remove_document,
    reopened_record,
    save_referral_draft,
    submit_referral,
    take_on_young_person,
    waitlist_referral,
    withdraw_document,
    withdraw_referral,
)
from register.models import RegisterEntry
from register.queries import (
    listing_request_of,
    register_entry_of,
    why_not_listed,
    why_record_not_listed,
    with_next_review,
    with_register_listing,
)
from register.rules import register_entries_visible_to
from toolkit.access import (
    audit_detail,
    find_or_404,
    found_record,
    lists_client_records,
    require_permission,
    shows_no_record,
)
from toolkit.forms import add_service_error, submitted
from toolkit.uploads import as_download

WAITING = OPEN_STATUSES - {Referral.Status.DRAFT}
URGENCY_ORDER = Case(
    When(urgency=Referral.Urgency.URGENT, then=Value(0)),
    When(urgency=Referral.Urgency.PRIORITY, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _referral_or_404(request: HttpRequest, pk: int) -> Referral:
    return find_or_404(
        request,
        referrals_visible_to(request.user).select_related(
            "referred_by",
            "team__supervisor",
            "division",
            "young_person__primary_case_manager",
            "agreement__recorded_by",
        ),
        pk=pk,
    )


def _refuse_illegal_move(request: HttpRequest, referral: Referral, to: str) -> bool:
    """Tell the supervisor when the state machine refuses this decision; True if refused."""
    try:
        check_move(referral, to)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return True
    return False


def _register_listing(referral: Referral) -> dict[str, object]:
    """While a referral waits for a decision: the young person's entry on the division's
    register, or why ICMS cannot take them on yet, and whether that is the coordinator's
    confirmation still to come."""
    if not referral.is_open or referral.status == Referral.Status.DRAFT:
        return {}
    entry = register_entry_of(referral.division_id, referral.child_protection_number)
    if entry is not None:
        return {"listing_entry": entry}
    request = listing_request_of(referral)
    return {
        "not_listed": why_not_listed(referral.display_name, referral.division, request),
        "waiting_for_register": request is not None and request.status == request.Status.WAITING,
    }


def _practitioner_teams(user: User) -> QuerySet[Team]:
    return teams_serving(user.division)


@require_GET
@lists_client_records
def referral_list(request: HttpRequest) -> HttpResponse:
    """A practitioner's referrals and what became of them."""
    require_permission(request, "referrals.add_referral")
    referrals = (
        referrals_visible_to(request.user)
        .filter(referred_by=request.user)
        .select_related("team", "young_person")
    )
    return render(request, "referrals/referral_list.html", {"referrals": referrals})


@require_GET
@lists_client_records
def referral_queue(request: HttpRequest) -> HttpResponse:
    """The supervisor's triage queue: waiting referrals, most urgent and longest waiting first,
    with the team's capacity beside them."""
    require_permission(request, "referrals.view_referral_queue")
    visible = referrals_visible_to(request.user).select_related("referred_by", "team")
    waiting = list(
        with_register_listing(waiting_for(request.user))
        .select_related("referred_by", "team", "young_person")
        .order_by(URGENCY_ORDER, "submitted_at")
    )
    capacity = capacities(waiting)
    for referral in waiting:
        referral.capacity = capacity[referral.pk]
    decided = visible.exclude(status__in=OPEN_STATUSES).order_by("-decided_at")[:20]
    teams = teams_supervised_by(request.user)
    return render(
        request,
        "referrals/queue.html",
        {
            "waiting": waiting,
            "decided": decided,
            "team_capacities": team_capacities(teams),
            "workers": team_workers_with_caseload(teams),
            "now": timezone.now(),
        },
    )


def _save_draft(request: HttpRequest, form: ReferralForm, referral: Referral | None) -> Referral:
    """What the form holds, saved as the draft (made once per form: its client_reference)."""
    return save_referral_draft(
        referral,
        by=request.user,
        client_reference=form.cleaned_data.get("client_reference"),
        **form.draft_fields(),
    )


def _act(request: HttpRequest, form: ReferralForm, referral: Referral) -> HttpResponse | None:
    """After the draft is saved: attach what was chosen, then do what the button says. Returns
    where to go, or None to show the form again (submitting was refused)."""
    edit = reverse("referrals:edit", args=[referral.pk])
    if form.cleaned_data.get("document"):
        try:
            attachment = attach_document(
                referral, by=request.user, upload=form.cleaned_data["document"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(f"{edit}#documents")
        messages.success(request, f"“{attachment}” is attached.")
    action = request.POST.get("action", "save")
    if request.POST.get("remove"):
        attachment = find_or_404(request, referral.attachments, pk=request.POST["remove"])
        remove_document(attachment, by=request.user)
        messages.success(request, f"“{attachment}” is removed.")
        return redirect(f"{edit}#documents")
    if action == "discard":
        return redirect("referrals:discard", pk=referral.pk)
    if action in {"attach", "more_family", "more_network"}:
        anchor = {"attach": "documents", "more_family": "family", "more_network": "network"}
        return redirect(f"{edit}#{anchor[action]}")
    if action != "submit":
        messages.success(request, "The draft is saved. Submit it when it is complete.")
        return redirect("referrals:detail", pk=referral.pk)
    try:
        submit_referral(referral, by=request.user)
    except ValidationError as error:
        form.instance = referral
        add_service_error(form, error)
        messages.info(request, "The draft is saved, but cannot be submitted yet.")
        return None
    messages.success(request, f"{referral} is submitted to {referral.team}.")
    return redirect("referrals:detail", pk=referral.pk)


def _referral_form(request: HttpRequest, referral: Referral | None) -> HttpResponse:
    """The new-referral and the draft pages. Every button saves what is typed first, so that
    nothing is lost: attaching or removing a document, adding a row, discarding (which asks
    first), submitting. A form that cannot be saved comes back as typed, saying why."""
    form = ReferralForm(
        submitted(request),
        request.FILES or None,
        instance=copy(referral) if referral else None,
        initial=None if referral else {"referrer_phone": last_phone_of(request.user)},
        teams=_practitioner_teams(request.user),
    )
    if request.method == "POST":
        # Discarding asks first: what can be saved is kept in case the answer is no.
        discarding = referral is not None and request.POST.get("action") == "discard"
        if form.is_valid() or discarding:
            try:
                saved = _save_draft(request, form, referral)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                answer = _act(request, form, saved)
                if answer is not None:
                    return answer
                referral = saved
        else:
            again = " and choose the document again" if request.FILES else ""
            messages.error(request, f"Not saved: check what the form says below{again}.")
    return render(
        request,
        "referrals/referral_form.html",
        {
            "form": form,
            "referral": referral,
            "attachments": referral.attachments.all() if referral else [],
            "autosave_url": reverse("referrals:autosave", args=[referral.pk])
            if referral
            else reverse("referrals:create-autosave"),
        },
    )


@require_http_methods(["GET", "POST"])
def referral_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, "referrals.add_referral")
    return _referral_form(request, None)


@require_http_methods(["GET", "POST"])
def referral_edit(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_or_404(request, pk)
    require_permission(request, "referrals.change_referral", referral)
    return _referral_form(request, referral)


@require_POST
@shows_no_record
def referral_autosave(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Called by the referral form a few seconds after typing stops (htmx), as the contact
    form's draft is: keep what is typed in the draft, each part that can be taken as it is.
    The first save of a new referral makes the draft, and the page's address becomes the
    draft's, so that reloading it brings everything back."""
    referral = None
    if pk is None:
        require_permission(request, "referrals.add_referral")
    else:
        referral = _referral_or_404(request, pk)
        require_permission(request, "referrals.change_referral", referral)
    form = ReferralForm(
        request.POST,
        instance=copy(referral) if referral else None,
        teams=_practitioner_teams(request.user),
    )
    form.is_valid()
    reference = form.cleaned_data.get("client_reference")
    context = {"problems": form.problems(), "saved_at": timezone.now()}
    if reference is None or (referral is not None and reference != referral.client_reference):
        context["refused"] = "this page is not the draft's; reload it"
        return render(request, "referrals/autosave_status.html", context)
    try:
        saved = _save_draft(request, form, referral)
    except ValidationError as error:
        context["refused"] = " ".join(error.messages)
        return render(request, "referrals/autosave_status.html", context)
    response = render(request, "referrals/autosave_status.html", context)
    if referral is None:
        response["HX-Replace-Url"] = reverse("referrals:edit", args=[saved.pk])
    return response


@require_http_methods(["GET", "POST"])
def referral_discard(request: HttpRequest, pk: int) -> HttpResponse:
    """A practitioner discards their own draft, after saying yes to what it deletes."""
    referral = _referral_or_404(request, pk)
    require_permission(request, "referrals.discard_referral", referral)
    if request.method == "POST":
        try:
            discard_referral_draft(referral, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("referrals:detail", pk=referral.pk)
        name = referral.display_name or "a young person"
        messages.success(request, f"Your draft referral of {name} is discarded.")
        return redirect("referrals:list")
    return render(
        request,
        "referrals/discard.html",
        {"referral": referral, "attachments": referral.attachments.all()},
    )


def _capacity_shown(request: HttpRequest, referral: Referral, moves: list) -> Capacity | None:
    """Today's figures while the supervisor decides; afterwards, those the decision kept: for
    ICMS, and for the referrer when the reason was capacity."""
    user = request.user
    if referral.is_open:
        deciding = user.has_perm("referrals.decide_referral", referral)
        return capacity_of(referral) if deciding else None
    if (
        user.has_role(Role.PRACTITIONER)
        and referral.decline_reason != Referral.DeclineReason.CAPACITY
    ):
        return None
    return kept_capacity(referral, moves)


def _possible_duplicates(user: User, referral: Referral) -> dict:
    """For the supervisor deciding a waiting referral: records that may be the young person,
    those of another team only counted (the page does not name them). The record with the
    referral's child protection number, which accepting reopens, is linked on its own."""
    if referral.status not in WAITING or not user.has_perm("referrals.decide_referral", referral):
        return {}
    duplicates, hidden_duplicates = duplicates_of(user, referral, exclude=referral.young_person_id)
    return {"duplicates": duplicates, "hidden_duplicates": hidden_duplicates}


@require_GET
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_or_404(request, pk)
    user = request.user
    moves = list(referral.moves.select_related("by"))
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "moves": moves,
            "capacity": _capacity_shown(request, referral, moves),
            "attachments": referral.attachments.select_related("withdrawn_by"),
            "key_people": referral.key_people.all(),
            "professionals": referral.professionals.all(),
            "agreement": getattr(referral, "agreement", None),
            "current_plan": case_plans_visible_to(user)
            .filter(young_person=referral.young_person_id, status=CasePlan.Status.CURRENT)
            .first()
            if referral.status == Referral.Status.ACCEPTED
            else None,
            "register_entry": with_next_review(
                register_entries_visible_to(user).filter(
                    young_person=referral.young_person_id, status=RegisterEntry.Status.ACTIVE
                )
            ).first()
            if referral.status == Referral.Status.ACCEPTED
            else None,
            "consultations": referral.consultations.select_related("given_by"),
            "missing": missing_parts(referral) if referral.status == "draft" else [],
            "can_edit": user.has_perm("referrals.change_referral", referral),
            "can_withdraw": user.has_perm("referrals.withdraw_referral", referral),
            "can_withdraw_documents": user.has_perm("referrals.withdraw_attachment", referral),
            "can_decide": user.has_perm("referrals.decide_referral", referral),
            "can_record_decisions": user.has_perm(
                "referrals.record_child_protection_decisions", referral
            ),
            "is_icms": user.has_role(Role.CASE_MANAGER) or user.has_role(Role.SUPERVISOR),
            "note_form": NoteForm(),
            **_register_listing(referral),
            **_possible_duplicates(user, referral),
        },
    )


@require_POST
def referral_submit(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_or_404(request, pk)
    require_permission(request, "referrals.submit_referral", referral)
    try:
        submit_referral(referral, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"{referral} is submitted to {referral.team}.")
    return redirect("referrals:detail", pk=referral.pk)


@require_POST
def referral_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_or_404(request, pk)
    require_permission(request, "referrals.withdraw_referral", referral)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            withdraw_referral(referral, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{referral} is withdrawn.")
    return redirect("referrals:detail", pk=referral.pk)


@require_POST
def referral_move(request: HttpRequest, pk: int, to: str) -> HttpResponse:
    """The supervisor starts considering a referral, or puts it on the waiting list."""
    referral = _referral_or_404(request, pk)
    require_permission(request, "referrals.decide_referral", referral)
    form = NoteForm(request.POST)
    moves = {"considering": consider_referral, "waitlisted": waitlist_referral}
    if to not in moves or not form.is_valid():
        messages.error(request, "That move is not possible.")
        return redirect("referrals:detail", pk=referral.pk)
    try:
        moves[to](referral, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{referral} is now {Referral.Status(to).label.lower()}.")
    return redirect("referrals:detail", pk=referral.pk)


@require_http_methods(["GET", "POST"])
def referral_accept(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_or_404(request, pk)
    require_permission(request, "referrals.decide_referral", referral)
    if _refuse_illegal_move(request, referral, Referral.Status.ACCEPTED):
        return redirect("referrals:detail", pk=referral.pk)
    name = referral.display_name
    capacity = capacity_of(referral)
    initial = {
        "intensity": capacity.expected,
        "terms": AGREEMENT_TERMS.format(name=referral.preferred_name or referral.given_name),
        "parties": f"{name}, young person\n{referral.referred_by}, child protection practitioner"
        "\nICMS case manager",
    }
    record = reopened_record(referral)
    if record is not None:
        audit_detail(request, compared_with_record=record.pk)
    form = AcceptForm(
        submitted(request),
        initial=initial,
        case_managers=team_members(referral.team),
        differences=differences(referral, record) if record is not None else [],
    )
    if request.method == "POST" and form.is_valid():
        try:
            agreement = accept_referral(referral, by=request.user, **form.decision())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{agreement.young_person} is accepted into ICMS.")
            return redirect("referrals:detail", pk=referral.pk)
    return render(
        request,
        "referrals/accept.html",
        {
            "form": form,
            "referral": referral,
            "capacity": capacity,
            "workers": team_workers_with_caseload(Team.objects.filter(pk=referral.team_id)),
            **_register_listing(referral),
            **_possible_duplicates(request.user, referral),
        },
    )


@require_http_methods(["GET", "POST"])
def referral_decline(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_or_404(request, pk)
    require_permission(request, "referrals.decide_referral", referral)
    if _refuse_illegal_move(request, referral, Referral.Status.DECLINED):
        return redirect("referrals:detail", pk=referral.pk)
    form = DeclineForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        try:
            decline_referral(referral, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{referral} is declined; the referrer is told.")
            return redirect("referrals:detail", pk=referral.pk)
    return render(
        request,
        "referrals/decline.html",
        {"form": form, "referral": referral, "capacity": capacity_of(referral)},
    )


@require_POST
def attachment_withdraw(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """The referrer withdraws a document attached by mistake to a submitted referral."""
    referral = _referral_or_404(request, pk)
    attachment = find_or_404(request, referral.attachments, pk=attachment_pk)
    require_permission(request, "referrals.withdraw_attachment", referral)
    form = WithdrawDocumentForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["reason"])
        withdraw_document(attachment, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{attachment}” is withdrawn: it stays listed, marked so.")
    return redirect(f"{reverse('referrals:detail', args=[referral.pk])}#documents")


def _download(attachment: ReferralAttachment) -> FileResponse:
    return as_download(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )


@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """A referral's document, for those who see the referral; always as a download."""
    referral = _referral_or_404(request, pk)
    attachment = find_or_404(
        request, referral.attachments.filter(withdrawn_at__isnull=True), pk=attachment_pk
    )
    audit_detail(request, referral=referral.pk)
    return _download(attachment)


@require_GET
def agreement_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The case management agreement, laid out to print and sign."""
    referral = _referral_or_404(request, pk)
    agreement = getattr(referral, "agreement", None)
    if agreement is None:
        return redirect("referrals:detail", pk=referral.pk)
    found_record(request, agreement)
    return render(request, "referrals/agreement_print.html", {"agreement": agreement})


@require_http_methods(["GET", "POST"])
def child_protection_decisions(request: HttpRequest, pk: int) -> HttpResponse:
    """The young person's child protection practitioner records what child protection decided
    about their permanency objective, legal order and placement; their case manager is told.
    The page shows these decisions and their history, nothing else of the record."""
    referral = _referral_or_404(request, pk)
    require_permission(request, "referrals.record_child_protection_decisions", referral)
    young_person = referral.young_person
    found_record(request, young_person)
    audit_detail(request, child_protection_decisions=True)
    form = ChildProtectionDecisionForm(submitted(request), instance=copy(young_person))
    if (
        request.method == "POST"
        and form.is_valid()
        and save_from(request, form, record_child_protection_decisions, young_person)
    ):
        told = young_person.primary_case_manager
        messages.success(
            request, "The decision is recorded" + (f"; {told} is told." if told else ".")
        )
        return redirect("referrals:detail", pk=referral.pk)
    return render(
        request,
        "referrals/child_protection_decisions.html",
        {
            "referral": referral,
            "young_person": young_person,
            "form": form,
            "decisions": young_person.child_protection_decisions.select_related("recorded_by"),
        },
    )


@require_GET
def agreement_print_by_number(request: HttpRequest, pk: int) -> HttpResponse:
    """A case management agreement, with or without a referral, to print and sign."""
    agreement = find_or_404(
        request,
        agreements_visible_to(request.user).select_related(
            "referral__team", "young_person__team", "young_person__primary_case_manager"
        ),
        pk=pk,
    )
    return render(request, "referrals/agreement_print.html", {"agreement": agreement})


@require_http_methods(["GET", "POST"])
def take_on(request: HttpRequest, pk: int) -> HttpResponse:
    """The supervisor takes on a young person whose record the team opened outside a referral,
    once the register coordinator has listed them: case manager and agreement, as on
    accepting a referral."""
    young_person = find_or_404(
        request, young_people_visible_to(request.user).select_related("team", "division"), pk=pk
    )
    require_permission(request, "referrals.take_on_youngperson", young_person)
    if young_person.status != YoungPerson.Status.REFERRED:
        messages.info(
            request,
            f"{young_person} is {young_person.get_status_display().lower()} with ICMS: "
            "there is nothing to take on.",
        )
        return redirect(young_person)
    name = young_person.preferred_name or young_person.given_name
    initial = {
        "terms": AGREEMENT_TERMS.format(name=name),
        "parties": f"{young_person}, young person\nICMS case manager",
        "intensity": young_person.intensity_id,
    }
    form = AcceptForm(
        submitted(request), initial=initial, case_managers=team_members(young_person.team)
    )
    if request.method == "POST" and form.is_valid():
        try:
            take_on_young_person(young_person, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{young_person} is taken on by {young_person.team}.")
            return redirect(young_person)
    return render(
        request,
        "referrals/take_on.html",
        {
            "form": form,
            "young_person": young_person,
            "not_listed": why_record_not_listed(young_person),
            "workers": team_workers_with_caseload(Team.objects.filter(pk=young_person.team_id)),
        },
    )


@require_GET
@lists_client_records
def consultation_list(request: HttpRequest) -> HttpResponse:
    require_permission(request, "referrals.add_consultation")
    consultations = (
        consultations_visible_to(request.user)
        .select_related("given_by", "team")
        # A case manager sees the advice given, not always the referral it answered.
        .annotate(
            referral_seen=Exists(referrals_visible_to(request.user).filter(pk=OuterRef("referral")))
        )[:100]
    )
    return render(request, "referrals/consultation_list.html", {"consultations": consultations})


@require_http_methods(["GET", "POST"])
def consultation_create(request: HttpRequest) -> HttpResponse:
    """Advice given to someone outside ICMS who asked about a young person."""
    require_permission(request, "referrals.add_consultation")
    user = request.user
    teams = Team.objects.filter(pk=user.team_id) | teams_supervised_by(user)
    form = ConsultationForm(submitted(request), teams=teams.distinct())
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            record_consultation(team=data.pop("team"), by=user, **data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "The consultation is logged.")
            return redirect("referrals:consultations")
    return render(request, "referrals/consultation_form.html", {"form": form})
