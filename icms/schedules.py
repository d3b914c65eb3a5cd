"""The periodic jobs, declared in code and installed into django-celery-beat's tables by
`manage.py install_schedules`. The administrator may then change their timing in the admin site;
installing again keeps those changes and beat's record of the last run."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    description: str
    every: timedelta | None = None
    # minute hour day-of-month month day-of-week, in the service's time zone
    crontab: str | None = None


SCHEDULES = [
    Schedule(
        name="Heartbeat",
        task="icms.tasks.heartbeat",
        every=timedelta(seconds=30),
        description="Shows on /healthz that beat, the broker and a worker are all running.",
    ),
    Schedule(
        name="E-mails not yet sent",
        task="notifications.tasks.send_waiting_emails",
        every=timedelta(minutes=10),
        description="Sends the notification e-mails that could not be queued when they were "
        "made (the broker was down), one per person.",
    ),
    Schedule(
        name="Register reviews",
        task="register.tasks.register_reviews",
        crontab="0 6 * * *",
        description="Makes each listed young person's next fortnightly review, and reminds the "
        "register coordinators and case managers of the reviews due or overdue.",
    ),
    Schedule(
        name="Contact reminders",
        task="clients.tasks.contact_reminders",
        crontab="30 6 * * *",
        description="Reminds case managers of young people not reached within their "
        "intensity's threshold, and supervisors past twice the threshold.",
    ),
    Schedule(
        name="Case plan reminders",
        task="caseplans.tasks.case_plan_reminders",
        crontab="45 6 * * *",
        description="Reminds case managers (and child protection, for its tasks) of action-table "
        "tasks due within two days or overdue, and of plan reviews due within a week.",
    ),
    Schedule(
        name="Outcome review reminders",
        task="outcomes.tasks.outcome_review_reminders",
        crontab="50 6 * * *",
        description="Reminds case managers of risk and outcome reviews (intake, regular, exit) "
        "due within a week or overdue; the interval is set per intensity level.",
    ),
    Schedule(
        name="Document expiry reminders",
        task="documents.tasks.document_expiry_reminders",
        crontab="55 6 * * *",
        description="Reminds case managers of court orders and consents on the file expiring "
        "within DOCUMENT_EXPIRY_NOTICE_DAYS, and them and the supervisor once expired, once each.",
    ),
    Schedule(
        name="Exit planning reminders",
        task="exits.tasks.exit_planning_reminders",
        crontab="5 7 * * *",
        description="Reminds case managers and supervisors of legal orders ending and 18th "
        "birthdays coming, once at each lead time the administrator sets (e.g. 6, 3 and 1 months "
        "ahead), with what the exit plan still lacks.",
    ),
    Schedule(
        name="After-care follow-up reminders",
        task="exits.tasks.after_care_reminders",
        crontab="10 7 * * *",
        description="Reminds the last case manager of each after-care follow-up on the day it is "
        "due, and them and the supervisor once more when it is two weeks overdue.",
    ),
    Schedule(
        name="Missed check-ins",
        task="visits.tasks.missed_check_ins",
        every=timedelta(minutes=5),
        description="Tells the supervisor, and the worker, of each lone outreach visit not "
        "checked in by the time given (after the grace period), once per time given.",
    ),
    Schedule(
        name="After-hours alerts not acknowledged",
        task="oncall.tasks.unacknowledged_alerts",
        every=timedelta(minutes=5),
        description="Tells the team's supervisor of each after-hours alert that the worker on "
        "call has not acknowledged within ON_CALL_ACKNOWLEDGE_MINUTES, once.",
    ),
    Schedule(
        name="On-call roster gaps",
        task="oncall.tasks.roster_gaps",
        crontab="30 8 * * *",
        description="Tells each supervisor of the periods of the coming week with nobody on "
        "call in their team, once per period.",
    ),
    Schedule(
        name="Crisis summaries",
        task="crises.tasks.crisis_summaries",
        crontab="0 7 * * *",
        description="Tells each supervisor of their team's crises logged since the morning "
        "before: how many, how many after hours, whose.",
    ),
    Schedule(
        name="Weekly supervisor digest",
        task="supervision.tasks.weekly_digests",
        crontab="15 7 * * 1",
        description="Each Monday, e-mails each supervisor the week's counts for their team: young "
        "people without contact past their threshold, overdue reviews and tasks, referrals "
        "waiting, crises of the last seven days.",
    ),
    Schedule(
        name="Archive closed files",
        task="records.tasks.archive_closed_files_daily",
        crontab="20 7 * * *",
        description="Archives each closed file whose after-care is over (its follow-ups made, "
        "or the last a month past due): off the everyday lists and search, found through the "
        "audited archive search.",
    ),
    Schedule(
        name="Appointments tomorrow",
        task="diary.tasks.appointments_tomorrow",
        crontab="0 15 * * *",
        description="Reminds each worker of their appointments tomorrow (the e-mail names no "
        "young person).",
    ),
    Schedule(
        name="Appointments without an outcome",
        task="diary.tasks.appointments_without_outcome",
        crontab="0 7 * * *",
        description="Reminds the workers of each past appointment with no contact recorded and "
        "no outcome (not attended, cancelled).",
    ),
    Schedule(
        name="Event feed deliveries",
        task="webhooks.tasks.send_due_deliveries",
        every=timedelta(minutes=1),
        description="Sends the event feeds' deliveries that are due: retries, backing off from "
        "30 seconds to 6 hours, and first attempts that could not be queued.",
    ),
    Schedule(
        name="Audit trail partitions",
        task="audit.tasks.create_audit_partitions",
        crontab="15 2 * * *",
        description="Creates the audit trail's monthly partitions three months ahead.",
    ),
]


def _timing(schedule: Schedule) -> dict[str, object]:
    if schedule.every is not None:
        every = {"every": int(schedule.every.total_seconds()), "period": IntervalSchedule.SECONDS}
        # The administrator may have made an equal interval in the admin site: any one will do.
        interval = IntervalSchedule.objects.filter(**every).first()
        return {"interval": interval or IntervalSchedule.objects.create(**every)}
    minute, hour, day_of_month, month_of_year, day_of_week = schedule.crontab.split()
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=minute,
        hour=hour,
        day_of_month=day_of_month,
        month_of_year=month_of_year,
        day_of_week=day_of_week,
        timezone=settings.TIME_ZONE,
    )
    return {"crontab": crontab}


def install_schedules() -> list[str]:
    """Create the periodic tasks that are missing; return the names of those created."""
    created = []
    for schedule in SCHEDULES:
        _, was_created = PeriodicTask.objects.update_or_create(
            name=schedule.name,
            defaults={"task": schedule.task, "description": schedule.description},
            create_defaults={
                "task": schedule.task,
                "description": schedule.description,
                **_timing(schedule),
            },
        )
        if was_created:
            created.append(schedule.name)
    return created
