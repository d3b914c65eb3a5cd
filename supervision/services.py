"""Supervision's writes: the weekly digest of what each supervisor should look at, counted for
their teams; and a supervision session recorded with its actions, and an action marked done."""

from collections import Counter
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from accounts.cover import covering_on
from accounts.models import Team, User
from audit.models import AuditAction
from audit.services import record
from clients.models import YoungPerson
from crises.models import AFTER_HOURS_CRISIS, CrisisEvent
from notifications.services import Notice, notify_many
from referrals.models import Referral
from supervision.models import SupervisionAction, SupervisionSession
from supervision.queries import cases_for_review
from supervision.reports import WAITING
from toolkit.formats import show_date
from toolkit.text import quoted


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def digest_message(counts: Counter) -> str:
    """The week in counts, without a name: it is e-mailed, and mail leaves the secure system."""
    return (
        "This week for your team: "
        f"{_plural(counts['without_contact'], 'young person', 'young people')} without contact "
        "past their threshold; "
        f"{_plural(counts['plan_reviews'], 'plan review', 'plan reviews')}, "
        f"{_plural(counts['register_reviews'], 'register review', 'register reviews')} and "
        f"{_plural(counts['tasks'], 'task', 'tasks')} overdue; "
        f"{_plural(counts['referrals'], 'referral', 'referrals')} waiting for a decision; "
        f"{_plural(counts['crises'], 'crisis', 'crises')} in the last seven days "
        f"({counts['crises_after_hours']} after hours)."
    )


def send_weekly_digests(today: date) -> int:
    """One digest per supervisor per ISO week, however often the job runs: in the app, and by
    e-mail with the counts; a colleague covering the team gets it too. A fixed number of
    queries, whatever the number of teams."""
    teams = {
        team.pk: team
        for team in Team.objects.filter(
            supervisor__isnull=False, supervisor__is_active=True
        ).select_related("supervisor")
    }
    counts: dict[int, Counter] = {pk: Counter() for pk in teams}
    for case in cases_for_review(YoungPerson.objects.filter(team__in=list(teams))):
        team = counts[case.team_id]
        team["without_contact"] += case.contact_overdue
        team["plan_reviews"] += bool(case.plan_review_overdue)
        team["register_reviews"] += bool(case.register_review_overdue)
        team["tasks"] += case.overdue_tasks
    for row in (
        Referral.objects.filter(team__in=list(teams), status__in=WAITING)
        .values("team")
        .annotate(count=Count("pk"))
    ):
        counts[row["team"]]["referrals"] = row["count"]
    week_ago = today - timedelta(days=7)
    for row in (
        CrisisEvent.objects.standing()
        .filter(young_person__team__in=list(teams), occurred_at__date__gte=week_ago)
        .values("young_person__team")
        .annotate(count=Count("pk"), after_hours=Count("pk", filter=AFTER_HOURS_CRISIS))
    ):
        counts[row["young_person__team"]]["crises"] = row["count"]
        counts[row["young_person__team"]]["crises_after_hours"] = row["after_hours"]
    year, week, _ = today.isocalendar()
    covering = covering_on(today)
    notices = [
        Notice(
            recipient,
            f"weekly-digest-{team_pk}-{year}W{week:02d}",
            digest_message(team_counts),
            reverse("supervision:review", args=[team_pk]),
        )
        for team_pk, team_counts in counts.items()
        for recipient in covering.supervisor_and_cover(teams[team_pk].supervisor_id, team_pk)
    ]
    return notify_many(notices, email_subject="ICMS: your weekly supervision digest")


SAY_WHAT = "Say what is to be done for each action (or leave the row empty)."


@transaction.atomic
def hold_session(
    *,
    supervisor: User,
    worker: User,
    held_on: date,
    figures: dict,
    young_people: list[YoungPerson],
    debriefing: str = "",
    safety_matters: str = "",
    notes: str = "",
    actions: list[dict],
    done: list[SupervisionAction],
) -> SupervisionSession:
    """Record a session with its new actions; the earlier actions in `done` are done on the
    session's day. All or nothing."""
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "This date is in the future."})
    if worker.pk == supervisor.pk:
        raise ValidationError("A supervisor does not supervise themselves.")
    caseload = set(
        YoungPerson.objects.allocated_to(worker)
        .open()
        .filter(team=worker.team_id)
        .values_list("pk", flat=True)
    )
    if any(young_person.pk not in caseload for young_person in young_people):
        raise ValidationError(
            {"young_people": f"Only young people of {worker}'s caseload can be discussed."}
        )
    if any(not action.get("description", "").strip() for action in actions):
        raise ValidationError(SAY_WHAT)
    session = SupervisionSession(
        supervisor=supervisor,
        worker=worker,
        held_on=held_on,
        figures=figures,
        debriefing=debriefing.strip(),
        safety_matters=safety_matters.strip(),
        notes=notes.strip(),
        recorded_by=supervisor,
    )
    session.full_clean(validate_constraints=False)
    session.save()
    session.young_people.set(young_people)
    SupervisionAction.objects.bulk_create(
        SupervisionAction(
            session=session,
            description=action["description"].strip(),
            owner=action["owner"],
            due_on=action.get("due_on"),
        )
        for action in actions
    )
    earlier = SupervisionAction.objects.select_for_update().filter(
        pk__in=[action.pk for action in done]
    )
    for action in earlier.select_related("session"):
        if (action.session.supervisor_id, action.session.worker_id) != (supervisor.pk, worker.pk):
            raise ValidationError(f"{quoted(action)} was agreed at another supervision.")
        _mark_done(action, by=supervisor, done_on=held_on)
    record(
        AuditAction.CREATE,
        actor=supervisor,
        obj=session,
        detail={
            "worker": worker.pk,
            "young_people": len(young_people),
            "actions": len(actions),
            "done": sorted(action.pk for action in done),
        },
    )
    return session


def _mark_done(action: SupervisionAction, *, by: User, done_on: date) -> None:
    if action.done_on is not None:
        raise ValidationError(f"{quoted(action)} was done on {show_date(action.done_on)}.")
    if done_on < action.session.held_on:
        raise ValidationError(
            f"{quoted(action)} was agreed on {show_date(action.session.held_on)}, after that date."
        )
    action.done_on = done_on
    action.done_by = by
    action.save(update_fields=["done_on", "done_by"])


@transaction.atomic
def complete_action(action: SupervisionAction, *, by: User) -> SupervisionAction:
    """Mark an action done today."""
    action = (
        SupervisionAction.objects.select_for_update().select_related("session").get(pk=action.pk)
    )
    _mark_done(action, by=by, done_on=timezone.localdate())
    record(AuditAction.CHANGE, actor=by, obj=action, detail={"done_on": f"{action.done_on}"})
    return action
