"""Who may see and do what with young people: the one statement of the policy for this app.

The visibility querysets are the rule; the permission predicates are defined from them, so a
list and a detail page cannot disagree about who sees a record. A record outside a user's
visibility answers 404; an action their role may not take on a record they see answers 403.
"""

import rules
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.cover import workers_covered_by
from accounts.models import Role, User
from accounts.rules import (
    ids_compiled_once_a_day,
    is_icms_worker,
    is_supervisor,
    seen_in,
    supervises_team,
    teams_read_by_system,
    teams_supervised_by,
)
from clients.models import (
    BreakGlassAccess,
    Contact,
    KeyPerson,
    RestrictableEntry,
    YoungPerson,
    allocated_ids,
)


def young_people_visible_to(user: User) -> QuerySet[YoungPerson]:
    """DOMAIN.md: a case manager sees the young people they are allocated to (primary or care
    team); a supervisor sees their team's. A colleague covering a worker or a team (accounts.cover)
    sees what the worker or the team's supervisor sees, while the cover lasts. Child protection
    practitioners see the young people their referrals became (with referrals). Administrators
    see no client record; they have the audit trail. A record merged into another is a pointer,
    not a record: nobody sees it here (merged_records_visible_to)."""
    if not user.is_authenticated or not user.is_active:
        return YoungPerson.objects.none()
    return YoungPerson.objects.filter(
        pk__in=ids_compiled_once_a_day(user, _ids_of_young_people_visible_to)
    ).exclude(status=YoungPerson.Status.MERGED)


def _ids_of_young_people_visible_to(user: User) -> QuerySet:
    # One UNION of ids: each part reads its own index (an OR of them would read every row).
    parts = []
    if user.has_role(Role.CASE_MANAGER):
        parts.append(allocated_ids([user]))
    if user.has_role(Role.SUPERVISOR):
        of_teams = YoungPerson.objects.filter(team__in=teams_supervised_by(user))
        parts.append(of_teams.values("pk").order_by())
    if user.has_role(Role.CASE_MANAGER) or user.has_role(Role.SUPERVISOR):
        parts.append(allocated_ids(workers_covered_by(user)))
    if user.has_role(Role.SUPERVISOR):
        # An external system's scope. Read only: a system supervises nothing (restricted
        # content, approvals and a team's other decisions follow teams_supervised_by).
        of_scope = YoungPerson.objects.filter(team__in=teams_read_by_system(user))
        parts.append(of_scope.values("pk").order_by())
    if not parts:
        return YoungPerson.objects.none()
    return parts[0].union(*parts[1:])


def merged_records_visible_to(user: User) -> QuerySet[YoungPerson]:
    """Records merged into one the user sees: visiting one says where the young person is now."""
    return YoungPerson.objects.filter(
        status=YoungPerson.Status.MERGED, merged_into__in=young_people_visible_to(user)
    )


def young_people_covered_by(user: User) -> QuerySet[YoungPerson]:
    """The young people allocated to the workers whose caseloads the user covers today."""
    return YoungPerson.objects.filter(
        pk__in=ids_compiled_once_a_day(user, _ids_of_young_people_covered_by)
    )


def _ids_of_young_people_covered_by(user: User) -> QuerySet:
    return allocated_ids(workers_covered_by(user))


def contacts_visible_to(user: User) -> QuerySet[Contact]:
    """The contacts of the young people the user sees."""
    return Contact.objects.filter(young_person__in=young_people_visible_to(user))


def key_people_visible_to(user: User) -> QuerySet[KeyPerson]:
    """The family and significant others of the young people the user sees."""
    return KeyPerson.objects.filter(young_person__in=young_people_visible_to(user))


def young_people_findable_after_hours() -> QuerySet[YoungPerson]:
    """The one deliberate exception to visibility: an on-call worker may look up any open case
    to open its safety information through break-glass (clients.services.grant_break_glass). A
    young person only referred, or only on the register, is no case of ICMS yet."""
    return YoungPerson.objects.filter(
        status__in=[YoungPerson.Status.ACTIVE, YoungPerson.Status.EXITING]
    )


def break_glass_accesses_visible_to(user: User) -> QuerySet[BreakGlassAccess]:
    """A worker sees their own after-hours accesses; a supervisor those to their team's cases."""
    if not user.is_authenticated:
        return BreakGlassAccess.objects.none()
    return BreakGlassAccess.objects.filter(
        Q(worker=user) | Q(young_person__team__in=teams_supervised_by(user))
    )


def active_break_glass_for(user: User) -> QuerySet[BreakGlassAccess]:
    now = timezone.now()
    return BreakGlassAccess.objects.filter(worker=user, granted_at__lte=now, expires_at__gt=now)


def with_readable_content(entries: QuerySet, user: User) -> QuerySet:
    """`entries` (of a RestrictableEntry model, all of young people the user sees), each
    annotated `content_readable`: whether the user may read what it says. An entry that is not
    restricted is read by all who see it; a restricted one by its authors, the young person's
    primary case manager, the supervisor of their team (or a colleague covering the team) and
    the readers its author named."""
    model = entries.model
    if not user.is_authenticated:
        return entries.annotate(content_readable=Value(False))
    same_entry = model._base_manager.filter(pk=OuterRef("pk"))
    readable = (
        Q(restricted_because="")
        | Q(young_person__primary_case_manager=user)
        | Q(young_person__team__in=teams_supervised_by(user))
        | Exists(same_entry.filter(restricted_readers=user))
    )
    for field in model.author_fields:
        readable |= Exists(same_entry.filter(**{field: user}))
    return entries.annotate(
        content_readable=Case(When(readable, then=True), default=False, output_field=BooleanField())
    )


@rules.predicate
def can_read_content(user: User, entry: RestrictableEntry) -> bool:
    """Whether the user may read what `entry` says (with_readable_content)."""
    if not entry.is_restricted:
        return True
    records = type(entry)._base_manager.filter(pk=entry.pk)
    return bool(
        with_readable_content(records, user).values_list("content_readable", flat=True).first()
    )


def restricted_entries_supervised_by(entries: QuerySet, user: User) -> QuerySet:
    """Those of `entries` (of a RestrictableEntry model, of young people the user sees) whose
    readers the user may list: the restricted ones of the teams they supervise."""
    return entries.exclude(restricted_because="").filter(
        young_person__team__in=teams_supervised_by(user)
    )


def contact_read_logs_visible_to(user: User) -> QuerySet[Contact]:
    """The restricted contacts whose "who has read this" the user may see."""
    return restricted_entries_supervised_by(contacts_visible_to(user), user)


@rules.predicate
def wrote_the_entry(user: User, entry: RestrictableEntry) -> bool:
    """One of the entry's authors: they restrict it, and name who else reads it. Read from the
    entry itself (its prefetched authors, if any)."""
    if not user.is_authenticated:
        return False
    for name in entry.author_fields:
        field = entry._meta.get_field(name)
        if field.many_to_many:
            if user.pk in {author.pk for author in getattr(entry, name).all()}:
                return True
        elif getattr(entry, field.attname) == user.pk:
            return True
    return False


@rules.predicate
def holds_the_case_of(user: User, entry: RestrictableEntry) -> bool:
    """The primary case manager of the entry's young person, or their team's supervisor."""
    young_person = entry.young_person
    return young_person.primary_case_manager_id == user.pk or supervises_young_person(
        user, young_person
    )


@rules.predicate
def can_see_young_person(user: User, young_person: YoungPerson) -> bool:
    return young_people_visible_to(user).filter(pk=young_person.pk).exists()


@rules.predicate
def supervises_young_person(user: User, young_person: YoungPerson) -> bool:
    return young_person.team_id is not None and supervises_team(user, young_person.team)


@rules.predicate
def supervises_break_glass_young_person(user: User, access: BreakGlassAccess) -> bool:
    return supervises_young_person(user, access.young_person)


@rules.predicate
def made_the_contact(user: User, contact: Contact) -> bool:
    return contact.workers.filter(pk=user.pk).exists()


@rules.predicate
def supervises_contact_young_person(user: User, contact: Contact) -> bool:
    return supervises_young_person(user, contact.young_person)


# The ICMS workers who see the young person: those who work with them (a practitioner who sees
# a young person their referral became does not).
works_with_young_person = can_see_young_person & is_icms_worker

rules.add_perm("clients.view_youngperson", can_see_young_person)
rules.add_perm("clients.view_merged_record", seen_in(merged_records_visible_to))
rules.add_perm("clients.view_contact", seen_in(contacts_visible_to))
rules.add_perm("clients.view_keyperson", seen_in(key_people_visible_to))
rules.add_perm("clients.view_breakglassaccess", seen_in(break_glass_accesses_visible_to))
rules.add_perm("clients.add_youngperson", is_supervisor)
rules.add_perm("clients.change_youngperson", works_with_young_person)
rules.add_perm("clients.add_disclosure", works_with_young_person)
rules.add_perm("clients.add_keyperson", works_with_young_person)
rules.add_perm("clients.add_professionalcontact", works_with_young_person)
rules.add_perm("clients.add_workersafetyalert", works_with_young_person)
rules.add_perm("clients.add_contact", works_with_young_person)
# Only the workers who made a contact correct it; they or the supervisor may mark it in error.
rules.add_perm("clients.change_contact", made_the_contact)
rules.add_perm("clients.mark_contact_in_error", made_the_contact | supervises_contact_young_person)
# A restricted entry: its authors restrict it and name its readers; they, the primary case
# manager or the supervisor lift the restriction; the supervisor sees who read it.
rules.add_perm("clients.restrict_contact", wrote_the_entry)
rules.add_perm("clients.lift_contact_restriction", wrote_the_entry | holds_the_case_of)
rules.add_perm("clients.view_contact_read_log", seen_in(contact_read_logs_visible_to))
# Allocation and transfer are the supervisor's, for their own team.
rules.add_perm("clients.add_allocation", supervises_young_person)
rules.add_perm("clients.transfer_caseload", is_supervisor)
rules.add_perm("clients.view_caseload", is_icms_worker)
rules.add_perm("clients.export_caseload", is_icms_worker)
# "Who has looked at this record": the team's supervisor.
rules.add_perm("clients.view_access_log", supervises_young_person)
# Merging two records of one young person: the supervisor of both (the service checks the other).
rules.add_perm("clients.merge_youngperson", supervises_young_person)
rules.add_perm("clients.add_breakglassaccess", is_icms_worker)
rules.add_perm("clients.review_breakglassaccess", supervises_break_glass_young_person)
