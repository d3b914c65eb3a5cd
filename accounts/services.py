import math
import secrets
from base64 import b32encode, b64encode
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.apps import AppConfig
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from accounts.models import (
    LONGEST_COVER,
    ApiToken,
    Cover,
    Division,
    ExternalSystem,
    Role,
    Team,
    User,
)
from accounts.rules import teams_supervised_by
from audit.models import AuditAction
from audit.services import record
from toolkit.formats import show_date

# What the administrator configures in the admin site: people, teams, divisions, reference lists
# and the periodic schedules. Client records are deliberately absent.
ADMINISTRATOR_PERMISSIONS = (
    Q(content_type__app_label="accounts")
    | Q(content_type__app_label="auth", codename__startswith="view_")
    | Q(content_type__app_label="clients", content_type__model="intensitylevel")
    | Q(content_type__app_label="django_celery_beat")
    # When exit planning starts, and when after-care follows a young person up.
    | Q(content_type__app_label="exits", content_type__model__in=["exitleadtime", "aftercarepoint"])
    # How long closed files are kept (the one rule: changed, never added or deleted).
    | Q(
        content_type__app_label="records",
        codename__in=["view_retentionrule", "change_retentionrule"],
    )
    # Unlocking an account: see the lockouts and remove one.
    | Q(content_type__app_label="axes", codename__startswith="view_")
    | Q(content_type__app_label="axes", codename="delete_accessattempt")
    # Resetting a lost authenticator: see and remove devices, never read their secrets.
    | Q(content_type__app_label__in=["otp_totp", "otp_static"], codename__startswith="view_")
    | Q(content_type__app_label__in=["otp_totp", "otp_static"], codename__startswith="delete_")
    # Revoking a child protection system's API token (they are made on the server).
    | Q(content_type__app_label="knox", codename__in=["view_authtoken", "delete_authtoken"])
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
        # The wait doubles with each wrong code: seconds at first, so a clock time would not do.
        seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
        wait = f"{seconds} second{'s' * (seconds > 1)}"
        if seconds >= 120:
            wait = f"{math.ceil(seconds / 60)} minutes"
        raise ValidationError(f"Too many wrong codes. Wait {wait} and try again.")
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
            f"{worker or team} from {show_date(overlapping.starts_on)} to "
            f"{show_date(overlapping.ends_on)}. End that cover first, or choose other dates."
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


# --- Access: who may read what ----------------------------------------------------------------

# The roles that read client records (each app's rules.py). The administrator's role reads none:
# DOMAIN.md, the administrator reads client records only through the audited trail.
CLIENT_READING_ROLES = frozenset(
    {Role.CASE_MANAGER, Role.SUPERVISOR, Role.PRACTITIONER, Role.REGISTER_COORDINATOR}
)


@dataclass(frozen=True)
class Access:
    """What decides which records an account reaches (its roles, team and division) and what
    else it may do: log in at all, use the admin site, hold every model permission there."""

    roles: frozenset[str] = frozenset()
    team: Team | None = None
    division: Division | None = None
    is_active: bool = False
    is_staff: bool = False
    is_superuser: bool = False

    @classmethod
    def of(cls, account: User, *, roles: Iterable[str]) -> "Access":
        """The account as it stands (fields perhaps changed, not yet saved), with `roles`."""
        return cls(
            roles=frozenset(roles),
            team=account.team,
            division=account.division,
            is_active=account.is_active,
            is_staff=account.is_staff,
            is_superuser=account.is_superuser,
        )

    @classmethod
    def saved(cls, account: User) -> "Access":
        """As the database holds it; none at all for an account not yet saved."""
        if account.pk is None:
            return cls()
        saved = User.objects.select_related("team", "division").get(pk=account.pk)
        return cls.of(saved, roles=saved.groups.values_list("name", flat=True))

    def administers(self) -> bool:
        return Role.ADMINISTRATOR in self.roles or self.is_staff or self.is_superuser

    def client_reading_roles(self) -> list[str]:
        return sorted(self.roles & CLIENT_READING_ROLES)

    def described(self) -> dict[str, str]:
        """In the words the audit trail shows."""
        return {
            "roles": ", ".join(sorted(self.roles)) or "none",
            "team": str(self.team or "none"),
            "division": str(self.division or "none"),
            "active": _yes_no(self.is_active),
            "staff status": _yes_no(self.is_staff),
            "superuser status": _yes_no(self.is_superuser),
        }

    def changes_from(self, before: "Access") -> dict[str, dict[str, str]]:
        was, now = before.described(), self.described()
        return {
            what: {"from": was[what], "to": now[what]} for what in now if was[what] != now[what]
        }


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def _refuse_access(account: User, access: Access, *, before: Access, by: User) -> None:
    if account.pk is not None and account.pk == by.pk and access != before:
        raise ValidationError(
            "You cannot change your own roles, team, division, or active, staff or superuser "
            "status: another administrator makes such changes.",
            code="own_access",
        )
    reading = access.client_reading_roles()
    if access.administers() and reading:
        raise ValidationError(
            f"{account} cannot both administer ICMS (the Administrator role, staff or "
            f"superuser status) and hold a role that reads client records "
            f"({', '.join(reading)}): the administrator reads client records only through the "
            "audit trail. Use a separate account for each.",
            code="administers_and_reads",
        )


def check_access_change(account: User, *, by: User, roles: Iterable[str] | None = None) -> None:
    """Raise ValidationError, saying why, if `by` may not give `account` the access it now has
    (its fields as they stand) with `roles` (None: its saved roles). Nobody changes their own;
    and an account that administers ICMS never holds a role that reads client records."""
    before = Access.saved(account)
    access = Access.of(account, roles=before.roles if roles is None else roles)
    _refuse_access(account, access, before=before, by=by)


@transaction.atomic
def save_account(account: User, *, by: User, roles: Iterable[str] | None = None) -> User:
    """Save `account` as it stands (new, or with fields a form has changed) with `roles` (None:
    keep its roles), if `by` may give it that access (check_access_change). What changed of its
    access is recorded in the audit trail: who, whose account, from what to what."""
    if account.pk is not None:
        # Locked, so that two changes made at once are each recorded from what the other left.
        User.objects.select_for_update().filter(pk=account.pk).first()
    before = Access.saved(account)
    access = Access.of(account, roles=before.roles if roles is None else roles)
    _refuse_access(account, access, before=before, by=by)
    account.save()
    account.groups.set(Group.objects.filter(name__in=access.roles))
    account.__dict__.pop("roles", None)  # User.roles, cached
    if changes := access.changes_from(before):
        _record_access(account, changes, by=by)
    return account


def _record_access(account: User, changes: dict[str, dict[str, str]], *, by: User) -> None:
    record(
        AuditAction.ACCESS,
        actor=by,
        obj=account,
        detail={"account": account.get_username(), "access": changes},
    )


# Whoever sets someone's password and removes their authenticator can log in as them: both are
# recorded as changes of that person's access.


def record_password_set(account: User, *, by: User, had_one: bool) -> None:
    """Record that `by` has set a new password for `account`, or disabled password login."""
    was, now = "old" if had_one else "none", "new" if account.has_usable_password() else "none"
    _record_access(account, {"password": {"from": was, "to": now}}, by=by)


@transaction.atomic
def remove_second_factor(device: Device, *, by: User) -> None:
    """Remove a lost authenticator or a set of recovery codes; its owner sets up a new one at
    their next login."""
    kind = "recovery codes" if isinstance(device, StaticDevice) else "authenticator"
    account = device.user
    device.delete()
    _record_access(account, {kind: {"from": device.name, "to": "none"}}, by=by)


def check_team_supervisor(team: Team, *, by: User) -> None:
    """Raise ValidationError if `by` may not make `team.supervisor` the team's supervisor: a
    team's supervisor sees its young people, so nobody makes themselves one, and an account
    that administers ICMS is not one."""
    supervisor = team.supervisor
    if supervisor is None:
        return
    if supervisor.pk == by.pk:
        raise ValidationError(
            "You cannot make yourself the supervisor of a team: another administrator does it.",
            code="own_access",
        )
    if Access.saved(supervisor).administers():
        raise ValidationError(
            f"{supervisor} administers ICMS and so cannot supervise a team: the administrator "
            "reads client records only through the audit trail.",
            code="administers_and_reads",
        )


@transaction.atomic
def save_team(team: Team, *, by: User) -> Team:
    """Save `team` as it stands, if `by` may give it that supervisor (check_team_supervisor);
    a change of supervisor is recorded in the audit trail."""
    check_team_supervisor(team, by=by)
    locked = Team.objects.select_for_update().filter(pk=team.pk)
    was_id = locked.values_list("supervisor", flat=True).first() if team.pk else None
    team.save()
    if was_id != team.supervisor_id:
        was = User.objects.filter(pk=was_id).first()
        record(
            AuditAction.ACCESS,
            actor=by,
            obj=team,
            detail={
                "team": team.name,
                "access": {
                    "supervisor": {"from": str(was or "none"), "to": str(team.supervisor or "none")}
                },
            },
        )
    return team


# --- External systems and their API tokens ---------------------------------------------------

# The roles a system may act with: reading a team's or a division's young people as their
# supervisor would (never restricted content, never a supervisor's decisions: clients.rules),
# making and following a division's referrals, and keeping its register.
SYSTEM_ROLES = (Role.SUPERVISOR, Role.PRACTITIONER, Role.REGISTER_COORDINATOR)
LONGEST_TOKEN = timedelta(days=366)


def _check_system_scope(
    *, roles: Iterable[str], team: Team | None, division: Division | None
) -> None:
    roles = set(roles)
    if not roles or roles - set(SYSTEM_ROLES):
        raise ValidationError(
            {"roles": "Choose what the system does: one or more of the roles offered."}
        )
    needs_division = roles & {Role.PRACTITIONER, Role.REGISTER_COORDINATOR}
    if needs_division and division is None:
        raise ValidationError(
            {"division": f"{', '.join(sorted(needs_division))} acts for a division: choose one."}
        )
    if Role.SUPERVISOR in roles and team is None and division is None:
        raise ValidationError(
            {"team": "Choose whose young people it reads: a team, or every team of a division."}
        )
    if team is not None and division is not None and team.division_id != division.pk:
        raise ValidationError({"team": f"{team} is not a team of {division}."})


@transaction.atomic
def register_external_system(
    *, name: str, roles: Iterable[str], team: Team | None, division: Division | None, by: User
) -> ExternalSystem:
    """A new external system and its account: it cannot sign in to the pages (no password, no
    second factor), only use the API and event feeds with a token. Its scope is recorded in the
    audit trail as any account's access is."""
    name = name.strip()
    _check_system_scope(roles=roles, team=team, division=division)
    if ExternalSystem.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"A system called “{name}” is already registered."})
    username = f"system-{slugify(name)[:120] or 'api'}"
    if User.objects.filter(username=username).exists():
        username = f"{username}-{secrets.token_hex(3)}"
    account = User(username=username, first_name=name[:150], team=team, division=division)
    account.set_unusable_password()
    save_account(account, by=by, roles=roles)
    system = ExternalSystem.objects.create(name=name, account=account, created_by=by)
    record(AuditAction.CREATE, actor=by, obj=system, detail={"external system": name})
    return system


@transaction.atomic
def issue_token(
    system: ExternalSystem, *, name: str, expires_on: date, by: User
) -> tuple[ApiToken, str]:
    """A new token for `system`, working until the end of `expires_on`: its secret is returned
    to be shown once, and kept only hashed."""
    today = timezone.localdate()
    if not today < expires_on <= today + LONGEST_TOKEN:
        raise ValidationError(
            {
                "expires_on": "A token expires after today and within a year: "
                f"on {show_date(today + timedelta(days=1))} at the earliest, "
                f"{show_date(today + LONGEST_TOKEN)} at the latest."
            }
        )
    expires_at = _end_of(expires_on)
    knox_token, secret = AuthToken.objects.create(
        system.account, expiry=expires_at - timezone.now()
    )
    token = ApiToken.objects.create(
        system=system,
        name=name.strip(),
        knox_token=knox_token,
        prefix=secret[:8],
        expires_at=expires_at,
        created_by=by,
    )
    record(AuditAction.ACCESS, actor=by, obj=token, detail={"token issued": str(token)})
    return token, secret


@transaction.atomic
def revoke_token(token: ApiToken, *, by: User) -> ApiToken:
    """The token stops working at once; the row stays, with who revoked it and when."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        AuthToken.objects.filter(named=token).delete()
        token.revoked_at = timezone.now()
        token.revoked_by = by
        token.save(update_fields=["revoked_at", "revoked_by"])
        record(AuditAction.ACCESS, actor=by, obj=token, detail={"token revoked": str(token)})
    return token


def _end_of(day: date) -> datetime:
    """The first moment after `day`, in ICMS's time zone."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), datetime.min.time()))
