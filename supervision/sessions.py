"""Supervision sessions: recording one, with its actions, and marking an action done."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.models import AuditAction
from audit.services import record
from clients.models import YoungPerson
from supervision.models import SupervisionAction, SupervisionSession
from toolkit.formats import show_date
from toolkit.text import quoted

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
