"""The demo's release of a file: the Children's Court subpoenaed Jay's file; Sam Taylor
(sup.demo), his team's supervisor, released it, withholding the restricted CAMHS assessment and
his family's details. His record's page links to it."""

import logging

from django.core.exceptions import ValidationError

from accounts.models import User
from clients.models import YoungPerson
from records.models import FileRelease
from records.release import file_to_release, redaction_list, release_file, whole_file

logger = logging.getLogger(__name__)


def seed_demo_releases() -> int:
    """Release the demo file; return how many releases were made."""
    supervisor = User.objects.get(username="sup.demo")
    jay = file_to_release(YoungPerson.objects.all()).get(given_name="Jayden", family_name="Smith")
    file = whole_file(jay, supervisor)
    withheld = [
        item.key for item in redaction_list(file) if item.restricted or item.kind == "key_person"
    ]
    try:
        release_file(
            file,
            by=supervisor,
            purpose=FileRelease.Purpose.SUBPOENA,
            requested_by="Children's Court (matter C-2026-0412), for Jay's legal representative",
            released_to="Registry, Children's Court, by secure e-mail",
            reason="Subpoena to produce ICMS's records of Jay, served on the agency. Produced "
            "under the subpoena; his family's details and the restricted health assessment "
            "withheld, as the court was told.",
            withheld=withheld,
        )
    except ValidationError as error:  # where the server cannot make PDFs
        logger.warning("The demo release was not made: %s", " ".join(error.messages))
        return 0
    return 1
