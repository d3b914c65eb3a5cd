import re
from datetime import date, datetime, time, timedelta

from django.contrib.postgres.search import SearchQuery
from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone

from accounts.models import Team, User
from accounts.queries import case_managers
from accounts.rules import teams_supervised_by
from audit.models import AuditAction, AuditEvent
from clients.models import (
    Allocation,
    BreakGlassAccess,
    ChildProtectionDecision,
    Contact,
    ContactDraft,
    Merge,
    RestrictableEntry,
    WorkerSafetyAlert,
    YoungPerson,
)
from clients.rules import (
    break_glass_accesses_visible_to,
    contacts_visible_to,
    with_readable_content,
    young_people_covered_by,
    young_people_findable_after_hours,
    young_people_visible_to,
)

OPEN_STATUSES = [YoungPerson.Status.ACTIVE, YoungPerson.Status.EXITING]
FORTNIGHT = 14


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def search_young_people(young_people: QuerySet[YoungPerson], text: str) -> QuerySet[YoungPerson]:
    """Full-text search on names and the child protection number, each word as a prefix
    ("jay smi" finds Jayden Smith). PostgreSQL's own full-text search, on an indexed column."""
    words = re.findall(r"\w+", text.lower())
    if not words:
        return young_people
    query = SearchQuery(
        " & ".join(f"{word}:*" for word in words), search_type="raw", config="simple"
    )
    return young_people.filter(search=query)


def with_contact_figures(young_people: QuerySet[YoungPerson]) -> QuerySet[YoungPerson]:
    """Annotate each young person with their last successful contact, the successful contacts
    of the last fortnight, and whether contact is overdue for their intensity: more calendar
    days since the last one than the intensity's threshold (or none at all)."""
    today = timezone.localdate()
    successful = Contact.objects.successful().filter(young_person=OuterRef("pk"))
    fortnight = successful.filter(started_at__gte=local_midnight(today - timedelta(FORTNIGHT - 1)))
    return young_people.annotate(
        last_contact_at=Subquery(successful.order_by("-started_at").values("started_at")[:1]),
        contacts_this_fortnight=Coalesce(
            Subquery(
                fortnight.order_by()
                .values("young_person")
                .annotate(count=Count("pk"))
                .values("count"),
                output_field=IntegerField(),
            ),
            0,
        ),
    ).annotate(
        # Only an open case is overdue: a closed file expects no more contacts.
        contact_overdue=ExpressionWrapper(
            Q(intensity__isnull=False, status__in=OPEN_STATUSES)
            & (
                Q(last_contact_at__isnull=True)
                | Q(
                    last_contact_at__lt=Value(local_midnight(today))
                    - F("intensity__contact_threshold_days") * Value(timedelta(days=1))
                )
            ),
            output_field=BooleanField(),
        )
    )


def caseload_for(worker: User, *, visible: QuerySet[YoungPerson]) -> QuerySet[YoungPerson]:
    """The open cases a worker is allocated to, among those `visible` to whoever asks, with
    what a caseload list shows."""
    return with_contact_figures(
        visible.allocated_to(worker)
        .open()
        .select_related("intensity", "team", "primary_case_manager")
        .annotate(is_primary=Q(primary_case_manager=worker))
    ).order_by("-is_primary", "family_name", "given_name")


def covered_by_user(user: User) -> Q:
    """For annotating a caseload list: whether the user sees the young person because they
    cover a worker's caseload."""
    return Q(pk__in=young_people_covered_by(user).values("pk"))


def team_workers_with_caseload(teams: QuerySet[Team]) -> QuerySet[User]:
    """Case managers of the teams with their open primary caseload, raw and weighted by
    intensity."""
    open_primary = Q(primary_young_people__status__in=OPEN_STATUSES)
    return (
        case_managers()
        .filter(team__in=teams)
        .select_related("team")
        .annotate(
            caseload=Count("primary_young_people", filter=open_primary),
            weighted_caseload=Coalesce(
                Sum("primary_young_people__intensity__caseload_weight", filter=open_primary),
                Value(0),
                output_field=DecimalField(max_digits=6, decimal_places=1),
            ),
        )
        .order_by("team__name", "first_name", "last_name")
    )


def unallocated_young_people(
    teams: QuerySet[Team], *, visible: QuerySet[YoungPerson]
) -> QuerySet[YoungPerson]:
    """Open cases of the teams without a primary case manager: the supervisor must allocate."""
    return (
        visible.filter(team__in=teams, primary_case_manager__isnull=True)
        .open()
        .select_related("intensity", "team")
    )


def current_allocations() -> Prefetch:
    """The workers allocated now, primary first, as `young_person.current_allocations`."""
    return Prefetch(
        "allocations",
        queryset=Allocation.objects.filter(ended_on__isnull=True)
        .select_related("worker")
        .order_by("role", "started_on"),
        to_attr="current_allocations",
    )


def changed_since(moment: datetime) -> Q:
    """Young people whose record, or whose allocation of workers, was saved at or after
    `moment`, by the history PostgreSQL's triggers keep (pghistory): every change, made by any
    page, service or task."""
    record = YoungPerson.pgh_event_model.objects.filter(pgh_created_at__gte=moment)
    allocations = Allocation.pgh_event_model.objects.filter(pgh_created_at__gte=moment)
    return Q(pk__in=record.values("pgh_obj_id")) | Q(pk__in=allocations.values("young_person_id"))


def active_alerts() -> Prefetch:
    """Worker-safety alerts in force, as `young_person.active_alerts`."""
    return Prefetch(
        "alerts",
        queryset=WorkerSafetyAlert.objects.filter(active=True),
        to_attr="active_alerts",
    )


def with_page_header(young_people: QuerySet[YoungPerson]) -> QuerySet[YoungPerson]:
    """With what every page about a young person shows at its head: their team and the
    worker-safety alerts in force."""
    return young_people.select_related("team").prefetch_related(active_alerts())


def young_person_record(queryset: QuerySet[YoungPerson]) -> QuerySet[YoungPerson]:
    """What the young person's page shows, fetched in a fixed number of queries."""
    return with_contact_figures(
        queryset.select_related(
            "intensity", "team__supervisor", "division", "primary_case_manager", "crisis_plan"
        ).prefetch_related(
            current_allocations(),
            active_alerts(),
            "key_people",
            "professionals",
            "disclosures__disclosed_by",
            "agreements",  # referrals.CaseManagementAgreement
            Prefetch("merges", queryset=Merge.objects.select_related("merged_by")),
            child_protection_decisions(),
        )
    )


def child_protection_decisions() -> Prefetch:
    """The history of child protection's decisions, newest first, with who recorded each."""
    return Prefetch(
        "child_protection_decisions",
        queryset=ChildProtectionDecision.objects.select_related("recorded_by"),
    )


def team_members(team: Team | None) -> QuerySet[User]:
    """The case managers of a team, for choosing co-workers and allocations."""
    return case_managers().filter(team=team).order_by("first_name", "last_name")


def primary_case_managers_of(young_people: QuerySet[YoungPerson]) -> QuerySet[User]:
    """The workers holding these young people's cases, to filter a caseload by."""
    return User.objects.filter(pk__in=young_people.open().values("primary_case_manager")).order_by(
        "first_name", "last_name"
    )


# pg_trgm's default threshold for `%`: "Jaden" and "Jayden" are 0.44 alike, "Smith" and
# "Smyth" 0.33, "Maria" and "Jayden" 0.
NAMES_ALIKE = 0.3


class NameSimilarity(Func):
    """How alike two names are, from 0 to 1: pg_trgm's similarity(), as the database function
    of clients/migrations/0004_merge_duplicates.py."""

    function = "name_similarity"
    output_field = FloatField()


def _alike(field: str, name: str) -> GreaterThanOrEqual:
    return GreaterThanOrEqual(NameSimilarity(field, Value(name)), NAMES_ALIKE)


def likely_duplicates(
    *,
    given_name: str,
    family_name: str,
    date_of_birth: date | None,
    child_protection_number: str,
    preferred_name: str = "",
) -> Q:
    """Records that may be this young person, as people misspell them: the same date of birth
    (an index finds the few) and names alike by trigram similarity ("Jaden" finds "Jayden"),
    the given or preferred name against either of the record's; or the same child protection
    number. A record merged into another is not one: the one kept is."""
    same_person = Q(pk__in=[])
    first_names = [name.strip() for name in (given_name, preferred_name) if name.strip()]
    if date_of_birth is not None and family_name.strip() and first_names:
        alike = Q()
        for name in first_names:
            alike |= Q(_alike("given_name", name)) | Q(_alike("preferred_name", name))
        family = Q(_alike("family_name", family_name.strip()))
        same_person |= Q(date_of_birth=date_of_birth) & family & alike
    if child_protection_number.strip():
        same_person |= Q(child_protection_number=child_protection_number.strip())
    return same_person & ~Q(status=YoungPerson.Status.MERGED)


def possible_duplicates(
    user: User,
    *,
    given_name: str,
    family_name: str,
    date_of_birth: date | None,
    child_protection_number: str,
    preferred_name: str = "",
    exclude: int | None = None,
) -> tuple[list[YoungPerson], int]:
    """Existing records that may be the same young person (likely_duplicates), but for the
    record `exclude`. The ones the user may see are returned; of the others only how many there
    are, so that a duplicate held by another team is caught without showing whose it is."""
    similar = YoungPerson.objects.filter(
        likely_duplicates(
            given_name=given_name,
            family_name=family_name,
            date_of_birth=date_of_birth,
            child_protection_number=child_protection_number,
            preferred_name=preferred_name,
        )
    ).exclude(pk=exclude)
    visible = list(
        young_people_visible_to(user)
        .filter(pk__in=similar.values("pk"))
        .select_related("team")
        .order_by("family_name", "given_name", "pk")
    )
    return visible, similar.count() - len(visible)


# What identifies a young person, on their record and on a referral alike.
IDENTITY = ["given_name", "family_name", "preferred_name", "date_of_birth"]
IDENTITY += ["child_protection_number"]


def duplicates_of(
    user: User, person: object, *, exclude: int | None
) -> tuple[list[YoungPerson], int]:
    """possible_duplicates of a young person as a record or a referral names them, but for the
    record `exclude` (the record itself)."""
    identity = {name: getattr(person, name) for name in IDENTITY}
    return possible_duplicates(user, **identity, exclude=exclude)


def record_of_child_protection_number(number: str) -> QuerySet[YoungPerson]:
    """The record ICMS holds for a child protection number: for a record merged into another,
    the one it was merged into."""
    holders = YoungPerson.objects.filter(child_protection_number=number.strip())
    return YoungPerson.objects.filter(
        Q(pk__in=holders.filter(merged_into__isnull=True).values("pk"))
        | Q(pk__in=holders.values("merged_into"))
    )


def draft_for(author: User, young_person: YoungPerson) -> ContactDraft | None:
    """The contact this worker began writing for this young person, if any."""
    return ContactDraft.objects.filter(author=author, young_person=young_person).first()


def find_for_break_glass(
    *, child_protection_number: str, family_name: str, date_of_birth: object
) -> YoungPerson | None:
    """Exact matches only: break-glass is for a known young person, not for browsing."""
    candidates = young_people_findable_after_hours()
    if child_protection_number.strip():
        matches = candidates.filter(child_protection_number=child_protection_number.strip())
    else:
        matches = candidates.filter(
            family_name__iexact=family_name.strip(), date_of_birth=date_of_birth
        )
    found = list(matches[:2])
    return found[0] if len(found) == 1 else None


def break_glass_to_review(supervisor: User) -> QuerySet[BreakGlassAccess]:
    """After-hours accesses to the supervisor's team's young people not yet reviewed."""
    return (
        break_glass_accesses_visible_to(supervisor)
        .filter(young_person__team__in=teams_supervised_by(supervisor), reviewed_at__isnull=True)
        .select_related("worker", "young_person")
    )


# How many of the latest views of a record its page lists.
RECENT_VIEWS = 10


READS_SHOWN = 200


def reads_of(entry: RestrictableEntry) -> list[AuditEvent]:
    """Who has read a restricted entry's content, and who opened its page, newest first (the
    latest READS_SHOWN): its rows of the audit trail, read by the young person's index."""
    return list(
        AuditEvent.objects.filter(
            young_person_id=entry.young_person_id,
            object_type=entry._meta.label_lower,
            object_id=str(entry.pk),
            action__in=[AuditAction.READ_RESTRICTED, AuditAction.VIEW],
        )
        .select_related("actor")
        .order_by("-occurred_at", "-id")[:READS_SHOWN]
    )


def recent_views_of(young_person: YoungPerson) -> list[AuditEvent]:
    """Who has looked at this young person's record lately (or at a record merged into it),
    newest first."""
    records = [young_person.pk, *(merge.merged_id for merge in young_person.merges.all())]
    return list(
        AuditEvent.objects.filter(young_person_id__in=records, action=AuditAction.VIEW)
        .select_related("actor")
        .order_by("-occurred_at", "-id")[:RECENT_VIEWS]
    )


def file_summary(young_people: QuerySet[YoungPerson]) -> QuerySet[YoungPerson]:
    """What the file's PDF says of the young person besides the entries: identity, status,
    intensity, team (and its supervisor), primary case manager and care team."""
    return young_people.select_related(
        "team__supervisor", "division", "primary_case_manager", "intensity"
    ).prefetch_related(current_allocations())


def contacts_on_file(young_person: YoungPerson, user: User) -> QuerySet[Contact]:
    """The young person's contacts, oldest first, as the file's outputs (CSV, PDF, API) show
    them to `user`: each with its workers and `content_readable` (with_readable_content)."""
    return (
        with_readable_content(contacts_visible_to(user).filter(young_person=young_person), user)
        .select_related("young_person")  # what the audit trail names a restricted read by
        .prefetch_related("workers")
        .order_by("started_at", "pk")
    )


def restricted_readable(entries: QuerySet) -> list:
    """Of `entries` (of a RestrictableEntry model, with_readable_content), the restricted ones
    whose content the user reads."""
    readable = entries.filter(content_readable=True).exclude(restricted_because="")
    return list(readable.prefetch_related(None))
