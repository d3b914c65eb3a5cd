from copy import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, IntegerField, OuterRef, QuerySet, Value, When
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role, Team, User
from accounts.queries import teams_serving
from accounts.rules import teams_supervised_by
from caseplans.models import CasePlan
from caseplans.rules import case_plans_visible_to
from clients.forms import ChildProtectionDecisionForm
from clients.queries import team_members, team_workers_with_caseload
from clients.services import record_child_protection_decisions
from clients.views import save_from
from icms.access import (
    audit_detail,
    find_or_404,
    found_record,
    lists_client_records,
    require_permission,
)
from icms.forms import add_service_error, submitted
from referrals.forms import (
    AGREEMENT_TERMS,
    AcceptForm,
    AttachmentForm,
    ConsultationForm,
    DeclineForm,
    NoteForm,
    ReferralForm,
)
from referrals.models import OPEN_STATUSES, Referral
from referrals.queries import waiting_for
from referrals.rules import consultations_visible_to, referrals_visible_to
from referrals.services import (
    accept_referral,
    attach_document,
    check_move,
    consider_referral,
    decline_referral,
    missing_parts,
    record_consultation,
    save_referral_draft,
    submit_referral,
    waitlist_referral,
    withdraw_referral,
)
from register.models import RegisterEntry
from register.queries import with_next_review
from register.rules import register_entries_visible_to

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
    waiting = (
        waiting_for(request.user)
        .select_related("referred_by", "team")
        .order_by(URGENCY_ORDER, "submitted_at")
    )
    decided = visible.exclude(status__in=OPEN_STATUSES).order_by("-decided_at")[:20]
    teams = teams_supervised_by(request.user)
    return render(
        request,
        "referrals/queue.html",
        {
            "waiting": waiting,
            "decided": decided,
            "workers": team_workers_with_caseload(teams),
            "now": timezone.now(),
        },
    )


def _save_or_submit(
    request: HttpRequest, form: ReferralForm, referral: Referral | None
) -> Referral | None:
    """Save the draft; if asked, submit it. Returns the referral, or None if refused."""
    data = form.draft_fields()
    try:
        referral = save_referral_draft(
            referral,
            by=request.user,
            client_reference=form.cleaned_data.get("client_reference"),
            **data,
        )
    except ValidationError as error:
        add_service_error(form, error)
        return None
    if request.POST.get("action") != "submit":
        messages.success(request, "The draft is saved. Submit it when it is complete.")
        return referral
    try:
        submit_referral(referral, by=request.user)
    except ValidationError as error:
        form.instance = referral
        add_service_error(form, error)
        messages.info(request, "The draft is saved, but cannot be submitted yet.")
        return None
    messages.success(request, f"{referral} is submitted to {referral.team}.")
    return referral


@require_http_methods(["GET", "POST"])
def referral_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, "referrals.add_referral")
    form = ReferralForm(submitted(request), teams=_practitioner_teams(request.user))
    if request.method == "POST" and form.is_valid():
        referral = _save_or_submit(request, form, None)
        if referral is not None:
            return redirect("referrals:detail", pk=referral.pk)
    return render(request, "referrals/referral_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def referral_edit(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_or_404(request, pk)
    require_permission(request, "referrals.change_referral", referral)
    form = ReferralForm(
        submitted(request), instance=copy(referral), teams=_practitioner_teams(request.user)
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_or_submit(request, form, referral)
        if saved is not None:
            return redirect("referrals:detail", pk=saved.pk)
    return render(
        request,
        "referrals/referral_form.html",
        {"form": form, "referral": referral, "attachment_form": AttachmentForm()},
    )


@require_GET
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_or_404(request, pk)
    user = request.user
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "moves": referral.moves.select_related("by"),
            "attachments": referral.attachments.all(),
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
            "can_decide": user.has_perm("referrals.decide_referral", referral),
            "can_record_decisions": user.has_perm(
                "referrals.record_child_protection_decisions", referral
            ),
            "is_icms": user.has_role(Role.CASE_MANAGER) or user.has_role(Role.SUPERVISOR),
            "note_form": NoteForm(),
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
    initial = {
        "terms": AGREEMENT_TERMS.format(name=referral.preferred_name or referral.given_name),
        "parties": f"{name}, young person\n{referral.referred_by}, child protection practitioner"
        "\nICMS case manager",
    }
    form = AcceptForm(
        submitted(request), initial=initial, case_managers=team_members(referral.team)
    )
    if request.method == "POST" and form.is_valid():
        try:
            agreement = accept_referral(referral, by=request.user, **form.cleaned_data)
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
            "workers": team_workers_with_caseload(Team.objects.filter(pk=referral.team_id)),
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
    return render(request, "referrals/decline.html", {"form": form, "referral": referral})


@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_or_404(request, pk)
    require_permission(request, "referrals.change_referral", referral)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a document to attach.")
    else:
        try:
            attachment = attach_document(
                referral, by=request.user, upload=form.cleaned_data["document"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"“{attachment}” is attached.")
    return redirect("referrals:edit", pk=referral.pk)


@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """A referral's document, for those who see the referral; always as a download."""
    referral = _referral_or_404(request, pk)
    attachment = find_or_404(request, referral.attachments, pk=attachment_pk)
    audit_detail(request, referral=referral.pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


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
