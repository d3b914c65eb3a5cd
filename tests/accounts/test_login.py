import re
from base64 import b64decode
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import CONTACT_DRAFT_KEY
from audit.models import AuditAction, AuditEvent
from tests.factories import PASSWORD, TOTPDeviceFactory, totp_code

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
CODE = reverse("accounts:login-code")
SETUP = reverse("accounts:two-factor-setup")


def give_password(client, username="case_manager", password=PASSWORD, next_url="", **environ):
    data = {"username": username, "password": password, "next": next_url}
    return client.post(LOGIN, data, **environ)


def without_csrf_token(page: bytes) -> bytes:
    return re.sub(rb'"X-CSRFToken": "[^"]+"', b"", page)


def is_logged_in(client) -> bool:
    return client.get(reverse("home")).status_code == 200


@pytest.fixture
def device(case_manager):
    return TOTPDeviceFactory(user=case_manager)


def test_home_asks_an_anonymous_visitor_to_log_in(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next=/"


def test_the_right_password_alone_does_not_log_in(client, device):
    response = give_password(client)

    assert response.status_code == 302
    assert response.url == CODE
    assert not is_logged_in(client)


def test_password_then_authenticator_code_logs_in_and_goes_where_asked(client, device):
    give_password(client, next_url="/audit/")

    response = client.post(CODE, {"code": totp_code(device)})

    assert response.status_code == 302
    assert response.url == "/audit/"
    assert is_logged_in(client)
    assert AuditEvent.objects.filter(actor__username="case_manager", action="login").count() == 1


def test_a_wrong_code_is_refused_recorded_and_keeps_the_user_out(client, device):
    give_password(client)

    response = client.post(CODE, {"code": "000000"})

    assert response.status_code == 200
    assert "That code is not right" in response.text
    assert not is_logged_in(client)
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert (failed.actor_username, failed.detail) == ("case_manager", {"step": "second factor"})


def test_repeated_wrong_codes_make_the_user_wait(client, device):
    give_password(client)
    with time_machine.travel(timezone.now(), tick=False):
        client.post(CODE, {"code": "000000"})

        response = client.post(CODE, {"code": totp_code(device)})

    assert "Too many wrong codes. Wait 1 second and try again." in response.text
    assert not is_logged_in(client)


def test_each_login_gives_the_session_a_new_key_for_contacts_kept_offline(
    client, device, time_machine
):
    """Made after the second factor and kept in the session only, so it ends with the login."""
    give_password(client)
    assert CONTACT_DRAFT_KEY not in client.session
    client.post(CODE, {"code": totp_code(device)})
    first = client.session[CONTACT_DRAFT_KEY]
    assert len(b64decode(first)) == 32
    assert [cookie for cookie in client.cookies.values() if first in cookie.value] == []

    client.post(reverse("accounts:logout"))
    assert CONTACT_DRAFT_KEY not in client.session

    time_machine.move_to(timezone.now() + timedelta(minutes=1))  # a new code
    give_password(client)
    client.post(CODE, {"code": totp_code(device)})
    assert is_logged_in(client)
    assert client.session[CONTACT_DRAFT_KEY] != first


def test_the_code_step_needs_the_password_step_first(client, device):
    response = client.post(CODE, {"code": totp_code(device)}, follow=True)

    assert response.redirect_chain == [(LOGIN, 302)]
    assert "Enter your username and password again" in response.text


def test_the_code_step_expires_five_minutes_after_the_password(client, device):
    give_password(client)

    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        response = client.post(CODE, {"code": totp_code(device)})

    assert response.status_code == 302
    assert response.url == LOGIN
    assert not is_logged_in(client)


def test_first_login_sets_up_an_authenticator_with_a_qr_code(client, case_manager):
    response = give_password(client)
    assert response.url == SETUP

    page = client.get(SETUP)

    assert "<svg" in page.text
    device = TOTPDevice.objects.get(user=case_manager, confirmed=False)
    assert page.context["secret"].replace(" ", "") in device.config_url
    assert not is_logged_in(client)


def test_confirming_the_authenticator_logs_in_and_shows_recovery_codes_once(client, case_manager):
    give_password(client)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=case_manager)

    response = client.post(SETUP, {"code": totp_code(device)}, follow=True)

    codes = response.context["codes"]
    assert len(codes) == settings.RECOVERY_CODE_COUNT
    assert f"{codes[0][:4]}-{codes[0][4:]}" in response.text
    device.refresh_from_db()
    assert device.confirmed
    assert is_logged_in(client)
    again = client.get(reverse("accounts:recovery-codes"))
    assert again.context["codes"] is None
    assert "You have 10 unused recovery codes" in again.text


def test_a_wrong_code_at_set_up_leaves_the_authenticator_unconfirmed(client, case_manager):
    give_password(client)
    client.get(SETUP)

    response = client.post(SETUP, {"code": "123456"})

    assert "That code does not match" in response.text
    assert not TOTPDevice.objects.filter(user=case_manager, confirmed=True).exists()
    assert not is_logged_in(client)


def test_a_recovery_code_logs_in_once(client, case_manager, device, log_in):
    log_in(case_manager)
    codes = client.post(reverse("accounts:recovery-codes")).context["codes"]
    client.post(reverse("accounts:logout"))

    give_password(client)
    response = client.post(CODE, {"code": f"{codes[0][:4]}-{codes[0][4:].upper()}"}, follow=True)
    assert "You used a recovery code; 9 left" in response.text
    client.post(reverse("accounts:logout"))

    give_password(client)
    client.post(CODE, {"code": codes[0]})
    assert not is_logged_in(client)
    assert StaticToken.objects.filter(device__user=case_manager).count() == 9


def test_new_recovery_codes_replace_the_old_ones(client, case_manager, log_in):
    log_in(case_manager)
    old = client.post(reverse("accounts:recovery-codes")).context["codes"]

    new = client.post(reverse("accounts:recovery-codes")).context["codes"]

    tokens = set(StaticToken.objects.values_list("token", flat=True))
    assert tokens == set(new)
    assert not tokens & set(old)


def test_a_wrong_password_shows_the_form_again_with_an_error(client, case_manager):
    response = give_password(client, password="wrong")

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
    assert '<input type="text" name="username" value="case_manager"' in response.text
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert (failed.actor_username, failed.detail) == ("case_manager", {"step": "password"})


def test_an_unknown_username_is_answered_like_a_wrong_password(client, case_manager):
    known = give_password(client, password="wrong")
    unknown = give_password(client, username="nobody", password="wrong")

    assert unknown.status_code == known.status_code == 200
    assert unknown.context["form"].errors == known.context["form"].errors


@pytest.mark.parametrize(
    "data", [{}, {"username": "x" * 10_000, "password": "y" * 10_000}, {"username": "\x00"}]
)
def test_malformed_login_input_is_a_form_error_not_a_server_error(client, db, data):
    response = client.post(LOGIN, data)

    assert response.status_code == 200
    assert response.context["form"].errors


def test_ten_wrong_passwords_lock_the_pair_for_fifteen_minutes(client, device):
    responses = [give_password(client, password="wrong") for _ in range(10)]

    assert [response.status_code for response in responses] == [200] * 4 + [429] * 6
    assert "Login paused" in responses[-1].text
    assert "paused for 15 minutes" in responses[-1].text
    assert give_password(client).status_code == 429, "the right password must wait too"
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert give_password(client).url == CODE


def test_the_lockout_answers_the_same_whether_or_not_the_username_exists(client, device):
    known = [give_password(client, password="wrong") for _ in range(6)]
    unknown = [give_password(client, username="nobody", password="wrong") for _ in range(6)]

    assert [r.status_code for r in unknown] == [r.status_code for r in known]
    assert without_csrf_token(unknown[-1].content) == without_csrf_token(known[-1].content)


def test_a_locked_username_can_still_log_in_from_another_address(client, device):
    for _ in range(5):
        give_password(client, password="wrong", REMOTE_ADDR="10.0.0.1")

    assert give_password(client, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert give_password(client, REMOTE_ADDR="10.0.0.2").url == CODE


def test_logout_ends_the_session(client, case_manager, log_in):
    log_in(case_manager)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response.url == LOGIN
    assert not is_logged_in(client)
    assert AuditEvent.objects.filter(action="logout", actor=case_manager).count() == 1


def test_a_session_that_skipped_the_second_factor_is_logged_out(client, case_manager):
    client.force_login(case_manager)

    response = client.get("/")

    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    assert not is_logged_in(client)


def test_a_tampered_session_cookie_logs_out(client, case_manager, log_in):
    log_in(case_manager)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value

    client.cookies[settings.SESSION_COOKIE_NAME] = session_key[:-4] + "abcd"

    assert not is_logged_in(client)


def test_sessions_are_kept_apart_from_the_cache_and_out_of_the_database(
    client, case_manager, log_in
):
    log_in(case_manager)

    caches["default"].clear()

    assert is_logged_in(client)
    assert not Session.objects.exists()  # renewing the idle timer writes nothing to PostgreSQL


def test_a_session_ends_after_thirty_idle_minutes_and_activity_keeps_it(
    client, case_manager, log_in
):
    log_in(case_manager)
    start = timezone.now()

    with time_machine.travel(start + timedelta(minutes=25)):
        assert is_logged_in(client)
    with time_machine.travel(start + timedelta(minutes=50)):
        assert is_logged_in(client)
    with time_machine.travel(start + timedelta(minutes=81)):
        assert not is_logged_in(client)


def test_the_session_cookie_ends_with_the_browser(client, case_manager, log_in):
    log_in(case_manager)

    response = client.get("/")

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == ""
    assert cookie["max-age"] == ""
    assert cookie["httponly"]


def test_passwords_are_hashed_with_argon2():
    from icms import settings as icms_settings

    with override_settings(PASSWORD_HASHERS=icms_settings.PASSWORD_HASHERS):
        assert make_password("a-long-passphrase").startswith("argon2$")


def test_password_change_requires_the_old_password(client, case_manager, log_in):
    log_in(case_manager)

    response = client.post(
        reverse("accounts:password-change"),
        {
            "old_password": "not-it",
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.text
    case_manager.refresh_from_db()
    assert case_manager.check_password(PASSWORD)


def test_password_change_rejects_a_short_password(client, case_manager, log_in):
    log_in(case_manager)

    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": "short1", "new_password2": "short1"},
    )

    assert "at least 12 characters" in response.text
    case_manager.refresh_from_db()
    assert case_manager.check_password(PASSWORD)


def test_password_change_keeps_the_worker_logged_in(client, case_manager, log_in):
    log_in(case_manager)

    response = client.post(
        reverse("accounts:password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
        follow=True,
    )

    assert "Your password has been changed" in response.text
    case_manager.refresh_from_db()
    assert case_manager.check_password("a-new-long-passphrase")
    assert is_logged_in(client)
