import secrets
from base64 import b32encode, b64encode
from datetime import date, datetime

from django.apps import AppConfig
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.timezone import localtime
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import LONGEST_COVER, Cover, Role, Team, User
from accounts.rules import teams_supervised_by
from audit.models import AuditAction
from audit.services import record

# What the administrator configures in the admin site: people, teams, divisions, reference lists
# and the periodic schedules. Client records are deliberately absent.
ADMINISTRATOR_PERMISSIONS = (
    Q(content_type__app_label="accounts")
    | Q(content_type__app_label="auth", codename__startswith="view_")
    | Q(content_type__app_label="clients", content_type__model="intensitylevel")
    | Q(content_type__app_label="django_celery_beat")
    # Unlocking an account: see the lockouts and remove one.
    | Q(content_type__app_label="axes", codename__startswith="view_")
    | Q(content_type__app_label="axes", codename="delete_accessattempt")
    # Resetting a lost authenticator: see and remove devices, never read their secrets.
    | Q(content_type__app_label__in=["otp_totp", "otp_static"], codename__startswith="view_")
    | Q(content_type__app_label__in=["otp_totp", "otp_static"], codename__startswith="delete_")
)


def install_role_groups(sender: AppConfig, **_kwargs: object) -> None:
    """Make sure a group exists for every role and the administrator's holds its permissions.

    Runs after each app's migrations; permissions of apps migrated later are added when their
    turn comes, so the last run leaves the complete set. Idempotent.
    """
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    administrators = Group.objects.get(name=Role.ADMINISTRATOR)
    administrators.permissions.add(*Permission.objects.filter(ADMINISTRATOR_PERMISSIONS))


def normalise_code(code: str) -> str:
    """Codes are accepted as typed or read aloud: spaces and dashes ignored, any case."""
    return "".join(code.split()).replace("-", "").lower()


# Where the session keeps the key of the contact notes a browser holds while it has no signal.
CONTACT_DRAFT_KEY = "contact_draft_key"


def new_contact_draft_key() -> str:
    """A random 256-bit AES key (base64) for static/js/offline-contact.js. It is kept in the
    session only, so it ends with the login and what it encrypted can no longer be read."""
    return b64encode(secrets.token_bytes(32)).decode()


def totp_device_to_set_up(user: User) -> TOTPDevice:
    """The authenticator a user is setting up: the unconfirmed one they started, or a new one."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def totp_secret_for_typing(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when it cannot scan: base32, in fours."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def has_two_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def issue_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with new single-use ones; return them to show once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": "Recovery codes"})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def confirm_totp_device(device: TOTPDevice, *, code: str) -> list[str]:
    """Finish setting up an authenticator with a code it shows; return fresh recovery codes."""
    if not device.verify_token(normalise_code(code)):
        raise ValidationError(
            {"code": "That code does not match. Check the app shows ICMS and try the newest code."}
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    return issue_recovery_codes(device.user)


def verify_second_factor(user: User, *, code: str) -> Device:
    """Check a code from the authenticator, or a recovery code (used up by this).

    Raises ValidationError saying what is wrong, including how long to wait after repeated
    wrong codes (django-otp's throttling, which doubles the wait after each failure). The
    failure count is committed before raising, so that the wait holds.
    """
    device, locked_until = _match_code(user, normalise_code(code))
    if device is not None:
        return device
    if locked_until is not None:
        wait = localtime(locked_until).strftime("%H:%M:%S")
        raise ValidationError(f"Too many wrong codes. Wait until {wait} and try again.")
    raise ValidationError(
        "That code is not right. Use the newest 6-digit code from your authenticator app, "
        "or one of your recovery codes."
    )


@transaction.atomic
def _match_code(user: User, code: str) -> tuple[Device | None, datetime | None]:
    kind = TOTPDevice if code.isdigit() else StaticDevice
    for device in kind.objects.select_for_update().filter(user=user, confirmed=True):
        allowed, throttle = device.verify_is_allowed()
        if not allowed and throttle and throttle.get("locked_until"):
            return None, throttle["locked_until"]
        if device.verify_token(code):
            return device, None
    return None, None


# --- Cover when away -------------------------------------------------------------------------


def _is_icms_worker(user: User) -> bool:
    return user.has_role(Role.CASE_MANAGER) or user.has_role(Role.SUPERVISOR)


def _check_cover_dates(*, starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The cover cannot end before it starts."})
    if ends_on < timezone.localdate():
        raise ValidationError({"ends_on": "That cover would be over already."})
    if ends_on - starts_on >= LONGEST_COVER:
        raise ValidationError({"ends_on": "A cover lasts at most 12 weeks; arrange another then."})


@transaction.atomic
def arrange_cover(
    *,
    by: User,
    covered_by: User,
    starts_on: date,
    ends_on: date,
    reason: str,
    worker: User | None = None,
    team: Team | None = None,
) -> Cover:
    """A supervisor arranges for `covered_by` to cover a worker's caseload (a worker of a team
    they supervise; the colleague any active case manager or supervisor) or a team they lead
    (the colleague another supervisor), from `starts_on` to `ends_on`, both included.

    Refuses a cover that overlaps another of the same worker or team (naming it). Access and
    reminders follow from accounts.cover; nothing else changes, so the end date ends it."""
    if (worker is None) == (team is None):
        raise ValidationError("Choose either a worker or the whole team to cover.")
    _check_cover_dates(starts_on=starts_on, ends_on=ends_on)
    if worker is not None:
        if not teams_supervised_by(by).filter(pk=worker.team_id).exists():
            raise ValidationError({"worker": "You can only arrange cover for your team's workers."})
        if covered_by.pk == worker.pk:
            raise ValidationError({"covered_by": f"{worker} cannot cover their own caseload."})
        if not (covered_by.is_active and _is_icms_worker(covered_by)):
            raise ValidationError({"covered_by": "Choose an active case manager or supervisor."})
        # Locked, so that two covers of the same worker arranged at once cannot overlap.
        User.objects.select_for_update().filter(pk=worker.pk).first()
        same = Cover.objects.filter(worker=worker)
    else:
        if team.supervisor_id != by.pk:
            raise ValidationError({"team": "You can only arrange cover for a team you lead."})
        if covered_by.pk == by.pk:
            raise ValidationError({"covered_by": "Choose a colleague to cover your team."})
        if not (covered_by.is_active and covered_by.has_role(Role.SUPERVISOR)):
            raise ValidationError({"covered_by": "A team is covered by another supervisor."})
        Team.objects.select_for_update().filter(pk=team.pk).first()
        same = Cover.objects.filter(team=team)
    overlapping = (
        same.filter(ended_early_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on)
        .select_related("covered_by")
        .first()
    )
    if overlapping is not None:
        raise ValidationError(
            f"{overlapping.covered_by} already covers "
            f"{worker or team} from {overlapping.starts_on:%d/%m/%Y} to "
            f"{overlapping.ends_on:%d/%m/%Y}. End that cover first, or choose other dates."
        )
    cover = Cover(
        worker=worker,
        team=team,
        covered_by=covered_by,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason.strip(),
        arranged_by=by,
    )
    cover.full_clean()
    cover.save()
    record(
        AuditAction.CREATE,
        actor=by,
        obj=cover,
        detail={
            "covered_by": covered_by.pk,
            "worker": worker.pk if worker else None,
            "team": team.pk if team else None,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
        },
    )
    return cover


@transaction.atomic
def end_cover(cover: Cover, *, by: User) -> Cover:
    """End a cover now, before its end date (idempotent). A cover not yet started is ended too,
    so that it never starts."""
    cover = Cover.objects.select_for_update().get(pk=cover.pk)
    if cover.ended_early_at is None and cover.ends_on >= timezone.localdate():
        cover.ended_early_at = timezone.now()
        cover.ended_early_by = by
        cover.save(update_fields=["ended_early_at", "ended_early_by"])
        record(AuditAction.CHANGE, actor=by, obj=cover, detail={"ended_early": True})
    return cover
