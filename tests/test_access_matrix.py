"""Every URL of the project, for every role, for an object of the first team ("own") and one of the
other team ("other"), with the status each must answer. A URL pattern without an entry here
fails `test_every_url_pattern_has_an_entry`; the matrix size is printed at the end of the run.

Statuses: 200 shown, 302 redirected (to the login page for the anonymous), 403 action not
allowed on a visible object, 404 object outside the user's visibility, 405 wrong method.

Each answer is also checked against the audit trail: a page showing one of a young person's
records adds one read of it, a 403 or 404 on one adds one refusal, and any answer showing the
name of a young person, a referred young person or a family member adds a row.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.db.models import Max
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Role
from accounts.services import issue_token, register_external_system
from audit.models import AuditAction, AuditEvent
from caseplans.models import ExitPlan
from caseplans.rules import case_plans_visible_to, crisis_plans_visible_to, exit_plans_visible_to
from clients.models import Allocation
from clients.rules import young_people_visible_to
from diary.rules import appointments_visible_to
from diary.services import make_feed_link
from documents.rules import documents_visible_to
from exits.services import close_episode
from icms.tasks import heartbeat
from referrals.services import open_record_outside_referral
from register.models import Escalation, LiaisonMeeting, ListingRequest, RegisterReview
from register.rules import register_entries_visible_to
from register.services import list_young_person, record_review
from tests.conftest import make_people
from tests.factories import (
    AfterHoursAlertFactory,
    AgreementFactory,
    AppointmentFactory,
    BreakGlassAccessFactory,
    CareTeamFactory,
    CasePlanFactory,
    ContactFactory,
    CoverFactory,
    CrisisEventFactory,
    CrisisPlanFactory,
    DocumentFactory,
    FileReleaseFactory,
    GoalFactory,
    KeyPersonFactory,
    NotificationFactory,
    OnCallShiftFactory,
    OutcomeReviewFactory,
    ProfessionalFactory,
    ReferralAttachmentFactory,
    ReferralFactory,
    SupervisionActionFactory,
    SupervisionSessionFactory,
    TaskFactory,
    UserFactory,
    VisitPlanFactory,
    WorkerSafetyAlertFactory,
    YoungPersonFactory,
    api_token_for,
    shipped_data,
)
from tests.webhooks.factories import two_subscriptions_with_a_failed_delivery

ROLES = [
    "anonymous",
    "case_manager",
    "other_team_case_manager",
    "supervisor",
    "practitioner",
    "register_coordinator",
    "administrator",
]
SIGNED_IN = ROLES[1:]


@dataclass(frozen=True)
class Entry:
    """How to call one URL, and what each role must get for the own and the other object."""

    expect: dict[str, tuple[int, int]]
    # Name of the World attribute holding the own and the other URL arguments, if any.
    kwargs: str = ""
    method: str = "get"


def same(status: int, *roles: str) -> dict[str, tuple[int, int]]:
    return dict.fromkeys(roles or ROLES, (status, status))


def everyone(anonymous: int, signed_in: int) -> dict[str, tuple[int, int]]:
    return same(anonymous, "anonymous") | same(signed_in, *SIGNED_IN)


YOUNG_PERSON_PAGE = {
    "anonymous": (302, 302),
    "case_manager": (200, 404),
    "other_team_case_manager": (404, 200),
    "supervisor": (200, 404),
    "practitioner": (404, 404),
    "register_coordinator": (404, 404),
    "administrator": (404, 404),
}


def as_action(page: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """The statuses of a POST that redirects where the page would show."""
    return {
        role: tuple(302 if code == 200 else code for code in codes) for role, codes in page.items()
    }


YOUNG_PERSON_ACTION = as_action(YOUNG_PERSON_PAGE)
# The supervisor's own actions on a young person of their team.
SUPERVISOR_ACTION_PAGE = same(404) | {
    "anonymous": (302, 302),
    "case_manager": (403, 404),
    "other_team_case_manager": (404, 403),
    "supervisor": (200, 404),
}
ICMS_WORKERS_ONLY = (
    same(302, "anonymous")
    | same(200, "case_manager", "other_team_case_manager", "supervisor")
    | same(403, "practitioner", "register_coordinator", "administrator")
)
SUPERVISORS_ONLY = same(302, "anonymous") | same(403, *SIGNED_IN) | same(200, "supervisor")
PRACTITIONERS_ONLY = same(302, "anonymous") | same(403, *SIGNED_IN) | same(200, "practitioner")
API_PRACTITIONERS_ONLY = same(401, "anonymous") | same(403, *SIGNED_IN) | same(200, "practitioner")
# A young person's records through the API, with the token of a worker who sees them.
API_YOUNG_PERSON = YOUNG_PERSON_PAGE | {"anonymous": (401, 401)}
API_RECORDS = [
    "young-person",
    "case-plan",
    "crisis-plan",
    "exit-plan",
    "register-entry",
    "appointment",
    "document",
]
# External systems and their tokens: the administrator's alone.
ADMINISTRATOR_ONLY = same(302, "anonymous") | same(403, *SIGNED_IN) | same(200, "administrator")
CURRENT_PLAN_PAGE = YOUNG_PERSON_PAGE | {"practitioner": (200, 404)}
# A submitted referral: its practitioner and the receiving team's supervisor see it.
SUBMITTED_REFERRAL_PAGE = same(404) | {
    "anonymous": (302, 302),
    "practitioner": (200, 404),
    "supervisor": (200, 404),
}
# A draft: nobody but its author, not even the receiving team.
DRAFT_ONLY_FOR_ITS_AUTHOR = same(404) | {"anonymous": (302, 302), "practitioner": (200, 404)}
# The receiving team's supervisor decides; the practitioner sees but may not.
SUPERVISOR_DECISION = SUBMITTED_REFERRAL_PAGE | {"practitioner": (403, 404)}
# A young person's case management agreement: their workers, and the practitioner who referred.
AGREEMENT_PAGE = YOUNG_PERSON_PAGE | {"practitioner": (200, 404)}
# The division's coordinator, and the ICMS workers and practitioner who see the young person.
REGISTER_ENTRY_PAGE = YOUNG_PERSON_PAGE | {
    "practitioner": (200, 404),
    "register_coordinator": (200, 404),
}

# A restricted entry's restriction is lifted by its author, the primary case manager or the
# supervisor; a care-team member who is none of them may not.
RESTRICTED_ENTRY_LIFT = YOUNG_PERSON_ACTION | {"case_manager": (403, 404)}
# Who has read a restricted entry: the team's supervisor.
RESTRICTED_ENTRY_READS = YOUNG_PERSON_PAGE | {
    "case_manager": (403, 404),
    "other_team_case_manager": (404, 403),
}

# A team's supervision pages: its supervisor only; other teams are out of sight.
TEAM_PAGE = same(404) | {"anonymous": (302, 302), "supervisor": (200, 404)}
# The agency's reports: counts, no records; for supervisors and the system owner.
REPORTS_PAGE = (
    same(302, "anonymous") | same(403, *SIGNED_IN) | same(200, "supervisor", "administrator")
)


# The World's records that are a young person's, or about one: showing one is a read of it, and
# a 403 or 404 on one is a refused attempt, both in the audit trail.
CLIENT_RECORDS = {
    "young_people",
    "merge_pairs",
    "key_people",
    "professionals",
    "alerts",
    "care_team_allocations",
    "contacts",
    "referrals",
    "referral_moves",
    "draft_referrals",
    "considering_referrals",
    "accepted_referrals",
    "attachments",
    "documents",
    "document_versions",
    "break_glass_accesses",
    "accesses_to_review",
    "current_plans",
    "draft_plans",
    "draft_goals",
    "draft_tasks",
    "task_moves",
    "register_entries",
    "listing_requests",
    "referred_young_people",
    "agreements",
    "escalations",
    "liaison_meetings",
    "visit_plans",
    "appointments",
    "crisis_events",
    "restricted_contacts",
    "restricted_crises",
    "restricted_documents",
    "supervision_sessions",
    "supervision_actions",
    "outcome_reviews",
    "releases",
    "closed_young_people",
    "closures",
    "follow_ups",
    "crisis_plans",
    "exit_plans",
}
# The family names the World gives its young people, referred young people and family members:
# an answer that shows one shows client information.
CLIENT_NAMES = {
    "young_people": ("Marrowby", "Quenneville"),
    "referrals": ("Tellwright", "Ashcombe"),
    "key_people": ("Pennyfeather", "Ravensworth"),
}


MATRIX: dict[str, Entry] = {
    "home": Entry(everyone(302, 200)),
    "healthz": Entry(same(200)),
    "accounts:login": Entry(everyone(200, 302)),
    "accounts:login-code": Entry(same(302)),
    "accounts:two-factor-setup": Entry(same(302)),
    "accounts:recovery-codes": Entry(everyone(302, 200)),
    "accounts:logout": Entry(everyone(302, 405)),
    "accounts:password-change": Entry(everyone(302, 200)),
    "accounts:password-change-done": Entry(everyone(302, 200)),
    # own = a cover of the case manager's caseload, other = of the other team's case manager's
    "accounts:cover": Entry(SUPERVISORS_ONLY),
    "accounts:cover-end": Entry(
        same(404) | {"anonymous": (302, 302), "supervisor": (302, 404)},
        kwargs="covers",
        method="post",
    ),
    "clients:caseload": Entry(ICMS_WORKERS_ONLY),
    "clients:caseload-export": Entry(ICMS_WORKERS_ONLY),
    "clients:create": Entry(SUPERVISORS_ONLY),
    "clients:transfer": Entry(SUPERVISORS_ONLY),
    "clients:detail": Entry(YOUNG_PERSON_PAGE, kwargs="young_people"),
    "clients:edit": Entry(YOUNG_PERSON_PAGE, kwargs="young_people"),
    "clients:timeline": Entry(YOUNG_PERSON_PAGE, kwargs="young_people"),
    "clients:contacts-csv": Entry(YOUNG_PERSON_PAGE, kwargs="young_people"),
    "clients:file-pdf": Entry(YOUNG_PERSON_PAGE, kwargs="young_people"),
    # Merging another record of the young person into this one: their team's supervisor.
    "clients:merge": Entry(SUPERVISOR_ACTION_PAGE, kwargs="young_people"),
    # own: two records of the first team, other: two of the other team
    "clients:merge-confirm": Entry(SUPERVISOR_ACTION_PAGE, kwargs="merge_pairs"),
    "clients:disclosure-create": Entry(YOUNG_PERSON_PAGE, kwargs="young_people"),
    "clients:key-person-create": Entry(YOUNG_PERSON_PAGE, kwargs="young_people"),
    "clients:key-person-edit": Entry(YOUNG_PERSON_PAGE, kwargs="key_people"),
    "clients:professional-create": Entry(YOUNG_PERSON_PAGE, kwargs="young_people"),
    "clients:professional-edit": Entry(YOUNG_PERSON_PAGE, kwargs="professionals"),
    "clients:alert-create": Entry(YOUNG_PERSON_PAGE, kwargs="young_people"),
    "clients:alert-edit": Entry(YOUNG_PERSON_PAGE, kwargs="alerts"),
    "clients:alert-end": Entry(YOUNG_PERSON_ACTION, kwargs="alerts", method="post"),
    "clients:allocation": Entry(SUPERVISOR_ACTION_PAGE, kwargs="young_people"),
    "clients:status": Entry(
        same(404)
        | {
            "anonymous": (302, 302),
            "case_manager": (403, 404),
            "other_team_case_manager": (404, 403),
            "supervisor": (302, 404),
        },
        kwargs="young_people",
        method="post",
    ),
    "clients:allocation-end": Entry(
        same(404)
        | {
            "anonymous": (302, 302),
            "case_manager": (403, 404),
            "other_team_case_manager": (404, 403),
            "supervisor": (302, 404),
        },
        kwargs="care_team_allocations",
        method="post",
    ),
    "clients:contact-create": Entry(YOUNG_PERSON_PAGE, kwargs="young_people"),
    "clients:contact-draft": Entry(YOUNG_PERSON_PAGE, kwargs="young_people", method="post"),
    # own: a contact the first team's case manager made; other: one the other team's made.
    "clients:contact-detail": Entry(YOUNG_PERSON_PAGE, kwargs="contacts"),
    "clients:contact-edit": Entry(
        YOUNG_PERSON_PAGE | {"supervisor": (403, 404)}, kwargs="contacts"
    ),
    "clients:contact-in-error": Entry(YOUNG_PERSON_ACTION, kwargs="contacts", method="post"),
    # own: a restricted contact of the young person the case manager supports in the care team
    # (not its reader); other: one of the other team's case manager's own young person (its
    # primary case manager reads it). An empty POST lifts the restriction.
    "clients:contact-restriction": Entry(
        RESTRICTED_ENTRY_LIFT, kwargs="restricted_contacts", method="post"
    ),
    "clients:contact-reads": Entry(RESTRICTED_ENTRY_READS, kwargs="restricted_contacts"),
    "clients:break-glass": Entry(ICMS_WORKERS_ONLY),
    # own: the case manager's access to the other team's young person; other: the reverse.
    "clients:break-glass-detail": Entry(
        same(404)
        | {
            "anonymous": (302, 302),
            "case_manager": (200, 404),
            "other_team_case_manager": (404, 200),
        },
        kwargs="break_glass_accesses",
    ),
    # own: an access to the first team's young person (by the other team's case manager);
    # other: an access to the other team's young person (by the first team's case manager).
    "clients:break-glass-review": Entry(
        same(404)
        | {
            "anonymous": (302, 302),
            "case_manager": (404, 403),
            "other_team_case_manager": (403, 404),
            "supervisor": (302, 404),
        },
        kwargs="accesses_to_review",
        method="post",
    ),
    # --- case plans: own = of the first team's young person, other = of the other team's
    "caseplans:young-person": Entry(YOUNG_PERSON_PAGE, kwargs="young_people"),
    "caseplans:start": Entry(YOUNG_PERSON_ACTION, kwargs="young_people", method="post"),
    "caseplans:crisis": Entry(YOUNG_PERSON_PAGE, kwargs="young_people"),
    "caseplans:exit": Entry(YOUNG_PERSON_PAGE, kwargs="young_people"),
    # The practitioner whose referral the young person became sees the current action table.
    "caseplans:plan": Entry(CURRENT_PLAN_PAGE, kwargs="current_plans"),
    "caseplans:print": Entry(CURRENT_PLAN_PAGE, kwargs="current_plans"),
    "caseplans:pdf": Entry(CURRENT_PLAN_PAGE, kwargs="current_plans"),
    "caseplans:review": Entry(
        CURRENT_PLAN_PAGE | {"practitioner": (403, 404)}, kwargs="current_plans"
    ),
    "caseplans:edit": Entry(YOUNG_PERSON_PAGE, kwargs="draft_plans"),
    "caseplans:compare": Entry(YOUNG_PERSON_PAGE, kwargs="draft_plans"),
    "caseplans:submit": Entry(YOUNG_PERSON_ACTION, kwargs="draft_plans", method="post"),
    "caseplans:approve": Entry(
        as_action(SUPERVISOR_ACTION_PAGE), kwargs="draft_plans", method="post"
    ),
    "caseplans:return": Entry(
        as_action(SUPERVISOR_ACTION_PAGE), kwargs="draft_plans", method="post"
    ),
    "caseplans:goal-create": Entry(YOUNG_PERSON_PAGE, kwargs="draft_plans"),
    "caseplans:goal-edit": Entry(YOUNG_PERSON_PAGE, kwargs="draft_goals"),
    "caseplans:goal-status": Entry(YOUNG_PERSON_ACTION, kwargs="draft_goals", method="post"),
    "caseplans:goal-note": Entry(YOUNG_PERSON_ACTION, kwargs="draft_goals", method="post"),
    "caseplans:task-create": Entry(YOUNG_PERSON_PAGE, kwargs="draft_goals"),
    "caseplans:task": Entry(YOUNG_PERSON_PAGE, kwargs="draft_tasks"),
    "caseplans:task-edit": Entry(YOUNG_PERSON_PAGE, kwargs="draft_tasks"),
    "caseplans:task-status": Entry(YOUNG_PERSON_ACTION, kwargs="draft_tasks", method="post"),
    "caseplans:task-move": Entry(YOUNG_PERSON_ACTION, kwargs="task_moves", method="post"),
    # --- referrals: own = of the first division (made by the practitioner), other = of the other
    "referrals:list": Entry(PRACTITIONERS_ONLY),
    "referrals:create": Entry(PRACTITIONERS_ONLY),
    "referrals:queue": Entry(SUPERVISORS_ONLY),
    "referrals:detail": Entry(SUBMITTED_REFERRAL_PAGE, kwargs="referrals"),
    "referrals:edit": Entry(DRAFT_ONLY_FOR_ITS_AUTHOR, kwargs="draft_referrals"),
    "referrals:submit": Entry(
        as_action(DRAFT_ONLY_FOR_ITS_AUTHOR), kwargs="draft_referrals", method="post"
    ),
    "referrals:create-autosave": Entry(PRACTITIONERS_ONLY, method="post"),
    "referrals:autosave": Entry(DRAFT_ONLY_FOR_ITS_AUTHOR, kwargs="draft_referrals", method="post"),
    "referrals:discard": Entry(DRAFT_ONLY_FOR_ITS_AUTHOR, kwargs="draft_referrals"),
    "referrals:attachment-withdraw": Entry(
        SUBMITTED_REFERRAL_PAGE | {"practitioner": (302, 404), "supervisor": (403, 404)},
        kwargs="attachments",
        method="post",
    ),
    "referrals:withdraw": Entry(
        SUBMITTED_REFERRAL_PAGE | {"practitioner": (302, 404), "supervisor": (403, 404)},
        kwargs="referrals",
        method="post",
    ),
    "referrals:move": Entry(
        SUPERVISOR_DECISION | {"supervisor": (302, 404)}, kwargs="referral_moves", method="post"
    ),
    "referrals:accept": Entry(SUPERVISOR_DECISION, kwargs="considering_referrals"),
    "referrals:decline": Entry(SUPERVISOR_DECISION, kwargs="considering_referrals"),
    "referrals:attachment-download": Entry(SUBMITTED_REFERRAL_PAGE, kwargs="attachments"),
    "referrals:agreement": Entry(AGREEMENT_PAGE, kwargs="accepted_referrals"),
    # own: the agreement of the first team's young person (accepted from a referral), other:
    # the other team's
    "referrals:agreement-print": Entry(AGREEMENT_PAGE, kwargs="agreements"),
    # own: a record the first team opened outside a referral, waiting to be taken on; other:
    # the other team's. Only the team's supervisor sees it before it is taken on.
    "referrals:take-on": Entry(
        same(404) | {"anonymous": (302, 302), "supervisor": (200, 404)},
        kwargs="referred_young_people",
    ),
    # Child protection's decisions: the practitioner whose referral the young person's episode
    # came from records them; the ICMS workers who see the referral may not.
    "referrals:decisions": Entry(
        same(404)
        | {
            "anonymous": (302, 302),
            "case_manager": (403, 404),
            "other_team_case_manager": (404, 403),
            "supervisor": (403, 404),
            "practitioner": (200, 404),
        },
        kwargs="accepted_referrals",
    ),
    "referrals:consultations": Entry(ICMS_WORKERS_ONLY),
    "referrals:consultation-create": Entry(ICMS_WORKERS_ONLY),
    # --- notifications: own = the case manager's, other = the other team's case manager's
    "notifications:list": Entry(everyone(302, 200)),
    "notifications:read-all": Entry(everyone(302, 302), method="post"),
    "notifications:open": Entry(
        same(404)
        | {
            "anonymous": (302, 302),
            "case_manager": (302, 404),
            "other_team_case_manager": (404, 302),
        },
        kwargs="notifications",
        method="post",
    ),
    # --- the API, called with each role's token (anonymous: none)
    "api:referral-list": Entry(API_PRACTITIONERS_ONLY),
    "api:referral-detail": Entry(
        API_PRACTITIONERS_ONLY | {"practitioner": (200, 404)}, kwargs="referrals"
    ),
    "api:referral-submit": Entry(
        API_PRACTITIONERS_ONLY | {"practitioner": (200, 404)},
        kwargs="draft_referrals",
        method="post",
    ),
    "api:referral-withdraw": Entry(
        API_PRACTITIONERS_ONLY | {"practitioner": (200, 404)},
        kwargs="referrals",
        method="post",
    ),
    "api:contact-list": Entry(API_YOUNG_PERSON, kwargs="young_people"),
    "api:contact-detail": Entry(API_YOUNG_PERSON, kwargs="contacts"),
    # Child protection's decisions: the practitioner whose referral began the episode (the
    # matrix posts a form, which the API, taking JSON, refuses as such: 415); the API refuses
    # other roles before the referral is looked up.
    "api:referral-child-protection-decisions": Entry(
        API_PRACTITIONERS_ONLY | {"practitioner": (415, 404)},
        kwargs="accepted_referrals",
        method="post",
    ),
    # Every kind of record the API lists: each role's own (maybe none), never a 403.
    **{
        f"api:{kind}-list": Entry(same(401, "anonymous") | same(200, *SIGNED_IN))
        for kind in API_RECORDS
    },
    "api:young-person-detail": Entry(API_YOUNG_PERSON, kwargs="young_people"),
    "api:case-plan-detail": Entry(
        CURRENT_PLAN_PAGE | {"anonymous": (401, 401)}, kwargs="current_plans"
    ),
    "api:crisis-plan-detail": Entry(API_YOUNG_PERSON, kwargs="crisis_plans"),
    "api:exit-plan-detail": Entry(API_YOUNG_PERSON, kwargs="exit_plans"),
    "api:register-entry-detail": Entry(
        REGISTER_ENTRY_PAGE | {"anonymous": (401, 401)}, kwargs="register_entries"
    ),
    "api:appointment-detail": Entry(API_YOUNG_PERSON, kwargs="appointments"),
    "api:document-detail": Entry(API_YOUNG_PERSON, kwargs="documents"),
    "api:document-file": Entry(API_YOUNG_PERSON, kwargs="document_versions"),
    "api:schema": Entry(same(200)),
    "accounts:systems": Entry(ADMINISTRATOR_ONLY),
    "accounts:system-create": Entry(ADMINISTRATOR_ONLY),
    "accounts:system": Entry(ADMINISTRATOR_ONLY, kwargs="systems"),
    "accounts:token-revoke": Entry(
        ADMINISTRATOR_ONLY | same(302, "administrator"), kwargs="api_tokens", method="post"
    ),
    "api:docs": Entry(same(200)),
    "audit:trail": Entry(
        same(302, "anonymous")
        | same(403, "case_manager", "other_team_case_manager", "practitioner")
        | same(403, "register_coordinator")
        | same(200, "supervisor", "administrator")
    ),
    # --- the register: own = the first division's entry, other = the second's
    "register:list": Entry(
        same(302, "anonymous")
        | same(403, *SIGNED_IN)
        | same(200, "supervisor")
        | same(200, "register_coordinator")
    ),
    "register:create": Entry(
        same(302, "anonymous") | same(403, *SIGNED_IN) | same(200, "register_coordinator")
    ),
    "register:entry": Entry(REGISTER_ENTRY_PAGE, kwargs="register_entries"),
    # An empty review is shown again with what it lacks; an empty removal redirects, saying so.
    "register:review": Entry(
        REGISTER_ENTRY_PAGE
        | {
            "case_manager": (403, 404),
            "other_team_case_manager": (404, 403),
            "practitioner": (403, 404),
        },
        kwargs="register_entries",
        method="post",
    ),
    "register:remove": Entry(
        as_action(REGISTER_ENTRY_PAGE)
        | {
            "case_manager": (403, 404),
            "other_team_case_manager": (404, 403),
            "supervisor": (403, 404),
            "practitioner": (403, 404),
        },
        kwargs="register_entries",
        method="post",
    ),
    # own: a listing the first division's coordinator is asked to confirm, other: the second's
    "register:listing": Entry(
        same(404) | {"anonymous": (302, 302), "register_coordinator": (200, 404)},
        kwargs="listing_requests",
    ),
    # An empty answer is shown again with what it lacks.
    "register:listing-not-listed": Entry(
        same(404) | {"anonymous": (302, 302), "register_coordinator": (200, 404)},
        kwargs="listing_requests",
        method="post",
    ),
    "register:meetings": Entry(
        same(302, "anonymous")
        | same(403, *SIGNED_IN)
        | same(200, "supervisor", "register_coordinator")
    ),
    "register:meeting-create": Entry(
        same(302, "anonymous") | same(403, *SIGNED_IN) | same(200, "register_coordinator")
    ),
    # own: the first division's meeting, other: the second's
    "register:meeting": Entry(
        same(404)
        | {
            "anonymous": (302, 302),
            "supervisor": (200, 404),
            "register_coordinator": (200, 404),
        },
        kwargs="liaison_meetings",
    ),
    # own: an escalation of the first division's entry, other: of the second's. Whoever sees the
    # young person sees it, and the coordinator; the ICMS workers holding the case resolve it
    # (an empty form is shown again with what it lacks).
    "register:escalation": Entry(
        YOUNG_PERSON_PAGE | {"register_coordinator": (200, 404)}, kwargs="escalations"
    ),
    "register:escalation-resolve": Entry(
        YOUNG_PERSON_PAGE | {"register_coordinator": (403, 404)},
        kwargs="escalations",
        method="post",
    ),
    # --- supervision: own = the supervisor's team, other = the other team
    "supervision:index": Entry(
        same(302, "anonymous")
        | same(403, "case_manager", "other_team_case_manager", "practitioner")
        | same(403, "register_coordinator")
        | same(200, "supervisor", "administrator")  # the supervisor of one team: its review
    ),
    "supervision:review": Entry(TEAM_PAGE, kwargs="teams"),
    "supervision:review-export": Entry(TEAM_PAGE, kwargs="teams"),
    "supervision:dashboard": Entry(TEAM_PAGE, kwargs="teams"),
    "supervision:chart-export": Entry(TEAM_PAGE, kwargs="team_charts"),
    "supervision:reports": Entry(REPORTS_PAGE),
    "supervision:report-export": Entry(REPORTS_PAGE, kwargs="reports"),
    "supervision:quarterly-return": Entry(REPORTS_PAGE),
    "supervision:sessions": Entry(ICMS_WORKERS_ONLY),
    # Without ?worker= a supervisor is sent to the list to choose (test_sessions.py has the rest).
    "supervision:session-create": Entry(
        same(302, "anonymous", "supervisor")
        | same(403, "case_manager", "other_team_case_manager", "practitioner")
        | same(403, "register_coordinator", "administrator")
    ),
    # own: the supervisor's session with the case manager; other: the other team's case
    # manager's session with their supervisor. Private to the two; the administrator too: 404.
    "supervision:session": Entry(YOUNG_PERSON_PAGE, kwargs="supervision_sessions"),
    # own: the case manager's own action at that session; other: the other team's.
    "supervision:action-done": Entry(
        YOUNG_PERSON_ACTION, kwargs="supervision_actions", method="post"
    ),
    # --- outreach visits: own = the case manager's plan, other = the other team's case manager's
    "visits:list": Entry(ICMS_WORKERS_ONLY),
    "visits:create": Entry(ICMS_WORKERS_ONLY),
    "visits:plan": Entry(YOUNG_PERSON_PAGE, kwargs="visit_plans"),
    "visits:check-in": Entry(YOUNG_PERSON_ACTION, kwargs="visit_plans", method="post"),
    # An empty extension is shown again with what it lacks.
    "visits:extend": Entry(YOUNG_PERSON_PAGE, kwargs="visit_plans", method="post"),
    # --- crises: own = of the first team's young person (recorded by its case manager), other =
    # of the other team's
    "crises:list": Entry(SUPERVISORS_ONLY),
    # --- the diary: own = an appointment with the first team's young person (booked by its case
    # manager, tomorrow), other = the other team's
    "diary:mine": Entry(ICMS_WORKERS_ONLY),
    "diary:week": Entry(ICMS_WORKERS_ONLY),
    "diary:team": Entry(TEAM_PAGE, kwargs="teams"),
    "diary:create": Entry(YOUNG_PERSON_PAGE, kwargs="young_people"),
    "diary:appointment": Entry(YOUNG_PERSON_PAGE, kwargs="appointments"),
    "diary:edit": Entry(YOUNG_PERSON_PAGE, kwargs="appointments"),
    "diary:cancel": Entry(YOUNG_PERSON_PAGE, kwargs="appointments"),
    "diary:contact": Entry(YOUNG_PERSON_PAGE, kwargs="appointments"),
    # Tomorrow's cannot be marked yet: the appointment's page says so.
    "diary:not-attended": Entry(YOUNG_PERSON_ACTION, kwargs="appointments", method="post"),
    "diary:feed-settings": Entry(ICMS_WORKERS_ONLY),
    "diary:feed-revoke": Entry(as_action(ICMS_WORKERS_ONLY), method="post"),
    # The calendar feed is outside the login on purpose: the private link's token is the key,
    # whoever (or whatever calendar) calls it. own = the case manager's link, other = the other
    # team's case manager's; it names no young person (CLIENT_NAMES).
    "diary:feed": Entry(same(200), kwargs="feeds"),
    "crises:create": Entry(YOUNG_PERSON_PAGE, kwargs="young_people"),
    "crises:detail": Entry(YOUNG_PERSON_PAGE, kwargs="crisis_events"),
    "crises:in-error": Entry(YOUNG_PERSON_ACTION, kwargs="crisis_events", method="post"),
    # As restricted contacts: own of the care-team young person, other of the other team's.
    "crises:restriction": Entry(RESTRICTED_ENTRY_LIFT, kwargs="restricted_crises", method="post"),
    "crises:reads": Entry(RESTRICTED_ENTRY_READS, kwargs="restricted_crises"),
    # --- on call: own = the first team's roster (shift of the case manager, alert told to them),
    # other = the other team's (of its case manager)
    "oncall:now": Entry(ICMS_WORKERS_ONLY),
    "oncall:roster": Entry(YOUNG_PERSON_PAGE, kwargs="teams"),
    "oncall:week": Entry(SUPERVISOR_ACTION_PAGE, kwargs="roster_weeks"),
    "oncall:swap": Entry(YOUNG_PERSON_PAGE, kwargs="shifts"),
    "oncall:handover": Entry(YOUNG_PERSON_PAGE | {"supervisor": (403, 404)}, kwargs="shifts"),
    "oncall:alert": Entry(YOUNG_PERSON_PAGE, kwargs="on_call_alerts"),
    "oncall:acknowledge": Entry(YOUNG_PERSON_ACTION, kwargs="on_call_alerts", method="post"),
    # --- outcome reviews: own = a review of the first team's young person (by its case manager),
    # other = of the other team's. An empty "in error" answers with a message, saving nothing.
    "outcomes:young-person": Entry(YOUNG_PERSON_PAGE, kwargs="young_people"),
    "outcomes:review-create": Entry(YOUNG_PERSON_PAGE, kwargs="young_people"),
    "outcomes:review": Entry(YOUNG_PERSON_PAGE, kwargs="outcome_reviews"),
    "outcomes:review-in-error": Entry(YOUNG_PERSON_ACTION, kwargs="outcome_reviews", method="post"),
    "outcomes:report": Entry(REPORTS_PAGE),
    "outcomes:report-export": Entry(REPORTS_PAGE, kwargs="outcome_tables"),
    # --- documents: own = on the first team's young person's file (added by its case manager),
    # other = on the other team's
    "documents:list": Entry(YOUNG_PERSON_PAGE, kwargs="young_people"),
    "documents:create": Entry(YOUNG_PERSON_PAGE, kwargs="young_people"),
    "documents:detail": Entry(YOUNG_PERSON_PAGE, kwargs="documents"),
    "documents:version-create": Entry(YOUNG_PERSON_PAGE, kwargs="documents"),
    # Without a reason: redirected to the document, saying so.
    "documents:in-error": Entry(YOUNG_PERSON_ACTION, kwargs="documents", method="post"),
    "documents:download": Entry(YOUNG_PERSON_PAGE, kwargs="document_versions"),
    "documents:restriction": Entry(
        RESTRICTED_ENTRY_LIFT, kwargs="restricted_documents", method="post"
    ),
    "documents:reads": Entry(RESTRICTED_ENTRY_READS, kwargs="restricted_documents"),
    # --- releases of a young person's file: the team's supervisor releases it (an empty form is
    # shown again with what it lacks) and sees its releases; own = a release of the first team's
    # young person, other = of the other team's
    "records:release": Entry(SUPERVISOR_ACTION_PAGE, kwargs="young_people"),
    "records:young-person-releases": Entry(SUPERVISOR_ACTION_PAGE, kwargs="young_people"),
    "records:release-detail": Entry(TEAM_PAGE, kwargs="releases"),
    "records:release-pdf": Entry(TEAM_PAGE, kwargs="releases"),
    "records:release-documents": Entry(TEAM_PAGE, kwargs="releases"),
    # --- leaving ICMS: own = the first team's young person (closing: the one on the case
    # manager's caseload; the rest: one who left, whose last case manager was the case
    # manager), other = the other team's
    "exits:close": Entry(SUPERVISOR_ACTION_PAGE, kwargs="young_people"),
    # A closed file: its team's supervisor reopens it; its last case manager no longer sees it.
    "exits:reopen": Entry(
        same(404) | {"anonymous": (302, 302), "supervisor": (200, 404)},
        kwargs="closed_young_people",
    ),
    # The last case manager sees the closure through their after-care follow-ups.
    "exits:closure": Entry(YOUNG_PERSON_PAGE, kwargs="closures"),
    "exits:closure-pdf": Entry(YOUNG_PERSON_PAGE, kwargs="closures"),
    "exits:follow-ups": Entry(ICMS_WORKERS_ONLY),
    "exits:follow-up": Entry(YOUNG_PERSON_PAGE, kwargs="follow_ups"),
    # --- records: retention. own = the first team's young person, other = the other team's.
    "records:archive": Entry(SUPERVISORS_ONLY),
    "records:retention": Entry(SUPERVISORS_ONLY),
    "records:disposals": Entry(
        same(302, "anonymous") | same(403, *SIGNED_IN) | same(200, "supervisor", "administrator")
    ),
    "records:legal-hold": Entry(SUPERVISOR_ACTION_PAGE, kwargs="young_people"),
    # An open file's review says it is not closed, and offers no disposal.
    "records:dispose": Entry(SUPERVISOR_ACTION_PAGE, kwargs="young_people"),
    "admin-login": Entry(same(302)),
    # --- event feeds: the administrator's configuration; own and other = two systems'
    # subscriptions (and a failed delivery of each), alike to the administrator
    "webhooks:subscriptions": Entry(
        same(302, "anonymous") | same(403, *SIGNED_IN) | same(200, "administrator")
    ),
    "webhooks:subscription-create": Entry(
        same(302, "anonymous") | same(403, *SIGNED_IN) | same(200, "administrator")
    ),
    "webhooks:subscription": Entry(
        same(302, "anonymous") | same(403, *SIGNED_IN) | same(200, "administrator"),
        kwargs="subscriptions",
    ),
    "webhooks:subscription-deactivate": Entry(
        same(403) | same(302, "anonymous", "administrator"), kwargs="subscriptions", method="post"
    ),
    "webhooks:send-again": Entry(
        same(403) | same(302, "anonymous", "administrator"), kwargs="deliveries", method="post"
    ),
}

# The admin site has its own permission checks on a verified staff session (OTPAdminSite); the
# administrator's access to each model is tested in test_admin_site_* below. Here: nobody else
# gets past its login redirect, whatever the URL.
ADMIN_NAMESPACE = "admin"


def url_patterns(resolver: URLResolver = None, namespace: str = "") -> list[tuple[str, object]]:
    resolver = resolver or get_resolver()
    found = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += url_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found.append((f"{namespace}{pattern.name}", pattern))
    return found


def test_every_url_pattern_has_an_entry():
    missing = [
        name
        for name, _ in url_patterns()
        if name not in MATRIX and not name.startswith(f"{ADMIN_NAMESPACE}:")
    ]
    unknown = [name for name in MATRIX if name not in dict(url_patterns())]

    assert missing == [], "add these URLs to the access matrix"
    assert unknown == [], "these matrix entries name no URL"


CASES = [
    pytest.param(name, role, which, id=f"{name}|{role}|{which}")
    for name, entry in MATRIX.items()
    for role in ROLES
    for which in (("own", "other") if entry.kwargs else ("own",))
]
MATRIX_SIZE = len(CASES)


@dataclass
class World:
    young_people: tuple = ()
    merge_pairs: tuple = ()
    key_people: tuple = ()
    professionals: tuple = ()
    alerts: tuple = ()
    care_team_allocations: tuple = ()
    contacts: tuple = ()
    referrals: tuple = ()
    referral_moves: tuple = ()
    draft_referrals: tuple = ()
    considering_referrals: tuple = ()
    accepted_referrals: tuple = ()
    attachments: tuple = ()
    documents: tuple = ()
    document_versions: tuple = ()
    notifications: tuple = ()
    break_glass_accesses: tuple = ()
    accesses_to_review: tuple = ()
    current_plans: tuple = ()
    draft_plans: tuple = ()
    draft_goals: tuple = ()
    draft_tasks: tuple = ()
    task_moves: tuple = ()
    register_entries: tuple = ()
    listing_requests: tuple = ()
    referred_young_people: tuple = ()
    agreements: tuple = ()
    escalations: tuple = ()
    liaison_meetings: tuple = ()
    teams: tuple = ()
    team_charts: tuple = ()
    reports: tuple = ()
    visit_plans: tuple = ()
    appointments: tuple = ()
    feeds: tuple = ()
    crisis_events: tuple = ()
    restricted_contacts: tuple = ()
    restricted_crises: tuple = ()
    restricted_documents: tuple = ()
    supervision_sessions: tuple = ()
    supervision_actions: tuple = ()
    covers: tuple = ()
    roster_weeks: tuple = ()
    shifts: tuple = ()
    on_call_alerts: tuple = ()
    outcome_reviews: tuple = ()
    outcome_tables: tuple = ()
    releases: tuple = ()
    closed_young_people: tuple = ()
    closures: tuple = ()
    crisis_plans: tuple = ()
    exit_plans: tuple = ()
    systems: tuple = ()
    api_tokens: tuple = ()
    follow_ups: tuple = ()
    subscriptions: tuple = ()
    deliveries: tuple = ()
    users: dict = field(default_factory=dict)


def under(young_person, part_name: str, part) -> dict[str, int]:
    """URL arguments for a part of a young person's record."""
    return {"pk": young_person.pk, part_name: part.pk}


def own_and_other(factory, argument: str, own_young_person, other_young_person, **own_extra):
    return (
        under(own_young_person, argument, factory(young_person=own_young_person, **own_extra)),
        under(other_young_person, argument, factory(young_person=other_young_person)),
    )


def plans_of(*young_people) -> dict:
    """For each young person a current case plan and, being made, version 2: a draft with a
    goal and a task."""
    current = tuple(
        CasePlanFactory(young_person=young_person, number=1, status="current")
        for young_person in young_people
    )
    drafts = tuple(
        CasePlanFactory(young_person=young_person, number=2) for young_person in young_people
    )
    tasks = tuple(TaskFactory(goal=GoalFactory(plan=plan)) for plan in drafts)
    return {
        "current_plans": current,
        "draft_plans": drafts,
        "draft_goals": tuple({"pk": task.goal.plan_id, "goal_pk": task.goal_id} for task in tasks),
        "draft_tasks": tuple({"pk": task.goal.plan_id, "task_pk": task.pk} for task in tasks),
        "task_moves": tuple(
            {"pk": task.goal.plan_id, "task_pk": task.pk, "direction": "up"} for task in tasks
        ),
    }


RESTRICTED_CONTENT = "Methadone dose reviewed with the clinic"


def restricted_entries(shared, other) -> dict:
    """A restricted contact and crisis record of the young person the case manager supports in
    the care team (own: written by a colleague, so the case manager is not their reader), and
    of the other team's case manager's own young person (other: they are primary)."""
    made = {"restricted_because": "aod_treatment"}
    pairs = [
        (
            ContactFactory(young_person=young_person, notes=RESTRICTED_CONTENT, **made),
            CrisisEventFactory(young_person=young_person, what_happened=RESTRICTED_CONTENT, **made),
        )
        for young_person in (shared, other)
    ]
    return {
        "restricted_contacts": tuple(
            under(contact.young_person, "contact_pk", contact) for contact, _ in pairs
        ),
        "restricted_crises": tuple(crisis for _, crisis in pairs),
        "restricted_documents": tuple(
            DocumentFactory(young_person=young_person, title=RESTRICTED_CONTENT, **made)
            for young_person in (shared, other)
        ),
    }


def external_systems(administrator, *teams) -> dict:
    """A data warehouse for each team, each with a token."""
    systems = tuple(
        register_external_system(
            name=f"Warehouse of {team}",
            roles=[Role.SUPERVISOR],
            team=team,
            division=None,
            by=administrator,
        )
        for team in teams
    )
    return {
        "systems": systems,
        "api_tokens": tuple(
            issue_token(
                system,
                name="Nightly",
                expires_on=timezone.localdate() + timedelta(days=30),
                by=administrator,
            )[0]
            for system in systems
        ),
    }


def documents_of(*young_people_and_authors) -> dict:
    documents = tuple(
        DocumentFactory(young_person=young_person, added_by=author)
        for young_person, author in young_people_and_authors
    )
    return {
        "documents": documents,
        "document_versions": tuple(
            {"pk": document.pk, "version_pk": document.versions.get().pk} for document in documents
        ),
    }


def supervision_sessions(supervisor, case_manager, other_team_case_manager) -> dict:
    other_supervisor = UserFactory(role=Role.SUPERVISOR, team=other_team_case_manager.team)
    sessions = (
        SupervisionSessionFactory(supervisor=supervisor, worker=case_manager),
        SupervisionSessionFactory(supervisor=other_supervisor, worker=other_team_case_manager),
    )
    return {
        "supervision_sessions": sessions,
        "supervision_actions": tuple(SupervisionActionFactory(session=s) for s in sessions),
    }


def closings(*teams_and_workers) -> dict:
    """For each team, a young person who left ICMS today, whose last case manager was the
    worker given: the closure and its first after-care follow-up."""
    closures = []
    for team, worker in teams_and_workers:
        young_person = YoungPersonFactory(team=team, primary_case_manager=worker)
        Allocation.objects.create(young_person=young_person, worker=worker, role="primary")
        ExitPlan.objects.create(young_person=young_person, accommodation="A flat of her own.")
        closures.append(
            close_episode(
                young_person,
                by=worker,
                closed_on=timezone.localdate(),
                reason="goals_achieved",
                destination="independent",
            )
        )
    return {
        "closed_young_people": tuple(closure.young_person for closure in closures),
        "closures": tuple(closures),
        "follow_ups": tuple(closure.follow_ups.get(months=1) for closure in closures),
    }


def escalation_of(entry, coordinator) -> Escalation:
    """An escalation made as a review makes it, but telling no one: the notifications would
    name the young person on every worker's notification list."""
    review = record_review(
        entry.reviews.get(), by=coordinator, reviewed_on=entry.listed_on, outcome="remain",
        participants=["icms"],
    )  # fmt: skip
    RegisterReview.objects.filter(pk=review.pk).update(outcome="escalate")
    return Escalation.objects.create(
        young_person=entry.young_person,
        entry=entry,
        review=review,
        what="Missing for a week.",
        raised_by=coordinator,
    )


@pytest.fixture(scope="module")
def built_world(django_db_setup, django_db_blocker):
    """The World, built once for all the module's cases in a transaction rolled back at the
    end; each case runs in a savepoint inside it (the `db` fixture), so what one case changes
    the next does not see. Building it for each case cost a third of the suite's time."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world(**make_people())
        transaction.set_rollback(True)


@pytest.fixture
def world(built_world, db):
    return built_world


@pytest.fixture
def world_of_its_own(db):
    """The World built for one test: for modules whose other tests make the same people (their
    usernames are unique), and for a live server's thread, which sees only what is committed."""
    return build_world(**make_people())


def build_world(
    *,
    case_manager,
    other_team_case_manager,
    supervisor,
    practitioner,
    register_coordinator,
    administrator,
    own_young_person,
    care_team_young_person,
    other_young_person,
    **_divisions_and_teams,
):
    shipped_data()  # flushed, where a transactional test ran before (world_of_its_own)
    now = timezone.now()
    window = {"granted_at": now - timedelta(minutes=5), "expires_at": now + timedelta(hours=1)}
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    heartbeat()
    own, other = own_young_person, other_young_person
    for young_person, family_name in zip((own, other), CLIENT_NAMES["young_people"], strict=True):
        young_person.family_name = family_name
        young_person.save(update_fields=["family_name"])
    other_practitioner = UserFactory(role=Role.PRACTITIONER, division=other.division)
    own_referred, other_referred = CLIENT_NAMES["referrals"]
    own_family, other_family = CLIENT_NAMES["key_people"]

    def referral_pair(**fields):
        return (
            ReferralFactory(
                referred_by=practitioner, team=own.team, family_name=own_referred, **fields
            ),
            ReferralFactory(
                referred_by=other_practitioner,
                team=other.team,
                family_name=other_referred,
                **fields,
            ),
        )

    submitted = referral_pair()
    accepted = referral_pair(status="accepted")
    agreements = []
    coordinators = (
        register_coordinator,
        UserFactory(role=Role.REGISTER_COORDINATOR, division=other.division),
    )
    entries = tuple(
        list_young_person(
            young_person, by=coordinator, listed_on=date(2026, 11, 2), risk_factors=[]
        )
        for young_person, coordinator in zip((own, other), coordinators, strict=True)
    )
    for referral, young_person in zip(accepted, (own, other), strict=True):
        referral.young_person = young_person
        referral.save()
        agreements.append(AgreementFactory(referral=referral, young_person=young_person))
    # Opened outside a referral, waiting for the coordinator to confirm their listing (the
    # coordinator's notification names them: the notification list is no read of a record).
    referred = tuple(
        open_record_outside_referral(
            by=supervisor_of,
            team=young_person.team,
            given_name="Ruby",
            family_name="Waiting",
            date_of_birth=date(2011, 4, 2),
        )
        for supervisor_of, young_person in zip(
            (supervisor, UserFactory(role=Role.SUPERVISOR, team=other.team)),
            (own, other),
            strict=True,
        )
    )
    return World(
        listing_requests=tuple(
            ListingRequest.objects.get(young_person=young_person) for young_person in referred
        ),
        referred_young_people=referred,
        agreements=tuple(agreements),
        referrals=submitted,
        referral_moves=tuple({"pk": referral.pk, "to": "considering"} for referral in submitted),
        draft_referrals=referral_pair(status="draft"),
        considering_referrals=referral_pair(status="considering"),
        accepted_referrals=accepted,
        attachments=tuple(
            under(referral, "attachment_pk", ReferralAttachmentFactory(referral=referral))
            for referral in submitted
        ),
        notifications=(
            NotificationFactory(recipient=case_manager),
            NotificationFactory(recipient=other_team_case_manager),
        ),
        young_people=(own, other),
        merge_pairs=tuple(
            {"pk": young_person.pk, "other_pk": YoungPersonFactory(team=young_person.team).pk}
            for young_person in (own, other)
        ),
        key_people=(
            under(
                own, "key_person_pk", KeyPersonFactory(young_person=own, name=f"Ann {own_family}")
            ),
            under(
                other,
                "key_person_pk",
                KeyPersonFactory(young_person=other, name=f"Bea {other_family}"),
            ),
        ),
        professionals=own_and_other(ProfessionalFactory, "professional_pk", own, other),
        alerts=own_and_other(WorkerSafetyAlertFactory, "alert_pk", own, other),
        care_team_allocations=(
            under(own, "allocation_pk", CareTeamFactory(young_person=own, worker=case_manager)),
            under(
                other,
                "allocation_pk",
                CareTeamFactory(young_person=other, worker=other_team_case_manager),
            ),
        ),
        contacts=(
            under(own, "contact_pk", ContactFactory(young_person=own, recorded_by=case_manager)),
            under(
                other,
                "contact_pk",
                ContactFactory(young_person=other, recorded_by=other_team_case_manager),
            ),
        ),
        break_glass_accesses=(
            BreakGlassAccessFactory(worker=case_manager, young_person=other_young_person, **window),
            BreakGlassAccessFactory(
                worker=other_team_case_manager, young_person=own_young_person, **window
            ),
        ),
        **plans_of(own, other),
        liaison_meetings=tuple(
            LiaisonMeeting.objects.create(
                division=young_person.division,
                held_on=date(2026, 11, 2),
                agencies=["icms"],
                recorded_by=register_coordinator,
            )
            for young_person in (own, other)
        ),
        register_entries=entries,
        escalations=tuple(escalation_of(entry, register_coordinator) for entry in entries),
        visit_plans=(
            VisitPlanFactory(worker=case_manager, young_person=own),
            VisitPlanFactory(worker=other_team_case_manager, young_person=other),
        ),
        appointments=(
            AppointmentFactory(young_person=own, booked_by=case_manager),
            AppointmentFactory(young_person=other, booked_by=other_team_case_manager),
        ),
        feeds=tuple(
            {"token": make_feed_link(worker=worker)}
            for worker in (case_manager, other_team_case_manager)
        ),
        **documents_of((own, case_manager), (other, other_team_case_manager)),
        crisis_events=(
            CrisisEventFactory(young_person=own, recorded_by=case_manager),
            CrisisEventFactory(young_person=other, recorded_by=other_team_case_manager),
        ),
        **restricted_entries(care_team_young_person, other),
        accesses_to_review=(
            BreakGlassAccessFactory(
                worker=other_team_case_manager, young_person=own_young_person, **window
            ),
            BreakGlassAccessFactory(worker=case_manager, young_person=other_young_person, **window),
        ),
        covers=(
            CoverFactory(worker=case_manager, arranged_by=supervisor),
            CoverFactory(worker=other_team_case_manager),
        ),
        teams=(own.team, other.team),
        roster_weeks=tuple(
            {"pk": team.pk, "week": f"{monday:%Y-%m-%d}"} for team in (own.team, other.team)
        ),
        shifts=(
            OnCallShiftFactory(worker=case_manager),
            OnCallShiftFactory(worker=other_team_case_manager),
        ),
        on_call_alerts=tuple(
            AfterHoursAlertFactory(team=worker.team, told=[worker], url=reverse("oncall:now"))
            for worker in (case_manager, other_team_case_manager)
        ),
        **supervision_sessions(supervisor, case_manager, other_team_case_manager),
        team_charts=tuple({"pk": team.pk, "chart": "contacts"} for team in (own.team, other.team)),
        reports=({"report": "referrals"}, {"report": "activity"}),
        outcome_reviews=(
            OutcomeReviewFactory(young_person=own, reviewed_by=case_manager),
            OutcomeReviewFactory(young_person=other, reviewed_by=other_team_case_manager),
        ),
        outcome_tables=({"table": "to-latest"}, {"table": "engagement"}),
        releases=(
            FileReleaseFactory(young_person=own, released_by=supervisor),
            FileReleaseFactory(young_person=other),
        ),
        **closings((own.team, case_manager), (other.team, other_team_case_manager)),
        crisis_plans=tuple(CrisisPlanFactory(young_person=person) for person in (own, other)),
        exit_plans=tuple(ExitPlan.objects.create(young_person=person) for person in (own, other)),
        **external_systems(administrator, own.team, other.team),
        **two_subscriptions_with_a_failed_delivery(),
        users={
            "case_manager": case_manager,
            "other_team_case_manager": other_team_case_manager,
            "supervisor": supervisor,
            "practitioner": practitioner,
            "register_coordinator": register_coordinator,
            "administrator": administrator,
        },
    )


def matrix_url(world: World, name: str, which: str) -> str:
    """The URL of the matrix entry `name` for the own or the other object."""
    entry = MATRIX[name]
    kwargs = {}
    if entry.kwargs:
        own, other = getattr(world, entry.kwargs)
        kwargs = own if which == "own" else other
        if not isinstance(kwargs, dict):
            kwargs = {"pk": kwargs.pk}
    return reverse(name, kwargs=kwargs)


def pages_shown_to(world: World, role: str) -> list[str]:
    """The URLs of the matrix whose GET shows `role` a page (200), outside the API; the pages
    that the link and accessibility crawls start from."""
    return [
        matrix_url(world, name, which)
        for name, entry in MATRIX.items()
        if entry.method == "get" and not name.startswith("api:")
        for which, status in zip(("own", "other"), entry.expect[role], strict=True)
        if status == 200 and (entry.kwargs or which == "own")
    ]


# What each list of the API must hold: what the pages' policy gives the account.
API_LISTS = {
    "young-person": young_people_visible_to,
    "case-plan": case_plans_visible_to,
    "crisis-plan": crisis_plans_visible_to,
    "exit-plan": exit_plans_visible_to,
    "register-entry": register_entries_visible_to,
    "appointment": appointments_visible_to,
    "document": documents_visible_to,
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*SIGNED_IN, "team_system"])
def test_each_api_list_holds_what_the_policy_shows_and_no_more(client, world, role):
    """Synchronising every list, page by page: exactly the records the access policy gives the
    account, for every role and for a team's external system; any other record is a 404."""
    account = world.systems[0].account if role == "team_system" else world.users[role]
    header = {"HTTP_AUTHORIZATION": f"Token {api_token_for(account)}"}

    for kind, visible_to in API_LISTS.items():
        listed, url = [], f"{reverse(f'api:{kind}-list')}?page_size=2"
        while url:
            page = client.get(url, **header).json()
            listed += [row["id"] for row in page["results"]]
            url = page["next"]
        visible = visible_to(account)
        assert sorted(listed) == sorted(visible.values_list("pk", flat=True)), kind
        for outside in visible.model.objects.exclude(pk__in=listed).values_list("pk", flat=True):
            detail = client.get(reverse(f"api:{kind}-detail", args=[outside]), **header)
            assert detail.status_code == 404, (kind, outside)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role", "which"), CASES)
def test_access_matrix(client, log_in, world, name, role, which):
    entry = MATRIX[name]
    headers = {}
    if role != "anonymous" and name.startswith("api:"):
        headers["HTTP_AUTHORIZATION"] = f"Token {api_token_for(world.users[role])}"
    elif role != "anonymous":
        log_in(world.users[role])
    last_row = AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0

    response = getattr(client, entry.method)(matrix_url(world, name, which), **headers)

    expected = entry.expect[role][0 if which == "own" else 1]
    assert response.status_code == expected
    assert "no-store" in response["Cache-Control"], "no answer may stay in a cache"
    if role == "anonymous" and expected == 302 and name != "admin-login":
        assert response.url.startswith(reverse("accounts:login"))
    rows = list(AuditEvent.objects.filter(id__gt=last_row))
    reads = [row for row in rows if row.action in READS]
    refusals = [row for row in rows if row.action == AuditAction.REFUSED]
    if entry.kwargs in CLIENT_RECORDS and expected in (403, 404):
        assert (len(refusals), reads) == (1, []), "a refused attempt is audited, once"
    if entry.kwargs in CLIENT_RECORDS and expected == 200 and entry.method == "get":
        assert (len(reads), refusals) == (1, []), "a page showing a record is audited, once"
    if expected == 200 and shows_a_client_name(response):
        # read, or changed (an API action answers with the record it changed)
        assert rows != refusals, "an answer showing client information is audited"
    if expected in (302, 405) or role == "anonymous":
        assert reads + refusals == []


READS = {AuditAction.VIEW, AuditAction.SEARCH, AuditAction.EXPORT}


def shows_a_client_name(response) -> bool:
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode(errors="replace")
    return any(name in content for names in CLIENT_NAMES.values() for name in names)


# The pages of a restricted entry and of its young person's timeline: who is shown what it says
# (True), who only that it exists (False); None where the page is not theirs (the matrix above).
RESTRICTED_PAGES = {
    "clients:contact-detail": "restricted_contacts",
    "crises:detail": "restricted_crises",
}
SHOWS_RESTRICTED_CONTENT = {
    # own: a care-team member who is not its reader; other: the primary case manager
    "case_manager": (False, None),
    "other_team_case_manager": (None, True),
    "supervisor": (True, None),
}
RESTRICTED_CASES = [
    pytest.param(name, role, which, id=f"{name}|{role}|{which}")
    for name in RESTRICTED_PAGES
    for role, shown in SHOWS_RESTRICTED_CONTENT.items()
    for which, content in zip(("own", "other"), shown, strict=True)
    if content is not None
]
MATRIX_SIZE += len(RESTRICTED_CASES)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role", "which"), RESTRICTED_CASES)
def test_restricted_entries_show_their_content_only_to_their_readers(
    client, log_in, world, name, role, which
):
    own, other = getattr(world, RESTRICTED_PAGES[name])
    kwargs = own if which == "own" else other
    kwargs = kwargs if isinstance(kwargs, dict) else {"pk": kwargs.pk}
    log_in(world.users[role])
    last_row = AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0

    response = client.get(reverse(name, kwargs=kwargs))

    reads = AuditEvent.objects.filter(id__gt=last_row, action=AuditAction.READ_RESTRICTED)
    reader = SHOWS_RESTRICTED_CONTENT[role][0 if which == "own" else 1]
    assert response.status_code == 200
    assert (RESTRICTED_CONTENT in response.content.decode()) == reader
    assert ("Restricted entry" in response.content.decode()) != reader
    assert reads.count() == (1 if reader else 0), "each read of the content is audited as such"


ADMIN_CASES = [
    pytest.param(name, role, id=f"{name}|{role}")
    for name, pattern in url_patterns()
    if name.startswith(f"{ADMIN_NAMESPACE}:")
    for role in ROLES
    if role != "administrator"
]
MATRIX_SIZE += len(ADMIN_CASES)


def admin_kwargs(pattern_name: str) -> dict[str, str]:
    """Arguments for any admin URL: an app label or an object number."""
    regex = dict(url_patterns())[pattern_name].pattern.regex
    return {key: "accounts" if key == "app_label" else "1" for key in regex.groupindex}


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role"), ADMIN_CASES)
def test_admin_site_is_closed_to_everyone_but_the_administrator(client, log_in, world, name, role):
    if role != "anonymous":
        log_in(world.users[role])

    response = client.get(reverse(name, kwargs=admin_kwargs(name)))

    assert response.status_code == 302
    if name == "admin:logout" and role != "anonymous":
        assert response.url == "/admin/"  # a GET does not log out; the index then refuses
    else:
        assert response.url.startswith(("/admin/login/", reverse("accounts:login")))


ADMINISTRATOR_SEES = [
    "accounts_user",
    "accounts_team",
    "accounts_division",
    "auth_group",
    "clients_intensitylevel",
    "exits_exitleadtime",
    "exits_aftercarepoint",
    "records_retentionrule",
    "django_celery_beat_periodictask",
    "django_celery_beat_crontabschedule",
    "otp_totp_totpdevice",
    "otp_static_staticdevice",
    "axes_accessattempt",
    "axes_accesslog",
]
MATRIX_SIZE += len(ADMINISTRATOR_SEES)


@pytest.mark.django_db
@pytest.mark.parametrize("model", ADMINISTRATOR_SEES)
def test_admin_site_shows_the_administrator_the_configuration(client, log_in, world, model):
    log_in(world.users["administrator"])

    assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200


READ_ONLY_FOR_ADMINISTRATOR = ["auth_group", "axes_accessattempt", "otp_totp_totpdevice"]
MATRIX_SIZE += len(READ_ONLY_FOR_ADMINISTRATOR)


@pytest.mark.django_db
@pytest.mark.parametrize("model", READ_ONLY_FOR_ADMINISTRATOR)
def test_admin_site_keeps_roles_lockouts_and_authenticators_read_only(client, log_in, world, model):
    """Roles are fixed by the code; lockouts and authenticators may be removed, not made."""
    log_in(world.users["administrator"])

    assert client.get(reverse(f"admin:{model}_add")).status_code == 403


def test_admin_site_registers_no_client_record():
    from django.contrib import admin

    registered = {model._meta.label for model in admin.site._registry}
    clinical = {"clients.YoungPerson", "clients.Disclosure", "clients.WorkerSafetyAlert"}
    assert registered & (clinical | {"caseplans.CrisisPlan", "audit.AuditEvent"}) == set()
