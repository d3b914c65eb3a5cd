"""The high-risk youth register: the list, an entry with its reviews, listing, removal, and the
liaison meetings that hold reviews."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from referrals.models import Referral
from referrals.rules import referrals_visible_to
from register import services
from register.forms import (
    REVIEW_SOON_DAYS,
    ActionFormSet,
    ConfirmListingForm,
    ListingForm,
    MeetingForm,
    NotListedForm,
    RegisterFilter,
    RemovalForm,
    ResolutionForm,
    ReviewForm,
)
from register.models import Escalation, ListingRequest, RegisterEntry
from register.queries import escalations_shown, with_next_review
from register.rules import (
    escalations_visible_to,
    liaison_meetings_visible_to,
    listing_requests_visible_to,
    open_reviews_of_division,
    register_entries_visible_to,
    young_people_listable_by,
)
from toolkit.access import find_or_404, lists_client_records, require_permission
from toolkit.forms import add_service_error, submitted


def _entry_or_404(request: HttpRequest, pk: int) -> RegisterEntry:
    return find_or_404(
        request,
        register_entries_visible_to(request.user).select_related(
            "young_person", "division", "listed_by", "removed_by"
        ),
        pk=pk,
    )


@require_GET
@lists_client_records
def register_list(request: HttpRequest) -> HttpResponse:
    require_permission(request, "register.view_register")
    entries = with_next_review(
        register_entries_visible_to(request.user).select_related("young_person", "division"),
        soon_days=REVIEW_SOON_DAYS,
    ).order_by(F("next_review_on").asc(nulls_last=True), "young_person__family_name")
    data = request.GET.copy()
    data.setdefault("status", RegisterEntry.Status.ACTIVE)
    register = RegisterFilter(data, queryset=entries)
    return render(
        request,
        "register/register_list.html",
        {
            "register": register,
            "entries": register.qs if register.is_valid() else entries.none(),
            "can_list": request.user.has_perm("register.keep_register"),
        },
    )


@require_http_methods(["GET", "POST"])
@lists_client_records  # the young people of the division not listed, to choose from
def entry_create(request: HttpRequest) -> HttpResponse:
    """The coordinator lists a young person of their division."""
    require_permission(request, "register.keep_register")
    young_people = young_people_listable_by(request.user).order_by("family_name", "given_name")
    form = ListingForm(
        submitted(request),
        young_people=young_people,
        initial={"listed_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        young_person = form.cleaned_data["young_person"]
        require_permission(request, "register.add_registerentry", young_person)
        try:
            entry = services.list_young_person(
                young_person,
                by=request.user,
                listed_on=form.cleaned_data["listed_on"],
                risk_factors=form.cleaned_data["risk_factors"],
                risk_details=form.cleaned_data["risk_details"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{young_person} is on the register.")
            return redirect("register:entry", pk=entry.pk)
    return render(request, "register/entry_form.html", {"form": form})


def _way_back(request: HttpRequest, entry: RegisterEntry) -> tuple[str, str] | None:
    """Where the entry's reader came from, among the pages they may open: the register, the
    young person's record, or the referral the young person became."""
    user = request.user
    if user.has_perm("register.view_register"):
        return reverse("register:list"), "Back to the register"
    young_person = entry.young_person
    if user.has_perm("clients.view_youngperson", young_person):
        return young_person.get_absolute_url(), f"Back to {young_person.display_name}'s record"
    referral = (
        referrals_visible_to(user)
        .filter(young_person=young_person, status=Referral.Status.ACCEPTED)
        .only("pk")
        .first()
    )
    if referral is not None:
        return reverse("referrals:detail", args=[referral.pk]), "Back to the referral"
    return None


def _escalations_of(request: HttpRequest, entry: RegisterEntry) -> dict[str, object]:
    """The entry's escalations, for those who see them (not the referring practitioner), and
    whether the user may record what was done about them (all are the same young person's)."""
    escalations = list(
        escalations_shown(escalations_visible_to(request.user).filter(entry=entry))
        .prefetch_related("escalated_to")
        .order_by("-raised_at")
    )
    open_one = next((escalation for escalation in escalations if escalation.is_open), None)
    return {
        "escalations": escalations,
        "can_resolve": open_one is not None
        and request.user.has_perm("register.resolve_escalation", open_one),
    }


@require_GET
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry_or_404(request, pk)
    reviews = list(entry.reviews.select_related("reviewed_by"))
    open_review = next((review for review in reviews if review.reviewed_on is None), None)
    user = request.user
    return render(
        request,
        "register/entry_detail.html",
        {
            "entry": entry,
            "way_back": _way_back(request, entry),
            "reviews": [review for review in reviews if review.reviewed_on],
            **_escalations_of(request, entry),
            "open_review": open_review,
            "review_form": ReviewForm(initial={"reviewed_on": timezone.localdate()})
            if open_review and user.has_perm("register.review_registerentry", entry)
            else None,
            "removal_form": RemovalForm(initial={"removed_on": timezone.localdate()})
            if entry.status == "active" and user.has_perm("register.remove_registerentry", entry)
            else None,
        },
    )


@require_POST
def review_record(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry_or_404(request, pk)
    require_permission(request, "register.review_registerentry", entry)
    open_review = entry.reviews.filter(reviewed_on__isnull=True).first()
    form = ReviewForm(request.POST)
    if open_review is None:
        messages.error(request, "There is no review waiting: it was recorded meanwhile.")
        return redirect("register:entry", pk=entry.pk)
    if form.is_valid():
        try:
            services.record_review(
                open_review,
                by=request.user,
                reviewed_on=form.cleaned_data["reviewed_on"],
                outcome=form.cleaned_data["outcome"],
                participants=form.cleaned_data["participants"],
                notes=form.cleaned_data["notes"],
                removal_reason=form.cleaned_data["removal_reason"],
                escalation=form.cleaned_data["escalation"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "The review is recorded.")
            return redirect("register:entry", pk=entry.pk)
    reviews = list(entry.reviews.filter(reviewed_on__isnull=False).select_related("reviewed_by"))
    return render(
        request,
        "register/entry_detail.html",
        {
            "entry": entry,
            "way_back": _way_back(request, entry),
            "reviews": reviews,
            **_escalations_of(request, entry),
            "open_review": open_review,
            "review_form": form,
        },
    )


@require_POST
def entry_remove(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry_or_404(request, pk)
    require_permission(request, "register.remove_registerentry", entry)
    form = RemovalForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the date and say why the young person comes off.")
        return redirect("register:entry", pk=entry.pk)
    try:
        services.remove_entry(
            entry,
            by=request.user,
            removed_on=form.cleaned_data["removed_on"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{entry.young_person} is off the register; the entry is kept.")
    return redirect("register:entry", pk=entry.pk)


# --- Confirming a listing ICMS asks about -------------------------------------------------------


def _listing_request_or_404(request: HttpRequest, pk: int) -> ListingRequest:
    return find_or_404(
        request,
        listing_requests_visible_to(request.user).select_related(
            "referral__referred_by",
            "referral__team",
            "young_person__team",
            "division",
            "requested_by",
            "answered_by",
            "entry",
        ),
        pk=pk,
    )


def _listing_page(
    request: HttpRequest,
    listing: ListingRequest,
    *,
    form: ConfirmListingForm | None = None,
    not_listed_form: NotListedForm | None = None,
) -> HttpResponse:
    referral = listing.referral
    initial = {"listed_on": timezone.localdate()}
    if referral is not None:
        initial = {
            "listed_on": referral.register_listed_on or timezone.localdate(),
            "risk_factors": referral.risks,
            "risk_details": referral.risk_details,
        }
    return render(
        request,
        "register/listing.html",
        {
            "listing": listing,
            "form": form or ConfirmListingForm(initial=initial),
            "not_listed_form": not_listed_form or NotListedForm(),
        },
    )


@require_http_methods(["GET", "POST"])
def listing_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The coordinator checks what ICMS was told and lists the young person, as they confirm
    it (the risks the referral gave are filled in, to correct)."""
    listing = _listing_request_or_404(request, pk)
    require_permission(request, "register.answer_listingrequest", listing)
    if request.method != "POST":
        return _listing_page(request, listing)
    form = ConfirmListingForm(request.POST)
    if form.is_valid():
        try:
            entry = services.confirm_listing(listing, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{entry.young_person} is on the register; ICMS is told.")
            return redirect("register:entry", pk=entry.pk)
    return _listing_page(request, listing, form=form)


@require_POST
def listing_not_listed(request: HttpRequest, pk: int) -> HttpResponse:
    listing = _listing_request_or_404(request, pk)
    require_permission(request, "register.answer_listingrequest", listing)
    form = NotListedForm(request.POST)
    if form.is_valid():
        try:
            services.decline_listing(listing, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"ICMS is told that {listing.display_name} is not listed.")
            return redirect("home")
    return _listing_page(request, listing, not_listed_form=form)


# --- Escalations -----------------------------------------------------------------------------


def _escalation_page(
    request: HttpRequest, escalation: Escalation, form: ResolutionForm | None = None
) -> HttpResponse:
    can_resolve = escalation.is_open and request.user.has_perm(
        "register.resolve_escalation", escalation
    )
    return render(
        request,
        "register/escalation_detail.html",
        {
            "escalation": escalation,
            "form": (form or ResolutionForm()) if can_resolve else None,
            "sees_record": request.user.has_perm(
                "clients.view_youngperson", escalation.young_person
            ),
        },
    )


def _escalation_or_404(request: HttpRequest, pk: int) -> Escalation:
    return find_or_404(
        request,
        escalations_shown(escalations_visible_to(request.user)).prefetch_related("escalated_to"),
        pk=pk,
    )


@require_GET
def escalation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _escalation_page(request, _escalation_or_404(request, pk))


@require_POST
def escalation_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """A case manager or the team's supervisor records what was done; the flag comes off."""
    escalation = _escalation_or_404(request, pk)
    require_permission(request, "register.resolve_escalation", escalation)
    form = ResolutionForm(request.POST)
    if form.is_valid():
        try:
            services.resolve_escalation(
                escalation, by=request.user, what_was_done=form.cleaned_data["what_was_done"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "What was done is recorded.")
            return redirect(escalation.young_person)
    return _escalation_page(request, escalation, form)


# --- Liaison meetings -------------------------------------------------------------------------


@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    require_permission(request, "register.view_register")
    meetings = liaison_meetings_visible_to(request.user).select_related("division")
    return render(
        request,
        "register/meeting_list.html",
        {
            "meetings": meetings.annotate(reviewed=Count("reviews", distinct=True))[:50],
            "can_hold": request.user.has_perm("register.keep_register"),
        },
    )


@require_http_methods(["GET", "POST"])
@lists_client_records
def meeting_create(request: HttpRequest) -> HttpResponse:
    """The coordinator records the division's liaison meeting, holding the register reviews
    it discussed in one go."""
    require_permission(request, "register.keep_register")
    reviews = list(
        open_reviews_of_division(request.user)
        .select_related("entry__young_person")
        .order_by("due_on", "entry__young_person__family_name")
    )
    form = MeetingForm(
        submitted(request), reviews=reviews, initial={"held_on": timezone.localdate()}
    )
    actions = ActionFormSet(submitted(request), prefix="actions")
    if request.method == "POST" and form.is_valid() and actions.is_valid():
        try:
            meeting = services.hold_meeting(
                request.user.division,
                by=request.user,
                held_on=form.cleaned_data["held_on"],
                agencies=form.cleaned_data["agencies"],
                attendees=form.cleaned_data["attendees"],
                notes=form.cleaned_data["notes"],
                outcomes=form.outcomes(),
                actions=[
                    {name: row[name] for name in ("description", "owner", "due_on")}
                    for row in actions.cleaned_data
                    if row
                ],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            held = meeting.reviews.count()
            messages.success(
                request, f"The meeting is recorded, with {held} review{'s' if held != 1 else ''}."
            )
            return redirect("register:meeting", pk=meeting.pk)
    return render(request, "register/meeting_form.html", {"form": form, "actions": actions})


@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = find_or_404(
        request,
        liaison_meetings_visible_to(request.user).select_related("division", "recorded_by"),
        pk=pk,
    )
    return render(
        request,
        "register/meeting_detail.html",
        {
            "meeting": meeting,
            # A supervisor sees the meeting, but the entries of their own team's young people only.
            "reviews": meeting.reviews.select_related("entry__young_person").annotate(
                entry_seen=Exists(
                    register_entries_visible_to(request.user).filter(pk=OuterRef("entry"))
                )
            ),
            "actions": meeting.actions.all(),
        },
    )
