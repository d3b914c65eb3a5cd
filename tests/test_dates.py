"""Dates that cannot be true are refused with a clear message, in the forms and the API alike,
by one rule per kind of date (toolkit.validators): a date of birth, a day something happened,
a day planned or searched."""

from datetime import timedelta

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from clients.models import YoungPerson
from referrals.models import Referral
from tests.factories import api_token_for
from tests.test_form_choices import _project_modules
from toolkit.validators import validate_date_of_birth, validate_past_day, validate_plausible_day

pytestmark = pytest.mark.django_db

RULES = {validate_date_of_birth, validate_past_day, validate_plausible_day}


def _date_fields():
    """Every date a form, a filter or a serializer of the project takes in."""
    from django_filters import FilterSet
    from rest_framework import serializers

    for module in _project_modules():
        for name, value in vars(module).items():
            if not isinstance(value, type) or value.__module__ != module.__name__:
                continue
            if issubclass(value, forms.BaseForm):
                for field_name, field in value.base_fields.items():
                    if type(field) is forms.DateField:
                        yield f"{module.__name__}.{name}.{field_name}", field.validators
            elif issubclass(value, FilterSet):
                for field_name, date_filter in value.base_filters.items():
                    if date_filter.field_class is forms.DateField:
                        validators = date_filter.extra.get("validators", [])
                        yield f"{module.__name__}.{name}.{field_name}", validators
            elif issubclass(value, serializers.Serializer):
                for field_name, field in value().fields.items():
                    if isinstance(field, serializers.DateField) and not field.read_only:
                        yield f"{module.__name__}.{name}.{field_name}", field.validators


def _model_rules(form_class: type, field_name: str) -> list:
    model = getattr(getattr(form_class, "_meta", None), "model", None)
    if model is None or field_name not in {f.name for f in model._meta.fields}:
        return []
    return model._meta.get_field(field_name).validators


def test_every_date_taken_in_has_a_rule():
    without = []
    found = 0
    for qualified, validators in _date_fields():
        found += 1
        module, cls, field_name = qualified.rsplit(".", 2)
        model_rules = _model_rules(getattr(__import__(module, fromlist=[cls]), cls), field_name)
        if not RULES & {*validators, *model_rules}:
            without.append(qualified)

    assert found > 20  # the search finds them
    assert without == [], "give each date one of the rules of toolkit.validators"


def _referral_json(team, **changes):
    return {"team": team.pk, "given_name": "Zara", "family_name": "Hughes"} | changes


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"date_of_birth": "0001-01-01"}, "date_of_birth", "check the year of birth"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "cannot be in the future"),
        ({"register_listed_on": "9999-12-31"}, "register_listed_on", "in the future"),
        ({"register_listed_on": "0001-01-01"}, "register_listed_on", "check the year"),
    ],
)
def test_the_api_refuses_a_date_that_cannot_be_true(
    client, practitioner, team, changes, field, message
):
    token = api_token_for(practitioner)

    response = client.post(
        "/api/referrals/",
        _referral_json(team, **changes),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert message in response.json()[field][0]
    assert not Referral.objects.exists()


def test_the_referral_form_refuses_the_same_dates_with_the_same_words(
    client, log_in, practitioner, team
):
    log_in(practitioner)

    response = client.post(
        reverse("referrals:create"),
        {
            "client_reference": "3f1c8a5e-0000-4000-8000-000000000009",
            "team": team.pk,
            "date_of_birth": "0001-01-01",
            "register_listed_on": "9999-12-31",
            "gender": "not_stated",
            "indigenous_status": "not_stated",
            "legal_order": "none",
            "permanency_objective": "not_decided",
            "urgency": "routine",
        },
    )

    assert response.status_code == 200
    assert "ICMS works with young people; check the year of birth." in response.text
    assert "This date is in the future." in response.text
    assert not Referral.objects.exists()


def test_a_young_persons_record_refuses_a_birth_in_year_1(
    client, log_in, supervisor, own_young_person
):
    log_in(supervisor)
    url = reverse("clients:edit", args=[own_young_person.pk])
    data = {
        name: getattr(own_young_person, name)
        for name in ("given_name", "family_name", "gender", "indigenous_status", "legal_order")
    } | {"date_of_birth": "0001-01-01", "intensity": own_young_person.intensity_id}

    response = client.post(url, data)

    assert "ICMS works with young people; check the year of birth." in response.text
    own_young_person.refresh_from_db()
    assert own_young_person.date_of_birth.year == 2010


@pytest.mark.parametrize(
    ("page", "role", "query"),
    [
        ("crises:list", "supervisor", {"until": "9999-12-31"}),
        ("audit:trail", "supervisor", {"until": "9999-12-31"}),
        ("supervision:reports", "supervisor", {"starts_on": "0001-01-01", "ends_on": "9999-12-31"}),
    ],
)
def test_a_search_far_outside_icms_years_is_refused_with_a_message(
    request, client, log_in, page, role, query
):
    """The day after 31/12/9999 does not exist: these searches were server errors."""
    log_in(request.getfixturevalue(role))

    response = client.get(reverse(page), query)

    assert response.status_code in {200, 400}
    assert "check the year" in response.text


def test_a_plan_review_can_be_set_ten_years_ahead_but_not_more():
    today = timezone.localdate()

    validate_plausible_day(today + timedelta(days=365 * 10))
    with pytest.raises(Exception, match="more than 10 years ahead"):
        validate_plausible_day(today + timedelta(days=365 * 10 + 5))
    assert YoungPerson._meta.get_field("date_of_birth").validators == [validate_date_of_birth]
