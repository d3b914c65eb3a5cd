"""The menu: each role's items, in their order and with their labels, and no item leading to a
page its user is refused."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MENU = {
    "case_manager": [
        ("Home", "home"),
        ("My caseload", "clients:caseload"),
        ("Diary", "diary:mine"),
        ("Consultations", "referrals:consultations"),
        ("On call", "oncall:now"),
        ("After hours", "clients:break-glass"),
        ("Going out", "visits:create"),
        ("After-care", "exits:follow-ups"),
        ("Supervision sessions", "supervision:sessions"),
    ],
    "supervisor": [
        ("Home", "home"),
        ("Team caseload", "clients:caseload"),
        ("Caseload review", "supervision:index"),
        ("Referrals", "referrals:queue"),
        ("Register", "register:list"),
        ("Diary", "diary:mine"),
        ("Consultations", "referrals:consultations"),
        ("On call", "oncall:now"),
        ("After hours", "clients:break-glass"),
        ("Going out", "visits:create"),
        ("Outreach visits", "visits:list"),
        ("After-care", "exits:follow-ups"),
        ("Cover when away", "accounts:cover"),
        ("Supervision sessions", "supervision:sessions"),
        ("Closed files", "records:archive"),
        ("Audit trail", "audit:trail"),
    ],
    "practitioner": [
        ("Home", "home"),
        ("Your referrals", "referrals:list"),
    ],
    "register_coordinator": [
        ("Home", "home"),
        ("Register", "register:list"),
    ],
    "administrator": [
        ("Home", "home"),
        ("Reports", "supervision:reports"),
        ("Disposed files", "records:disposals"),
        ("Audit trail", "audit:trail"),
        ("External systems", "accounts:systems"),
        ("Event feeds", "webhooks:subscriptions"),
        ("Administration", "admin:index"),
    ],
}


def menu_of(client, log_in, user) -> list[tuple[str, str]]:
    log_in(user)
    return list(client.get(reverse("home")).context["nav_items"])


@pytest.mark.parametrize("persona", MENU)
def test_each_role_has_its_menu(request, client, log_in, persona):
    user = request.getfixturevalue(persona)

    assert menu_of(client, log_in, user) == MENU[persona]


@pytest.mark.parametrize("persona", MENU)
def test_no_menu_item_leads_to_a_refused_page(request, client, log_in, persona):
    user = request.getfixturevalue(persona)

    for label, url_name in menu_of(client, log_in, user):
        assert client.get(reverse(url_name)).status_code == 200, label


def test_a_user_without_a_role_has_only_home(client, log_in):
    assert menu_of(client, log_in, UserFactory()) == [("Home", "home")]


def test_a_supervisor_who_also_manages_cases_has_the_supervisors_menu(client, log_in, supervisor):
    supervisor.groups.add(Group.objects.get(name=Role.CASE_MANAGER))

    assert menu_of(client, log_in, supervisor) == MENU["supervisor"]
