"""Who may reach client records is decided by an account's roles, team and division and its
active, staff and superuser flags. Every change of them is in the ICMS audit trail, nobody
changes their own, and an account that administers ICMS never reads client records (DOMAIN.md:
the administrator reads them only through the audited trail)."""

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, User
from accounts.services import save_account
from audit.models import AuditAction, AuditEvent
from tests.factories import TeamFactory, TOTPDeviceFactory, UserFactory

pytestmark = pytest.mark.django_db

CLIENT_READING_ROLES = [
    Role.CASE_MANAGER,
    Role.SUPERVISOR,
    Role.PRACTITIONER,
    Role.REGISTER_COORDINATOR,
]


def roles_of(account: User) -> set[str]:
    return set(account.groups.values_list("name", flat=True))


def access_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.ACCESS).order_by("id"))


def change_form(account: User, **changes: object) -> dict[str, object]:
    """What the admin site's change form posts for `account`, with `changes` made to it."""
    values = {
        "username": account.username,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "email": account.email,
        "is_active": account.is_active,
        "is_staff": account.is_staff,
        "is_superuser": account.is_superuser,
        "roles": roles_of(account),
        "discipline": account.discipline,
        "team": account.team_id,
        "division": account.division_id,
        "date_joined": timezone.localtime(account.date_joined),
    } | changes
    data = {
        key: values[key] for key in ("username", "first_name", "last_name", "email", "discipline")
    }
    data |= {flag: "on" for flag in ("is_active", "is_staff", "is_superuser") if values[flag]}
    data["groups"] = [group.pk for group in Group.objects.filter(name__in=values["roles"])]
    data["team"] = values["team"] or ""
    data["division"] = values["division"] or ""
    data["date_joined_0"] = values["date_joined"].strftime("%Y-%m-%d")
    data["date_joined_1"] = values["date_joined"].strftime("%H:%M:%S")
    return data


def post_change(client, account: User, **changes: object):
    return client.post(
        reverse("admin:accounts_user_change", args=[account.pk]), change_form(account, **changes)
    )


# --- The service: every change recorded, own access and mixed accounts refused --------------


def test_a_change_of_roles_team_and_status_is_recorded_with_who_whose_and_what(
    administrator, case_manager, team, other_team
):
    case_manager.team = other_team
    case_manager.is_active = False

    save_account(case_manager, by=administrator, roles=[Role.CASE_MANAGER, Role.SUPERVISOR])

    [event] = access_events()
    assert event.actor == administrator
    assert event.object_type == "accounts.user"
    assert event.object_id == str(case_manager.pk)
    assert event.detail["account"] == "case_manager"
    assert event.detail["access"] == {
        "roles": {"from": "Case manager", "to": "Case manager, Supervisor"},
        "team": {"from": "ICMS North", "to": "ICMS West"},
        "active": {"from": "yes", "to": "no"},
    }
    case_manager.refresh_from_db()
    assert roles_of(case_manager) == {Role.CASE_MANAGER, Role.SUPERVISOR}
    assert case_manager.team == other_team


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("division", "north", {"division": {"from": "none", "to": "North"}}),
        ("is_staff", True, {"staff status": {"from": "no", "to": "yes"}}),
        ("is_superuser", True, {"superuser status": {"from": "no", "to": "yes"}}),
    ],
)
def test_each_kind_of_access_change_is_recorded(administrator, north, field, value, said):
    account = UserFactory(username="new.person")
    setattr(account, field, north if value == "north" else value)

    save_account(account, by=administrator)

    [event] = access_events()
    assert event.detail["access"] == said


def test_a_change_that_leaves_access_alone_records_nothing(administrator, case_manager):
    case_manager.email = "casey@icms.example"

    save_account(case_manager, by=administrator, roles=[Role.CASE_MANAGER])

    assert access_events() == []


@pytest.mark.parametrize(
    "change",
    [
        {"roles": [Role.ADMINISTRATOR, Role.SUPERVISOR]},
        {"roles": []},
        {"team": "team"},
        {"division": "north"},
        {"is_staff": False},
        {"is_superuser": True},
        {"is_active": False},
    ],
    ids=lambda change: next(iter(change)),
)
def test_nobody_changes_their_own_access(administrator, team, north, change):
    roles = change.pop("roles", None)
    for field, value in change.items():
        setattr(administrator, field, {"team": team, "north": north}.get(value, value))

    with pytest.raises(ValidationError, match="your own"):
        save_account(administrator, by=administrator, roles=roles)

    administrator.refresh_from_db()
    assert roles_of(administrator) == {Role.ADMINISTRATOR}
    assert (administrator.team, administrator.division) == (None, None)
    assert (administrator.is_staff, administrator.is_superuser, administrator.is_active) == (
        True,
        False,
        True,
    )
    assert access_events() == []


def test_anyone_may_change_their_own_name(administrator):
    administrator.first_name = "Alexandra"

    save_account(administrator, by=administrator, roles=[Role.ADMINISTRATOR])

    administrator.refresh_from_db()
    assert administrator.first_name == "Alexandra"


@pytest.mark.parametrize("role", CLIENT_READING_ROLES)
@pytest.mark.parametrize("administers", ["administrator role", "is_staff", "is_superuser"])
def test_an_account_that_administers_is_refused_a_client_reading_role(
    administrator, role, administers
):
    account = UserFactory(username="second.admin")
    roles = [role]
    if administers == "administrator role":
        roles.append(Role.ADMINISTRATOR)
    else:
        setattr(account, administers, True)

    with pytest.raises(ValidationError, match="reads client records only through the audit"):
        save_account(account, by=administrator, roles=roles)

    assert roles_of(account) == set()
    assert access_events() == []


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_a_client_reading_account_is_refused_staff_or_superuser_status(
    administrator, supervisor, flag
):
    setattr(supervisor, flag, True)

    with pytest.raises(ValidationError, match="cannot both administer ICMS"):
        save_account(supervisor, by=administrator)

    supervisor.refresh_from_db()
    assert (supervisor.is_staff, supervisor.is_superuser) == (False, False)


# --- The admin site goes through the service --------------------------------------------------


def test_the_administrator_cannot_give_itself_the_supervisor_role_a_team_or_superuser(
    client, log_in, administrator, team
):
    """The issue's attack: in the admin site, the administrator's own account given the
    supervisor role, a team and superuser status."""
    log_in(administrator)

    response = post_change(
        client,
        administrator,
        roles={Role.ADMINISTRATOR, Role.SUPERVISOR},
        team=team.pk,
        is_superuser=True,
    )

    assert response.status_code == 200
    assert "You cannot change your own roles" in response.text
    administrator.refresh_from_db()
    assert roles_of(administrator) == {Role.ADMINISTRATOR}
    assert (administrator.team, administrator.is_superuser) == (None, False)


def test_the_admin_site_records_a_change_of_roles_and_team(
    client, log_in, administrator, case_manager, other_team
):
    log_in(administrator)

    response = post_change(
        client, case_manager, roles={Role.CASE_MANAGER, Role.SUPERVISOR}, team=other_team.pk
    )

    assert response.status_code == 302
    [event] = access_events()
    assert event.actor == administrator
    assert event.object_id == str(case_manager.pk)
    assert event.path == reverse("admin:accounts_user_change", args=[case_manager.pk])
    assert event.detail["access"] == {
        "roles": {"from": "Case manager", "to": "Case manager, Supervisor"},
        "team": {"from": "ICMS North", "to": "ICMS West"},
    }
    assert roles_of(case_manager) == {Role.CASE_MANAGER, Role.SUPERVISOR}


def test_the_admin_site_refuses_a_client_reading_role_for_another_administrator(
    client, log_in, administrator
):
    colleague = UserFactory(username="second.admin", role=Role.ADMINISTRATOR, is_staff=True)
    log_in(administrator)

    response = post_change(client, colleague, roles={Role.ADMINISTRATOR, Role.SUPERVISOR})

    assert response.status_code == 200
    assert "cannot both administer ICMS" in response.text
    assert roles_of(colleague) == {Role.ADMINISTRATOR}
    assert access_events() == []


def test_the_admin_site_records_a_new_account(client, log_in, administrator):
    log_in(administrator)
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "new.worker",
            "usable_password": "true",
            "password1": "a long enough pass phrase",
            "password2": "a long enough pass phrase",
        },
    )

    assert response.status_code == 302
    [event] = access_events()
    assert event.actor == administrator
    assert event.detail["account"] == "new.worker"
    assert event.detail["access"] == {"active": {"from": "no", "to": "yes"}}


def test_the_admin_site_gives_access_by_role_only(client, log_in, administrator, case_manager):
    """Django's per-user permissions would be access outside the roles: not offered."""
    log_in(administrator)

    response = client.get(reverse("admin:accounts_user_change", args=[case_manager.pk]))

    assert "groups" in response.context["adminform"].form.fields
    assert "user_permissions" not in response.context["adminform"].form.fields


def test_the_administrator_cannot_make_itself_a_teams_supervisor(
    client, log_in, administrator, team
):
    log_in(administrator)

    response = client.post(
        reverse("admin:accounts_team_change", args=[team.pk]),
        {
            "name": team.name,
            "division": team.division_id,
            "supervisor": administrator.pk,
            "weighted_caseload_limit": "8.0",
        },
    )

    assert response.status_code == 200
    assert "cannot make yourself" in response.text
    team.refresh_from_db()
    assert team.supervisor is None


def test_a_change_of_a_teams_supervisor_is_recorded(client, log_in, administrator, supervisor):
    other = TeamFactory(name="ICMS East", division=supervisor.team.division)
    log_in(administrator)

    response = client.post(
        reverse("admin:accounts_team_change", args=[other.pk]),
        {
            "name": other.name,
            "division": other.division_id,
            "supervisor": supervisor.pk,
            "weighted_caseload_limit": "8.0",
        },
    )

    assert response.status_code == 302
    [event] = access_events()
    assert event.actor == administrator
    assert event.object_type == "accounts.team"
    assert event.detail["access"] == {"supervisor": {"from": "none", "to": str(supervisor)}}


def test_a_password_set_for_someone_in_the_admin_site_is_recorded(
    client, log_in, administrator, supervisor
):
    """With the authenticator removed too, whoever set it could log in as the supervisor."""
    log_in(administrator)

    response = client.post(
        reverse("admin:auth_user_password_change", args=[supervisor.pk]),
        {
            "usable_password": "true",
            "password1": "a new pass phrase",
            "password2": "a new pass phrase",
        },
    )

    assert response.status_code == 302
    [event] = access_events()
    assert event.actor == administrator
    assert event.object_id == str(supervisor.pk)
    assert event.detail["access"] == {"password": {"from": "old", "to": "new"}}


def test_a_password_form_refused_records_nothing(client, log_in, administrator, supervisor):
    log_in(administrator)

    response = client.post(
        reverse("admin:auth_user_password_change", args=[supervisor.pk]),
        {"usable_password": "true", "password1": "a new pass phrase", "password2": "another"},
    )

    assert response.status_code == 200
    assert access_events() == []


def test_removing_someones_authenticator_in_the_admin_site_is_recorded(
    client, log_in, administrator, supervisor
):
    device = TOTPDeviceFactory(user=supervisor, name="Phone")
    log_in(administrator)

    response = client.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    [event] = access_events()
    assert event.actor == administrator
    assert event.object_id == str(supervisor.pk)
    assert event.detail["access"] == {"authenticator": {"from": "Phone", "to": "none"}}


def test_removing_authenticators_in_bulk_in_the_admin_site_records_each(
    client, log_in, administrator, supervisor, case_manager
):
    devices = [TOTPDeviceFactory(user=supervisor), TOTPDeviceFactory(user=case_manager)]
    log_in(administrator)

    response = client.post(
        reverse("admin:otp_totp_totpdevice_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [device.pk for device in devices],
            "post": "yes",
        },
    )

    assert response.status_code == 302
    assert {event.object_id for event in access_events()} == {
        str(supervisor.pk),
        str(case_manager.pk),
    }


# --- The superuser flag passes nothing of ICMS's own policy ---------------------------------


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_a_superuser_gets_nothing_of_a_client_record(client, log_in, superuser, own_young_person):
    log_in(superuser)

    assert client.get(reverse("clients:detail", args=[own_young_person.pk])).status_code == 404
    assert client.get(reverse("clients:caseload")).status_code == 403
    assert client.get(reverse("audit:trail")).status_code == 403
    assert not superuser.has_perm("clients.view_youngperson", own_young_person)
    assert not async_to_sync(superuser.ahas_perm)("clients.view_caseload")


def answer(user: User, permission: str, obj: object) -> bool | type[Exception]:
    """has_perm's answer, or the error of a rule that needs an object of another kind."""
    try:
        return user.has_perm(permission, obj)
    except (AttributeError, TypeError, ValueError) as error:
        return type(error)


def test_the_superuser_flag_changes_no_answer_of_the_icms_policy(superuser, own_young_person):
    import rules

    plain = UserFactory(username="plain", is_staff=True)
    for permission in rules.permissions.permissions:
        for obj in (None, own_young_person):
            assert answer(superuser, permission, obj) == answer(plain, permission, obj), permission


def test_a_superuser_keeps_the_admin_sites_model_permissions(client, log_in, superuser):
    log_in(superuser)

    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    assert client.get(reverse("admin:clients_intensitylevel_add")).status_code == 200


def test_a_model_permission_does_not_pass_the_icms_policy(client, log_in, case_manager):
    """`audit.view_auditevent` is also the name of a Django model permission."""
    case_manager.user_permissions.add(
        Permission.objects.get(content_type__app_label="audit", codename="view_auditevent")
    )
    case_manager = User.objects.get(pk=case_manager.pk)
    log_in(case_manager)

    assert not case_manager.has_perm("audit.view_auditevent")
    assert client.get(reverse("audit:trail")).status_code == 403


def test_not_even_a_superuser_renames_or_makes_roles_in_the_admin_site(client, log_in, superuser):
    """Renaming the Administrator group "Supervisor" would make every administrator one."""
    administrators = Group.objects.get(name=Role.ADMINISTRATOR)
    log_in(superuser)

    response = client.post(
        reverse("admin:auth_group_change", args=[administrators.pk]), {"name": "Supervisor x"}
    )

    assert response.status_code == 403
    assert client.get(reverse("admin:auth_group_add")).status_code == 403
    assert (
        client.get(reverse("admin:auth_group_change", args=[administrators.pk])).status_code == 200
    )
    administrators.refresh_from_db()
    assert administrators.name == Role.ADMINISTRATOR


def test_the_admin_site_offers_no_api_tokens(client, log_in, superuser):
    """A token made there would let its maker act as its account through the API: tokens are
    issued on the External systems pages only, by the administrator."""
    log_in(superuser)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert "knox" not in response.text.lower()
    assert "auth token" not in response.text.lower()


# --- The trail shows them ---------------------------------------------------------------------


def test_the_trail_finds_access_changes_and_says_what_changed(
    client, log_in, administrator, case_manager
):
    save_account(case_manager, by=administrator, roles=[Role.CASE_MANAGER, Role.SUPERVISOR])
    log_in(administrator)

    response = client.get(reverse("audit:trail"), {"action": AuditAction.ACCESS})

    assert response.status_code == 200
    assert [event.action for event in response.context["events"]] == [AuditAction.ACCESS]
    assert "Changed access: roles Case manager → Case manager, Supervisor" in response.text
    assert str(case_manager) in response.text


def test_the_demo_agency_keeps_administering_and_reading_client_records_apart():
    from accounts.services import check_access_change
    from devtools.demo import seed_demo_agency

    seed_demo_agency()

    admin_demo = User.objects.get(username="admin.demo")
    assert admin_demo.roles == {Role.ADMINISTRATOR}
    assert admin_demo.is_staff
    for account in User.objects.all():
        check_access_change(account, by=admin_demo)  # the rules hold: nothing is refused
