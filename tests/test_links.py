"""Every link and form on every page a person is shown answers for that person: from each page
of the access matrix a role may see, each link inside the site is followed and each form sent
(empty, and undone after), as that person. A link or form is broken when it answers 403, 404,
405 or a server error, sends the person to the login page, or lands on the home page when it
does not say it goes home."""

import re
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.urls import reverse

from tests import test_access_matrix
from tests.factories import GoalFactory, TaskFactory, YoungPersonFactory
from tests.pages import Target, Targets
from tests.test_access_matrix import pages_shown_to

CRAWLED_ROLES = [
    "case_manager",
    "supervisor",
    "practitioner",
    "register_coordinator",
    "administrator",
]
world = test_access_matrix.world_of_its_own  # the fixture: the matrix's records and people
SAYS_HOME = re.compile(r"\bhome\b|^ICMS$", re.IGNORECASE)  # ICMS: the menu bar's name


def answer(client, target: Target) -> tuple[int, str]:
    """The status the target finally answers with and the path it lands on; a form is sent
    empty, and what it changed is undone."""
    headers = {"HTTP_HX_REQUEST": "true"} if target.htmx else {}
    if target.method == "post":
        with transaction.atomic():
            response = client.post(target.url, {}, **headers)
            transaction.set_rollback(True)
        landed = response.get("Location", target.url) if response.status_code == 302 else ""
        return response.status_code, urlsplit(landed).path
    response = client.get(target.url, follow=True, **headers)
    return response.status_code, response.request["PATH_INFO"]


def broken(client, target: Target, home: str, login: str, logout: str) -> str:
    try:
        status, path = answer(client, target)
    except Exception as error:  # a server error, as the person would meet it
        return f"raised {error!r}"
    if status in (403, 404, 405) or status >= 500:
        return f"answered {status}"
    if urlsplit(target.url).path in (login, logout):
        return ""  # logging out, or in again once the session has ended, leads there
    if path == login:
        return "sent to the login page"
    if target.method == "get" and path == home and not SAYS_HOME.search(target.text):
        return "landed on the home page"
    return ""


@pytest.fixture
def crawled_world(world):
    """The access matrix's world with more on its pages: a case of the team waiting for a case
    manager (the pages then offer to allocate), a task in the own current plan's action table."""
    YoungPersonFactory(team=world.teams[0], given_name="Ola", family_name="Waiting")
    TaskFactory(goal=GoalFactory(plan=world.current_plans[0]), description="Book the GP")
    return world


@pytest.mark.django_db
def test_every_link_and_form_answers_for_the_person_shown_it(client, log_in, crawled_world):
    world = crawled_world
    home, login, logout = reverse("home"), reverse("accounts:login"), reverse("accounts:logout")
    problems = []
    checked = 0
    for role in CRAWLED_ROLES:
        user = world.users[role]
        log_in(user)
        answers: dict[tuple, str] = {}
        for page in pages_shown_to(world, role):
            response = client.get(page)
            assert response.status_code == 200, f"{role}: {page} answered {response.status_code}"
            if "text/html" not in response.get("Content-Type", ""):
                continue
            for target in Targets(page, response.content.decode()).found:
                key = (target.method, target.url, target.text, target.htmx)
                if key not in answers:
                    answers[key] = broken(client, target, home, login, logout)
                    if client.session.get("_auth_user_id") != str(user.pk):
                        log_in(user)  # the form was the log-out button
                if answers[key]:
                    problems.append(
                        f"{role} on {page}: {target.method.upper()} {target.url} "
                        f"({target.text or 'form'}) {answers[key]}"
                    )
        checked += len(answers)

    assert checked > 300, "the crawl finds the links"
    assert not problems, "broken links and forms:\n" + "\n".join(sorted(set(problems)))
