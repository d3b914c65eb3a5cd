"""Role predicates shared by every app's access policy (each app's own rules.py)."""

import rules

from accounts.models import Role, User


def has_role(role: Role) -> rules.Predicate:
    """Like rules.is_group_member, but reading the user's roles cached once per request."""

    @rules.predicate(name=f"has_role:{role.value}")
    def predicate(user: User) -> bool:
        return user.is_authenticated and user.has_role(role)

    return predicate


is_case_manager = has_role(Role.CASE_MANAGER)
is_supervisor = has_role(Role.SUPERVISOR)
is_practitioner = has_role(Role.PRACTITIONER)
is_register_coordinator = has_role(Role.REGISTER_COORDINATOR)
is_administrator = has_role(Role.ADMINISTRATOR)
# ICMS staff: the people who work with young people (as opposed to child protection staff).
is_icms_worker = is_case_manager | is_supervisor
