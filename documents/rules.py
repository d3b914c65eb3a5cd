"""Who may see and do what with the documents on a young person's file: the policy for this app.

A document belongs to the young person's file: whoever sees the young person sees that it
exists, nobody else. A child protection practitioner sees the action table and the register
status of the young people their referrals became, not the file (DOMAIN.md): no document. The
ICMS workers who work with the young person add documents; a new version, or marking one added
in error, is for the worker who added it, the primary case manager or the team's supervisor.
Reading a document's content (its details, its files) follows the restricted-entry rule of
clients.rules.can_read_content.
"""

import rules
from django.db.models import QuerySet

from accounts.models import User
from accounts.rules import seen_in
from clients.rules import (
    can_read_content,
    holds_the_case_of,
    restricted_entries_supervised_by,
    works_with_young_person,
    wrote_the_entry,
    young_people_visible_to,
)
from documents.models import Document


def documents_visible_to(user: User) -> QuerySet[Document]:
    """The documents on the files of the young people the user sees."""
    return Document.objects.filter(young_person__in=young_people_visible_to(user))


def document_read_logs_visible_to(user: User) -> QuerySet[Document]:
    """The restricted documents whose "who has read this" the user may see (clients.rules)."""
    return restricted_entries_supervised_by(documents_visible_to(user), user)


rules.add_perm("documents.view_document", seen_in(documents_visible_to))
rules.add_perm("documents.add_document", works_with_young_person)
# On a document the user sees (the pages find it through documents_visible_to first):
rules.add_perm("documents.read_document", can_read_content)
rules.add_perm("documents.change_document", wrote_the_entry | holds_the_case_of)
# Restricted documents follow clients.rules: the author restricts; the author, the primary case
# manager or the supervisor lifts; the supervisor sees who read it.
rules.add_perm("documents.restrict_document", wrote_the_entry)
rules.add_perm("documents.lift_document_restriction", wrote_the_entry | holds_the_case_of)
rules.add_perm("documents.view_document_read_log", seen_in(document_read_logs_visible_to))
