import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_unknown_address_shows_the_not_found_page_inside_the_layout(
    client, case_manager, log_in
):
    log_in(case_manager)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.text
    assert 'id="main"' in response.text


def test_the_admin_site_is_closed_to_a_case_manager(client, case_manager, log_in):
    log_in(case_manager)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_the_admin_site_offers_configuration_but_no_client_records(client, administrator, log_in):
    log_in(administrator)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert "Teams" in response.text
    assert "Intensity levels" in response.text
    assert "Periodic tasks" in response.text
    assert "/admin/clients/youngperson/" not in response.text
    assert client.get("/admin/clients/youngperson/").status_code == 404
