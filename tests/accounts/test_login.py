import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_home_asks_an_anonymous_visitor_to_log_in(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/"


def test_login_with_the_right_password_lands_on_home(client, case_manager):
    response = client.post(
        reverse("login"), {"username": "case_manager", "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain == [("/", 302)]
    assert response.context["user"] == case_manager


def test_login_with_a_wrong_password_shows_the_form_again_with_an_error(client, case_manager):
    response = client.post(reverse("login"), {"username": "case_manager", "password": "wrong"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
    assert '<input type="text" name="username" value="case_manager"' in response.text
    assert "_auth_user_id" not in client.session


def test_login_for_an_unknown_user_answers_like_a_wrong_password(client, case_manager):
    known = client.post(reverse("login"), {"username": "case_manager", "password": "wrong"})
    unknown = client.post(reverse("login"), {"username": "nobody", "password": "wrong"})

    assert unknown.status_code == known.status_code == 200
    assert unknown.context["form"].errors == known.context["form"].errors


@pytest.mark.parametrize(
    "data", [{}, {"username": "x" * 10_000, "password": "y" * 10_000}, {"username": "\x00"}]
)
def test_login_with_malformed_input_is_a_form_error_not_a_server_error(client, db, data):
    response = client.post(reverse("login"), data)

    assert response.status_code == 200
    assert response.context["form"].errors


def test_logout_ends_the_session(client, case_manager):
    client.force_login(case_manager)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response.url == reverse("login")
    assert client.get("/").status_code == 302


def test_password_change_requires_the_old_password(client, case_manager):
    client.force_login(case_manager)

    response = client.post(
        reverse("password_change"),
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


def test_password_change_rejects_a_short_password(client, case_manager):
    client.force_login(case_manager)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "short1", "new_password2": "short1"},
    )

    assert "at least 12 characters" in response.text
    case_manager.refresh_from_db()
    assert case_manager.check_password(PASSWORD)


def test_password_change_keeps_the_worker_logged_in(client, case_manager):
    client.force_login(case_manager)

    response = client.post(
        reverse("password_change"),
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
    assert client.get("/").status_code == 200
