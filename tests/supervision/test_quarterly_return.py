"""The quarterly return (supervision/returns.py): each figure counted by hand on a small agency,
the demo agency's figures against counts made here straight from the models, the CSV download
and who may have it, and a fixed number of queries."""

import csv
import io
from datetime import date, datetime, time

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditAction, AuditEvent
from clients.models import Contact, YoungPerson
from exits.models import Closure, Destination, Reopening
from outcomes.models import Instrument, Review
from outcomes.queries import ICMS_INSTRUMENT, instrument_parts
from outcomes.services import Rated, record_review
from referrals.models import CaseManagementAgreement, Referral
from supervision.reports import Scope
from supervision.returns import RETURN_HEADER, quarterly_return
from tests.factories import (
    AgreementFactory,
    ClosureFactory,
    ContactFactory,
    IntensityLevelFactory,
    ReferralFactory,
    UserFactory,
    YoungPersonFactory,
)
from toolkit.hours import is_after_hours

pytestmark = pytest.mark.django_db

Q3_2026 = {"starts_on": "2026-07-01", "ends_on": "2026-09-30"}
Q3 = Scope(starts_on=date(2026, 7, 1), ends_on=date(2026, 9, 30))
DESTINATIONS = [f"exits_to_{value}" for value in Destination.values]
OUTCOMES = [
    f"outcome_{scale}_{move}"
    for scale in ("risk", "life_domains")
    for move in ("improved", "same", "worse")
]
FIGURES = [
    "young_people_served",
    "young_people_new",
    "referrals_received",
    "referrals_accepted",
    "referrals_declined",
    "referrals_waiting_at_end",
    "contacts",
    "contacts_reached",
    "contacts_after_hours",
    "exits",
    "exits_with_accommodation_in_place",
    *DESTINATIONS,
    "outcome_reviewed",
    *OUTCOMES,
]


def local(day: str, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(date.fromisoformat(day), time(hour, minute)))


def figures(scope: Scope) -> dict[str, int]:
    return {line.figure: line.value for line in quarterly_return(scope)}


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def taken_on(young_person: YoungPerson, day: str) -> CaseManagementAgreement:
    return AgreementFactory(
        young_person=young_person,
        agreed_on=date.fromisoformat(day),
        referral=None,
        source=CaseManagementAgreement.Source.TRANSFER,
    )


def contact(young_person: YoungPerson, started_at: datetime, **fields) -> Contact:
    return ContactFactory(
        young_person=young_person,
        started_at=started_at,
        after_hours=is_after_hours(started_at),
        **fields,
    )


def review(young_person, by, *, on: str, occasion: str, risk: int, domains: int) -> Review:
    """A review on ICMS's own instrument, every risk area rated `risk`, every domain `domains`."""
    instrument = instrument_parts(Instrument.objects.filter(name=ICMS_INSTRUMENT)).get()
    ratings = {"Risk": risk, "Life domains": domains}
    return record_review(
        young_person,
        by=by,
        instrument=instrument,
        occasion=occasion,
        reviewed_on=date.fromisoformat(on),
        engagement=Review.Engagement.NONE,
        ratings=[
            Rated(item=item, value=ratings[scale.name], reason="Seen this week.")
            for scale in instrument.scales.all()
            for item in scale.items.all()
        ],
    )


def closed(young_person: YoungPerson, *, began: str, on: str, **fields) -> Closure:
    young_person.status = YoungPerson.Status.CLOSED
    young_person.save(update_fields=["status"])
    return ClosureFactory(
        young_person=young_person,
        began_on=date.fromisoformat(began),
        closed_on=date.fromisoformat(on),
        **fields,
    )


# --- A small agency counted by hand -----------------------------------------------------------


@pytest.fixture
def small_agency(team, other_team, supervisor, case_manager):
    """ICMS North's young people, referrals, contacts, exits and reviews around the third
    quarter of 2026 (1 July to 30 September), and one young person of ICMS West."""
    people = {}

    def young_person(name, **fields):
        people[name] = YoungPersonFactory(
            given_name=name, team=team, primary_case_manager=case_manager, **fields
        )
        return people[name]

    taken_on(young_person("Stayed"), "2026-03-01")  # served, taken on before
    taken_on(young_person("Newcomer"), "2026-08-10")  # served, new
    taken_on(young_person("Later"), "2026-10-02")  # taken on after the quarter: not served
    young_person("Referred", status=YoungPerson.Status.REFERRED)  # never taken on: not served
    young_person(
        "Merged", status=YoungPerson.Status.MERGED, merged_into=people["Stayed"]
    )  # a second record: never counted
    # Left on the quarter's last day, housed; and on its first day, homeless.
    closed(young_person("Leaver"), began="2026-02-01", on="2026-09-30",
           destination=Destination.LEAD_TENANT, accommodation_in_place=True)  # fmt: skip
    closed(young_person("Early"), began="2026-01-10", on="2026-07-01",
           destination=Destination.HOMELESS)  # fmt: skip
    # Left the day before the quarter: neither served nor an exit.
    closed(young_person("Gone"), began="2025-01-01", on="2026-06-30")
    # Left before the quarter, reopened in it: served and new; the old exit is not counted.
    back = young_person("Returned")
    taken_on(back, "2025-01-01")
    closure = closed(back, began="2025-01-01", on="2026-06-15")
    back.status = YoungPerson.Status.ACTIVE
    back.save(update_fields=["status"])
    Reopening.objects.create(
        young_person=back,
        closure=closure,
        reopened_on=date(2026, 7, 20),
        referred_by=Reopening.From.YOUNG_PERSON,
        why="Lost her flat.",
        case_manager=case_manager,
        intensity=IntensityLevelFactory(),
        reopened_by=supervisor,
    )
    taken_on(YoungPersonFactory(team=other_team), "2026-08-01")  # served, new, of ICMS West

    def referral(status, submitted, decided=None, team=team):
        ReferralFactory(
            team=team,
            status=status,
            submitted_at=None if submitted is None else local(submitted, 10),
            decided_at=None if decided is None else local(decided, 15),
            decline_reason=Referral.DeclineReason.CAPACITY if status == Status.DECLINED else "",
        )

    Status = Referral.Status
    referral(Status.ACCEPTED, "2026-07-05", "2026-07-20")  # received, accepted
    referral(Status.DECLINED, "2026-06-25", "2026-07-03")  # declined (received before)
    referral(Status.SUBMITTED, "2026-09-20")  # received, waiting at the end
    referral(Status.DRAFT, None)  # a draft: nothing
    referral(Status.WAITLISTED, "2026-06-01")  # waiting at the end (received before)
    referral(Status.ACCEPTED, "2026-09-01", "2026-10-05")  # received, waiting at the end
    referral(Status.WITHDRAWN, "2026-08-01", "2026-08-15")  # received, withdrawn in it
    referral(Status.SUBMITTED, "2026-08-01", team=other_team)  # ICMS West's

    stayed = people["Stayed"]
    contact(stayed, local("2026-09-30", 23, 30))  # the last evening: counted, after hours
    contact(stayed, local("2026-10-01", 0, 30))  # the next day: not counted
    contact(stayed, local("2026-06-30", 23, 30))  # the day before: not counted
    contact(stayed, local("2026-07-01", 10))  # a Wednesday morning: counted
    contact(stayed, local("2026-08-15", 10), reached_young_person=False)  # Saturday: attempt
    contact(stayed, local("2026-08-03", 10), entered_in_error_at=timezone.now(),
            entered_in_error_reason="Wrong young person.")  # fmt: skip
    contact(people["Later"], local("2026-08-04", 10))  # still counted: a contact in the period

    review(stayed, case_manager, on="2026-03-01", occasion="intake", risk=3, domains=2)
    review(stayed, case_manager, on="2026-08-20", occasion="regular", risk=2, domains=3)
    newcomer = people["Newcomer"]
    review(newcomer, case_manager, on="2026-08-10", occasion="intake", risk=1, domains=3)
    review(newcomer, case_manager, on="2026-09-25", occasion="regular", risk=2, domains=3)
    review(back, case_manager, on="2026-07-20", occasion="intake", risk=2, domains=2)
    in_error = review(back, case_manager, on="2026-09-01", occasion="regular", risk=0, domains=5)
    in_error.entered_in_error_at = timezone.now()
    in_error.save(update_fields=["entered_in_error_at"])
    return people


def test_the_return_counts_each_figure_as_counted_by_hand(small_agency, team):
    counted = figures(Scope(starts_on=Q3.starts_on, ends_on=Q3.ends_on, team_id=team.pk))

    assert list(counted) == FIGURES
    assert counted == {
        # Stayed, Newcomer, Leaver, Early, Returned
        "young_people_served": 5,
        # Newcomer (agreement), Returned (reopened)
        "young_people_new": 2,
        # submitted 5 July, 20 September, 1 September, 1 August (withdrawn)
        "referrals_received": 4,
        "referrals_accepted": 1,  # on 20 July; the one of 5 October is after the quarter
        "referrals_declined": 1,  # on 3 July, submitted in June
        # submitted 20 September; waitlisted since June; accepted only on 5 October
        "referrals_waiting_at_end": 3,
        # 30 September 23:30, 1 July 10:00, 15 August (the attempt), Later's 4 August
        "contacts": 4,
        "contacts_reached": 3,
        "contacts_after_hours": 2,  # 30 September 23:30 and Saturday 15 August
        "exits": 2,  # Leaver on 30 September, Early on 1 July
        "exits_with_accommodation_in_place": 1,
        **dict.fromkeys(DESTINATIONS, 0),
        "exits_to_lead_tenant": 1,
        "exits_to_homeless": 1,
        # Stayed and Newcomer; Returned's later review was entered in error
        "outcome_reviewed": 2,
        "outcome_risk_improved": 1,  # Stayed: 18 to 12
        "outcome_risk_same": 0,
        "outcome_risk_worse": 1,  # Newcomer: 6 to 12
        "outcome_life_domains_improved": 1,  # Stayed: 2 to 3
        "outcome_life_domains_same": 1,  # Newcomer: 3 and 3
        "outcome_life_domains_worse": 0,
    }


def test_the_return_of_the_whole_agency_counts_every_team(small_agency, team, other_team):
    counted = figures(Q3)
    west_only = figures(Scope(starts_on=Q3.starts_on, ends_on=Q3.ends_on, team_id=other_team.pk))

    assert (counted["young_people_served"], counted["young_people_new"]) == (6, 3)
    assert (counted["referrals_received"], counted["referrals_waiting_at_end"]) == (5, 4)
    assert (west_only["young_people_served"], west_only["referrals_received"]) == (1, 1)
    assert west_only["contacts"] == west_only["exits"] == west_only["outcome_reviewed"] == 0


def test_every_figure_has_a_label_and_a_definition_and_zeroes_are_listed(db):
    lines = quarterly_return(Q3)

    assert [line.figure for line in lines] == FIGURES
    assert all(line.value == 0 for line in lines)
    assert all(line.label and line.definition.endswith(".") for line in lines)


# --- The demo agency --------------------------------------------------------------------------


def test_the_demo_agencys_return_matches_counts_made_from_the_models(settings, time_machine):
    """Seeded on 20 October 2026, the demo's third quarter holds its newest episodes, its
    referrals, its contacts, Sienna's exit and two reviews after intake."""
    settings.DEBUG = True
    time_machine.move_to(local("2026-10-20", 10))
    call_command("seed_demo")
    start, end = local("2026-07-01", 0), local("2026-10-01", 0)
    first, last = Q3.starts_on, Q3.ends_on

    counted = figures(Q3)

    # Counted here from the models, independently of the return's queries.
    open_ids = set(
        YoungPerson.objects.filter(
            status__in=["active", "exiting"], agreements__agreed_on__lte=last
        ).values_list("pk", flat=True)
    )
    closed_ids = set(
        Closure.objects.filter(began_on__lte=last, closed_on__gte=first).values_list(
            "young_person", flat=True
        )
    )
    new_ids = set(
        CaseManagementAgreement.objects.filter(agreed_on__range=(first, last)).values_list(
            "young_person", flat=True
        )
    )
    contacts = Contact.objects.filter(
        started_at__gte=start, started_at__lt=end, entered_in_error_at=None
    )
    referrals = Referral.objects.exclude(status=Referral.Status.DRAFT)
    decided = referrals.filter(decided_at__gte=start, decided_at__lt=end)
    exits = Closure.objects.filter(closed_on__range=(first, last))
    by_hand = {
        "young_people_served": len(open_ids | closed_ids | new_ids),
        "young_people_new": len(new_ids),
        "referrals_received": referrals.filter(
            submitted_at__gte=start, submitted_at__lt=end
        ).count(),
        "referrals_accepted": decided.filter(status="accepted").count(),
        "referrals_declined": decided.filter(status="declined").count(),
        "referrals_waiting_at_end": referrals.filter(submitted_at__lt=end)
        .filter(Q(decided_at=None) | Q(decided_at__gte=end))
        .count(),
        "contacts": contacts.count(),
        "contacts_reached": contacts.filter(reached_young_person=True).count(),
        "contacts_after_hours": contacts.filter(after_hours=True).count(),
        "exits": exits.count(),
        "exits_with_accommodation_in_place": exits.filter(accommodation_in_place=True).count(),
        **{
            f"exits_to_{value}": exits.filter(destination=value).count()
            for value in Destination.values
        },
    }
    assert {figure: counted[figure] for figure in by_hand} == by_hand
    # What the demo's own description says of the quarter (devtools/demo): all 13 young people
    # it took on were with ICMS in it, the 5 newest taken on in it (60 + 11 days apart, back
    # from 20 October); 4 of their referrals and Sophie's came in it, and Sophie's waited
    # until 3 October; Sienna left for her nan's, housed.
    assert [counted[figure] for figure in FIGURES[:6]] == [13, 5, 5, 5, 0, 1]
    assert counted["contacts"] > 0
    assert (counted["exits"], counted["exits_to_kinship"]) == (1, 1)
    assert counted["exits_with_accommodation_in_place"] == 1
    # Jay (risks down, domains up) and Mia (substance use up, domains the same) reviewed
    # again in it; Chloe's exit review is in October, Liam has his intake only.
    assert {figure: counted[figure] for figure in ["outcome_reviewed", *OUTCOMES]} == {
        "outcome_reviewed": 2,
        "outcome_risk_improved": 1,
        "outcome_risk_same": 0,
        "outcome_risk_worse": 1,
        "outcome_life_domains_improved": 1,
        "outcome_life_domains_same": 1,
        "outcome_life_domains_worse": 0,
    }


# --- The download -----------------------------------------------------------------------------


def test_the_return_downloads_as_one_row_per_figure_and_is_audited(
    supervisor_client, supervisor, small_agency, team
):
    response = supervisor_client.get(
        reverse("supervision:quarterly-return"), {**Q3_2026, "team": team.pk}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert rows[0] == RETURN_HEADER == [
        "period_start", "period_end", "scope", "figure", "label", "value", "definition"
    ]  # fmt: skip
    assert [row[3] for row in rows[1:]] == FIGURES
    assert rows[1][:6] == [
        "2026-07-01", "2026-09-30", "team ICMS North", "young_people_served",
        "Young people served", "5",
    ]  # fmt: skip
    assert all(row[6] for row in rows[1:])
    assert (
        AuditEvent.objects.get(actor=supervisor, action=AuditAction.EXPORT).detail["export"]
        == "quarterly-return"
    )


def test_the_reports_page_links_the_return_for_the_period_shown(supervisor_client):
    page = supervisor_client.get(reverse("supervision:reports"), Q3_2026)

    link = f"{reverse('supervision:quarterly-return')}?starts_on=2026-07-01&amp;ends_on=2026-09-30"
    assert f'href="{link}">Quarterly return (CSV)</a>' in page.text


@pytest.mark.parametrize("persona", ["case_manager", "practitioner"])
def test_the_return_is_refused_as_the_reports_are(client, log_in, persona, request):
    log_in(request.getfixturevalue(persona))

    response = client.get(reverse("supervision:quarterly-return"), Q3_2026)
    reports = client.get(reverse("supervision:reports"), Q3_2026)

    assert response.status_code == reports.status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ({"starts_on": "2026-09-30", "ends_on": "2026-07-01"}, "The period ends before it starts."),
        ({"starts_on": "2026-Q3", "ends_on": "2026-09-31"}, "Enter a valid date."),
        ({"starts_on": "0001-01-01", "ends_on": "9999-12-31"}, ""),
    ],
)
def test_a_malformed_period_is_refused_with_a_message(supervisor_client, period, message):
    response = supervisor_client.get(reverse("supervision:quarterly-return"), period)

    assert response.status_code == 400
    assert "Correct the period to see the reports." in response.text
    assert message in response.text
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize("item_count", [1, 10])
def test_the_return_runs_the_same_queries_whatever_the_data(
    supervisor_client, team, case_manager, django_assert_num_queries, item_count
):
    for number in range(item_count):
        young_person = YoungPersonFactory(team=team, primary_case_manager=case_manager)
        taken_on(young_person, "2026-07-10")
        contact(young_person, local("2026-08-03", 10))
        ReferralFactory(
            team=team,
            status=Referral.Status.ACCEPTED,
            submitted_at=local("2026-07-01", 9),
            decided_at=local("2026-07-10", 9),
        )
        review(young_person, case_manager, on="2026-07-10", occasion="intake", risk=2, domains=3)
        review(young_person, case_manager, on="2026-09-10", occasion="regular", risk=1, domains=3)
        if number % 2:
            closed(YoungPersonFactory(team=team), began="2026-01-01", on="2026-08-01")
    UserFactory(role=Role.CASE_MANAGER, team=team)

    # user, OTP device, groups; the return: young people served, referrals received, decided
    # and waiting, contacts, exits, the instrument and its scales, and the outcome report's
    # reviews, ratings, items and placement moves; the export in the audit trail (savepoint,
    # insert, release)
    with django_assert_num_queries(18):
        response = supervisor_client.get(reverse("supervision:quarterly-return"), Q3_2026)
        rows = csv_rows(response)

    assert rows[2][3:6] == ["young_people_new", "Of them, taken on in the period", str(item_count)]
