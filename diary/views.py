"""The diary: my day and week, the team's day, booking and changing appointments, their
outcomes in one tap, and the private calendar link."""

from collections.abc import Callable, Iterable
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.rules import teams_supervised_by
from caseplans.queries import goals_to_advance
from clients.forms import ContactForm
from clients.models import Contact, YoungPerson
from clients.queries import active_alerts, team_members, with_page_header
from clients.rules import key_people_visible_to, young_people_visible_to
from diary import services
from diary.feed import calendar_of
from diary.forms import CancelForm, ChangeAppointmentForm, NewAppointmentForm
from diary.models import Appointment
from diary.queries import (
    CONTACT_LOCATION,
    appointments_of,
    between,
    clashes_for,
    diary_page,
    feed_link_for,
    feed_link_of,
    open_visits_of,
    today_and_tonight,
)
from diary.rules import appointments_visible_to
from toolkit.access import find_or_404, lists_client_records, require_permission
from toolkit.forms import add_service_error, submitted
from toolkit.validators import validate_plausible_day
from visits.rules import visit_plans_visible_to

WEEK = 7
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _day(request: HttpRequest) -> date:
    """The day asked for (`?on=yyyy-mm-dd`), today if none, not a date, or not a plausible day
    (year 1 or 9999 would have no day before or after it)."""
    try:
        day = date.fromisoformat(request.GET.get("on", "")[:10])
        validate_plausible_day(day)
    except (ValueError, ValidationError):
        return timezone.localdate()
    return day


def _appointment_or_404(request: HttpRequest, pk: int) -> Appointment:
    return find_or_404(
        request,
        diary_page(appointments_visible_to(request.user))
        .select_related("young_person__team", "outcome_by")
        .prefetch_related(
            Prefetch("young_person__alerts", active_alerts().queryset, to_attr="active_alerts"),
            "key_people",
            "professionals",
        ),
        pk=pk,
    )


def _young_person_or_404(request: HttpRequest, pk: int) -> YoungPerson:
    return find_or_404(request, with_page_header(young_people_visible_to(request.user)), pk=pk)


@require_GET
@lists_client_records
def diary_day(request: HttpRequest) -> HttpResponse:
    return _my_diary(request, days=1)


@require_GET
@lists_client_records
def diary_week(request: HttpRequest) -> HttpResponse:
    return _my_diary(request, days=WEEK)


def _my_diary(request: HttpRequest, *, days: int) -> HttpResponse:
    require_permission(request, "diary.view_diary")
    first = _day(request)
    if days == WEEK:
        first -= timedelta(days=first.weekday())  # from Monday
    last = first + timedelta(days=days - 1)
    appointments = list(
        diary_page(
            between(
                appointments_of(request.user, appointments_visible_to(request.user)), first, last
            )
        )
    )
    by_day = [
        (
            day,
            WEEKDAYS[day.weekday()],
            [each for each in appointments if timezone.localtime(each.starts_at).date() == day],
        )
        for day in (first + timedelta(days=n) for n in range(days))
    ]
    return render(
        request,
        "diary/diary.html",
        {
            "week": days == WEEK,
            "first_weekday": WEEKDAYS[first.weekday()],
            "first": first,
            "by_day": by_day,
            "earlier": first - timedelta(days=days),
            "later": first + timedelta(days=days),
            "today": timezone.localdate(),
            "teams": teams_supervised_by(request.user),
            "now": timezone.now(),
        },
    )


@require_GET
@lists_client_records
def diary_team(request: HttpRequest, pk: int) -> HttpResponse:
    """Who of the team is seeing whom today and tonight, and who is out on a visit and due
    back when."""
    team = find_or_404(request, teams_supervised_by(request.user), pk=pk)
    require_permission(request, "diary.view_team_diary", team)
    today = timezone.localdate()
    return render(
        request,
        "diary/team_diary.html",
        {
            "team": team,
            "appointments": today_and_tonight(appointments_visible_to(request.user), team, today),
            "visits": open_visits_of(visit_plans_visible_to(request.user), team),
            "today": today,
            "now": timezone.now(),
        },
    )


def _form_choices(
    young_person: YoungPerson, user: User, appointment: Appointment | None = None
) -> dict:
    """Who may go (the young person's team, the user, and whoever goes already), and the young
    person's own people."""
    going = [worker.pk for worker in appointment.workers.all()] if appointment else []
    return {
        "workers": team_members(young_person.team) | User.objects.filter(pk__in=[user.pk, *going]),
        "key_people": key_people_visible_to(user).filter(young_person=young_person, active=True),
        "professionals": young_person.professionals.filter(active=True),
    }


def _clashes(form: NewAppointmentForm | ChangeAppointmentForm, *, leaving_out=()) -> list:
    """The other appointments of the workers going that overlap this one (or its repeats)."""
    data = form.cleaned_data
    duration = timedelta(minutes=data["duration_minutes"])
    try:
        starts = services.occurrences(
            data["starts_at"], repeat=data.get("repeat", ""), until=data.get("repeat_until")
        )
    except ValidationError:
        return []  # the service says what is wrong
    return list(
        clashes_for(
            data["workers"],
            times=[(start, start + duration) for start in starts],
            leaving_out=leaving_out,
        )
    )


def _save_unless_clashing(
    request: HttpRequest,
    form: NewAppointmentForm | ChangeAppointmentForm,
    save: Callable[[], list[Appointment]],
    *,
    leaving_out: Iterable[int] = (),
) -> tuple[list[Appointment], list[Appointment]]:
    """Save a valid form's appointments (`save()`), unless they overlap others of the workers
    going and the worker has not seen that yet: then the clashes, shown as a warning, and the
    form set to book anyway when sent again. Returns (saved, clashes)."""
    if request.method != "POST" or not form.is_valid():
        return [], []
    if not form.cleaned_data["despite_clashes"]:
        clashes = _clashes(form, leaving_out=leaving_out)
        if clashes:
            form.data = form.data.copy()
            form.data["despite_clashes"] = "on"
            return [], clashes
    try:
        return save(), []
    except ValidationError as error:
        add_service_error(form, error)
    return [], []


def _how_many(appointments: list[Appointment]) -> str:
    return f" ({len(appointments)} appointments)" if len(appointments) > 1 else ""


@require_http_methods(["GET", "POST"])
def appointment_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Book an appointment with the young person from a phone: what, when, where first."""
    young_person = _young_person_or_404(request, pk)
    require_permission(request, "diary.add_appointment", young_person)
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = NewAppointmentForm(
        submitted(request),
        initial={"starts_at": now + timedelta(hours=1), "workers": [request.user.pk]},
        **_form_choices(young_person, request.user),
    )
    made, clashes = _save_unless_clashing(
        request,
        form,
        lambda: services.book_appointment(young_person, by=request.user, **form.appointment()),
    )
    if made:
        messages.success(request, f"Booked: {made[0]}{_how_many(made)}.")
        day = timezone.localtime(made[0].starts_at).date()
        return redirect(f"{reverse('diary:mine')}?on={day:%Y-%m-%d}")
    return render(
        request,
        "diary/appointment_form.html",
        {"form": form, "young_person": young_person, "clashes": clashes},
    )


@require_GET
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment_or_404(request, pk)
    return render(
        request,
        "diary/appointment_detail.html",
        {
            "appointment": appointment,
            "young_person": appointment.young_person,
            "can_change": request.user.has_perm("diary.change_appointment", appointment),
            "lone_visit_url": _lone_visit_url(appointment),
            "now": timezone.now(),
        },
    )


def _lone_visit_url(appointment: Appointment) -> str:
    """The "going out" form, filled in from the appointment."""
    starts_at = timezone.localtime(max(appointment.starts_at, timezone.now()))
    back_by = starts_at + timedelta(minutes=appointment.duration_minutes + 30)
    query = {
        "young_person": appointment.young_person_id,
        "place": appointment.place,
        "purpose": appointment.what,
        "leaves_at": f"{starts_at:%Y-%m-%dT%H:%M}",
        "back_by": f"{back_by:%Y-%m-%dT%H:%M}",
    }
    return f"{reverse('visits:create')}?{urlencode(query)}"


def _refuse_closed(request: HttpRequest, appointment: Appointment) -> HttpResponse | None:
    if appointment.is_open:
        return None
    messages.error(
        request,
        f"This appointment is marked {appointment.get_outcome_display().lower()}: nothing was "
        "changed.",
    )
    return redirect(appointment)


@require_http_methods(["GET", "POST"])
def appointment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment_or_404(request, pk)
    require_permission(request, "diary.change_appointment", appointment)
    if refused := _refuse_closed(request, appointment):
        return refused
    young_person = appointment.young_person
    form = ChangeAppointmentForm(
        submitted(request),
        instance=appointment,
        initial={"version": appointment.version},
        repeats=appointment.series is not None,
        **_form_choices(young_person, request.user, appointment),
    )
    changed, clashes = _save_unless_clashing(
        request,
        form,
        lambda: services.change_appointment(
            appointment,
            by=request.user,
            version=form.cleaned_data["version"],
            following=form.following(),
            **form.appointment(),
        ),
        leaving_out=[appointment.pk],
    )
    if changed:
        messages.success(request, f"Changed{_how_many(changed)}.")
        return redirect(appointment)
    return render(
        request,
        "diary/appointment_form.html",
        {
            "form": form,
            "young_person": young_person,
            "appointment": appointment,
            "clashes": clashes,
        },
    )


@require_http_methods(["GET", "POST"])
def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment_or_404(request, pk)
    require_permission(request, "diary.change_appointment", appointment)
    if refused := _refuse_closed(request, appointment):
        return refused
    form = CancelForm(submitted(request), repeats=appointment.series is not None)
    if request.method == "POST" and form.is_valid():
        try:
            cancelled = services.cancel_appointment(
                appointment,
                by=request.user,
                reason=form.cleaned_data["reason"],
                following=form.following(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Cancelled{_how_many(cancelled)}. No contact was recorded.")
            return redirect(appointment)
    return render(
        request,
        "diary/appointment_cancel.html",
        {"form": form, "appointment": appointment, "young_person": appointment.young_person},
    )


def _contact_initial(appointment: Appointment, user: User) -> dict:
    """The contact form filled in from the appointment."""
    participants = set(appointment.participants)
    if appointment.key_people.exists():
        participants.add(Contact.Participant.FAMILY)
    if appointment.professionals.exists():
        participants.add(Contact.Participant.PROFESSIONALS)
    return {
        "started_at": timezone.localtime(appointment.starts_at),
        "duration_minutes": appointment.duration_minutes,
        "mode": Contact.Mode.FACE_TO_FACE,
        "location": CONTACT_LOCATION[appointment.kind],
        "kind": Contact.Kind.OUTREACH,
        "participants": sorted(participants),
        "co_workers": [worker.pk for worker in appointment.workers.all() if worker.pk != user.pk],
    }


@require_http_methods(["GET", "POST"])
def appointment_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the contact the appointment became: the contact form, filled in from it."""
    appointment = _appointment_or_404(request, pk)
    require_permission(request, "diary.change_appointment", appointment)
    if refused := _refuse_closed(request, appointment):
        return refused
    young_person = appointment.young_person
    form = ContactForm(
        submitted(request),
        initial=_contact_initial(appointment, request.user),
        co_workers=team_members(young_person.team).exclude(pk=request.user.pk),
        plan_goals=goals_to_advance(young_person),
    )
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.record_appointment_contact(
                appointment, by=request.user, **form.contact_and_plan_work()
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, f"Contact recorded: {contact}. The appointment is marked attended."
            )
            return redirect("clients:timeline", pk=young_person.pk)
    return render(
        request,
        "clients/contact_form.html",
        {"form": form, "young_person": young_person, "appointment": appointment},
    )


@require_POST
def appointment_not_attended(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment_or_404(request, pk)
    require_permission(request, "diary.change_appointment", appointment)
    try:
        services.record_not_attended(appointment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "Marked not attended; an attempt that did not reach the young person is recorded.",
        )
    return redirect(appointment)


# --- The calendar link ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def feed_settings(request: HttpRequest) -> HttpResponse:
    """Make (again) the worker's private calendar link: shown once, here."""
    require_permission(request, "diary.make_feed_link")
    token = services.make_feed_link(worker=request.user) if request.method == "POST" else ""
    return render(
        request,
        "diary/feed_settings.html",
        {
            "link": feed_link_of(request.user),
            "feed_url": request.build_absolute_uri(reverse("diary:feed", args=[token]))
            if token
            else "",
        },
    )


@require_POST
def feed_revoke(request: HttpRequest) -> HttpResponse:
    require_permission(request, "diary.make_feed_link")
    if services.revoke_feed_link(worker=request.user):
        messages.success(
            request, "Your calendar link is stopped: your phone gets nothing more from it."
        )
    return redirect("diary:feed-settings")


@login_not_required
@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The worker's appointments for their phone's calendar, by the private link. No login:
    the token is the key. A revoked or unknown one answers 404."""
    link = feed_link_for(token)
    if link is None or not link.worker.is_active:
        raise Http404
    appointments = appointments_of(link.worker, appointments_visible_to(link.worker))
    return HttpResponse(calendar_of(appointments), content_type="text/calendar; charset=utf-8")
