"""Role predicates shared by every app's access policy (each app's own rules.py)."""

import rules

from accounts.models import Role

is_case_manager = rules.is_group_member(Role.CASE_MANAGER)
is_supervisor = rules.is_group_member(Role.SUPERVISOR)
is_practitioner = rules.is_group_member(Role.PRACTITIONER)
is_register_coordinator = rules.is_group_member(Role.REGISTER_COORDINATOR)
is_administrator = rules.is_group_member(Role.ADMINISTRATOR)
# ICMS staff: the people who work with young people (as opposed to child protection staff).
is_icms_worker = is_case_manager | is_supervisor
