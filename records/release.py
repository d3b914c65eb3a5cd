"""The young person's own file, released: everything ICMS holds about them, read in a fixed number
of queries (whole_file); the third-party and restricted information in it, listed for redaction
(redaction_list); and the release (release_file): the FileRelease with its PDF and its zip of
documents, kept as released, and the audit trail's entry saying what went to whom and why.

A withheld item keeps its place and date in the copy ("[Withheld: third-party information]"),
so that whoever reads it knows something is there and can ask for it."""

import logging
import shutil
import uuid
import zipfile
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from tempfile import SpooledTemporaryFile

from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.text import get_valid_filename

from accounts.models import User
from audit.models import AuditAction
from audit.services import record
from caseplans.models import CasePlan, CrisisPlan, ExitPlan, Goal, Task
from clients.models import (
    Contact,
    Disclosure,
    KeyPerson,
    ProfessionalContact,
    YoungPerson,
)
from clients.queries import contacts_on_file, with_page_header
from clients.rules import with_readable_content
from crises.models import CrisisEvent
from crises.queries import crises_on_file
from documents.models import Document
from documents.queries import newest_versions_first
from exits.models import Closure
from outcomes.models import Review
from outcomes.queries import reviews_with_ratings
from records.models import FileRelease
from referrals.models import CaseManagementAgreement, Referral
from register.models import RegisterEntry, RegisterReview
from toolkit.formats import show_date, show_datetime
from toolkit.pdf import PdfUnavailable, pdf_of

logger = logging.getLogger(__name__)

PDF_TEMPLATE = "records/release_file_pdf.html"
# Documents from outside ICMS: what another service wrote is theirs to release.
FROM_ANOTHER_SERVICE = (Document.Kind.REPORT, Document.Kind.CORRESPONDENCE)
THIRD_PARTY = "[Withheld: third-party information]"


def file_to_release(young_people: QuerySet[YoungPerson]) -> QuerySet[YoungPerson]:
    """The young person as the release's pages and its copy show them: identity, team and case
    manager, the alerts of every page's header, the crisis and exit plans."""
    return with_page_header(young_people).select_related(
        "team__supervisor", "division", "primary_case_manager", "intensity", "crisis_plan",
        "exit_plan",
    )  # fmt: skip


@dataclass
class WholeFile:
    """Everything on a young person's file, each part oldest first."""

    young_person: YoungPerson
    referrals: list[Referral]
    agreements: list[CaseManagementAgreement]
    closures: list[Closure]
    plans: list[CasePlan]
    outcome_reviews: list[Review]
    contacts: list[Contact]
    crises: list[CrisisEvent]
    register_entries: list[RegisterEntry]
    documents: list[Document]
    key_people: list[KeyPerson]
    professionals: list[ProfessionalContact]
    disclosures: list[Disclosure]

    @property
    def crisis_plan(self) -> CrisisPlan | None:
        return getattr(self.young_person, "crisis_plan", None)

    @property
    def exit_plan(self) -> ExitPlan | None:
        return getattr(self.young_person, "exit_plan", None)

    @property
    def closings(self) -> list[tuple[Closure, bool]]:
        """Each episode's closing, oldest first, and whether the file was reopened after it."""
        open_now = self.young_person.status != YoungPerson.Status.CLOSED
        last = len(self.closures) - 1
        return [(closure, n < last or open_now) for n, closure in enumerate(self.closures)]

    @property
    def contents(self) -> dict[str, int]:
        """How many of each part the file holds (FileRelease.contents)."""
        return {
            "referrals accepted": len(self.referrals),
            "closings": len(self.closures),
            "case plans": len(self.plans),
            "plan reviews": sum(1 for plan in self.plans if plan.plan_review),
            "crisis plan": int(self.crisis_plan is not None),
            "exit plan": int(self.exit_plan is not None),
            "outcome reviews": len(self.outcome_reviews),
            "contacts": len(self.contacts),
            "crises": len(self.crises),
            "register entries": len(self.register_entries),
            "register reviews": sum(len(entry.reviews.all()) for entry in self.register_entries),
            "documents": len(self.documents),
            "key people": len(self.key_people),
            "professionals": len(self.professionals),
            "disclosures": len(self.disclosures),
        }


def whole_file(young_person: YoungPerson, user: User) -> WholeFile:
    """The file of `young_person` (found through file_to_release), in a fixed number of queries
    whatever its size. Restricted entries carry `content_readable` for `user`."""
    tasks = Task.objects.select_related("key_person").order_by("position", "pk")
    goals = Goal.objects.order_by("position", "pk").prefetch_related(Prefetch("tasks", tasks))
    plans = (
        young_person.case_plans.select_related("approved_by", "review__reviewed_by")
        .prefetch_related(Prefetch("goals", goals))
        .order_by("number")
    )
    documents = with_readable_content(
        young_person.documents.select_related("added_by").prefetch_related(newest_versions_first()),
        user,
    ).order_by("dated", "pk")
    reviews = RegisterReview.objects.select_related("reviewed_by").order_by("due_on", "pk")
    entries = young_person.register_entries.select_related("division").prefetch_related(
        Prefetch("reviews", reviews)
    )
    return WholeFile(
        young_person=young_person,
        referrals=list(
            young_person.referrals.filter(status=Referral.Status.ACCEPTED)
            .select_related("referred_by", "team")
            .order_by("submitted_at", "pk")
        ),
        agreements=list(young_person.agreements.order_by("agreed_on", "pk")),
        closures=list(
            young_person.closures.select_related("closed_by")
            .prefetch_related("follow_ups__made_by")
            .order_by("closed_on", "pk")
        ),
        plans=_with_reviews(list(plans)),
        outcome_reviews=list(
            reviews_with_ratings(young_person.outcome_reviews.all()).order_by("reviewed_on", "pk")
        ),
        contacts=list(contacts_on_file(young_person, user)),
        crises=list(crises_on_file(young_person, user)),
        register_entries=list(entries.order_by("listed_on", "pk")),
        documents=list(documents),
        key_people=list(young_person.key_people.order_by("name", "pk")),
        professionals=list(young_person.professionals.order_by("role", "name", "pk")),
        disclosures=list(
            young_person.disclosures.select_related("disclosed_by").order_by("disclosed_on", "pk")
        ),
    )


def _with_reviews(plans: list[CasePlan]) -> list[CasePlan]:
    """Each plan with `plan_review`: the review of it, if it was reviewed (read with the plan)."""
    for plan in plans:
        plan.plan_review = getattr(plan, "review", None)
    return plans


# --- The redaction list ------------------------------------------------------------------------


@dataclass(frozen=True)
class RedactionItem:
    """A piece of third-party or restricted information on the file, and why it is listed."""

    kind: str
    obj: models.Model = field(compare=False, repr=False)
    label: str
    why: str
    restricted: bool = False
    # Withheld whatever is chosen: restricted content the releasing person may not read.
    always: bool = False

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.obj.pk}"

    @property
    def marker(self) -> str:
        """What the copy shows in its place."""
        return (
            f"[Withheld: {self.why[0].lower()}{self.why[1:]}]" if self.restricted else THIRD_PARTY
        )

    def as_withheld(self) -> dict:
        return {"kind": self.kind, "id": self.obj.pk, "label": self.label, "why": self.why}


def _restricted(kind: str, entry: models.Model, label: str) -> RedactionItem:
    return RedactionItem(
        kind,
        entry,
        label,
        f"Restricted — {entry.get_restricted_because_display().lower()}",
        restricted=True,
        always=not entry.content_readable,
    )


def redaction_list(file: WholeFile) -> list[RedactionItem]:
    """Every item of third-party or restricted information the file holds, in the order of the
    copy: restricted entries (withheld unless the person releasing chooses otherwise), key people
    and professionals (their names and details: the young person's own information stays),
    contacts with family or professionals present, documents of another service, disclosures to
    other services, and the risks child protection wrote in its referrals."""
    items = []
    for referral in file.referrals:
        if referral.risk_details:
            items.append(
                RedactionItem(
                    "referral",
                    referral,
                    f"Referral by {referral.referred_by}, {show_date(referral.created_at)}: "
                    "the risks in child protection's words",
                    "Third-party information: written by child protection",
                )
            )
    for contact in file.contacts:
        when = f"Contact on {show_datetime(contact.started_at)}"
        if contact.is_restricted:
            items.append(_restricted("contact", contact, when))
        elif contact.participants:
            items.append(
                RedactionItem(
                    "contact",
                    contact,
                    f"{when} ({contact.get_kind_display().lower()})",
                    f"Third-party information: {contact.participants_display} present",
                )
            )
    for crisis in file.crises:
        if crisis.is_restricted:
            items.append(
                _restricted("crisis", crisis, f"Crisis on {show_datetime(crisis.occurred_at)}")
            )
    for document in file.documents:
        dated = f"dated {show_date(document.dated)}"
        if document.is_restricted:
            items.append(_restricted("document", document, f"Document {dated}"))
        elif document.kind in FROM_ANOTHER_SERVICE:
            items.append(
                RedactionItem(
                    "document",
                    document,
                    f"{document.title} ({document.get_kind_display().lower()}, {dated})",
                    f"Third-party information: provided by {document.provided_by}",
                )
            )
    for person in file.key_people:
        items.append(
            RedactionItem(
                "key_person",
                person,
                f"{person.name} ({person.get_relationship_display().lower()})",
                "Third-party information: the name and details of family or a significant other",
            )
        )
    for professional in file.professionals:
        items.append(
            RedactionItem(
                "professional",
                professional,
                str(professional),
                "Third-party information: a professional's name and details",
            )
        )
    for disclosure in file.disclosures:
        items.append(
            RedactionItem(
                "disclosure",
                disclosure,
                str(disclosure),
                f"Third-party information: shared with {disclosure.recipient_organisation}",
            )
        )
    return items


def withhold(file: WholeFile, items: list[RedactionItem], keys: Collection[str]) -> list:
    """Mark the parts of the file withheld from the copy (`withheld_as`: the marker shown in
    their place, or "") and the documents going into the zip (`in_zip`); the items withheld."""
    withheld = [item for item in items if item.always or item.key in keys]
    markers = {item.key: item.marker for item in withheld}
    kinds = {
        "referral": file.referrals,
        "contact": file.contacts,
        "crisis": file.crises,
        "document": file.documents,
        "key_person": file.key_people,
        "professional": file.professionals,
        "disclosure": file.disclosures,
    }
    for kind, parts in kinds.items():
        for part in parts:
            part.withheld_as = markers.get(f"{kind}:{part.pk}", "")
    for document in file.documents:
        document.in_zip = bool(
            not document.withheld_as and document.in_error_at is None and document.latest_version
        )
    for plan in file.plans:
        for goal in plan.goals.all():
            for task in goal.tasks.all():
                withheld_person = task.key_person_id and markers.get(
                    f"key_person:{task.key_person_id}"
                )
                task.who_shown = withheld_person or task.who
    return withheld


# --- The release --------------------------------------------------------------------------------


def release_file(
    file: WholeFile,
    *,
    by: User,
    purpose: str,
    requested_by: str,
    released_to: str,
    reason: str,
    withheld: Collection[str],
    client_reference: uuid.UUID | None = None,
) -> FileRelease:
    """Release `file` (whole_file, read for `by`): its copy as a PDF, and a zip of its documents
    (the latest version of each, not added in error, not withheld, with a list of contents),
    kept on the FileRelease with what it held, what was withheld and why, and an entry in the
    audit trail. `withheld`: the keys of the redaction list's items kept out. Nothing is kept
    if anything fails (ValidationError, with what to do). The same `client_reference` (made
    when the form was shown) releases the file once, however often it is sent."""
    client_reference = client_reference or uuid.uuid4()
    earlier = FileRelease.objects.filter(client_reference=client_reference).first()
    if earlier is not None:
        if earlier.young_person_id != file.young_person.pk or earlier.released_by_id != by.pk:
            raise ValidationError("This form was already used for another release.")
        return earlier
    items = redaction_list(file)
    unknown = set(withheld) - {item.key for item in items}
    if unknown:
        raise ValidationError("The file has changed since the list was made: check it again.")
    kept_out = withhold(file, items, withheld)
    release = FileRelease(
        young_person=file.young_person,
        purpose=purpose,
        requested_by=requested_by,
        released_to=released_to,
        reason=reason,
        withheld=[item.as_withheld() for item in kept_out],
        released_by=by,
        released_at=timezone.now(),
        client_reference=client_reference,
    )
    release.full_clean(exclude=["young_person", "released_by", "contents", "pdf", "documents_zip"])
    name = uuid.uuid4().hex  # on disk, a release says nothing of whose file it is
    try:
        # The zip first: a document whose file cannot be read is left out, and the copy says so.
        with documents_zip(file, release) as archive:
            release.documents_zip.save(f"{name}.zip", File(archive), save=False)
        in_zip = sum(document.in_zip for document in file.documents)
        release.contents = file.contents | {"documents in the zip": in_zip}
        pdf = pdf_of(PDF_TEMPLATE, {"file": file, "release": release, "withheld": kept_out})
        release.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
        with transaction.atomic():
            release.save()
            record(
                AuditAction.EXPORT,
                actor=by,
                obj=release,
                detail={
                    "release": release.get_purpose_display(),
                    "requested_by": requested_by,
                    "released_to": released_to,
                    "reason": reason,
                    "contents": release.contents,
                    "withheld": [item.key for item in kept_out],
                    # Restricted content that went out, by choice: who released it is here.
                    "restricted_released": [
                        item.key for item in items if item.restricted and item not in kept_out
                    ],
                },
            )
    except PdfUnavailable as error:
        release.documents_zip.delete(save=False)
        raise ValidationError(f"{error} Nothing was released.") from error
    except Exception as error:
        for copy in (release.pdf, release.documents_zip):
            if copy:
                copy.delete(save=False)
        if isinstance(error, IntegrityError):
            # The same form sent twice at the same moment: the other request released it.
            earlier = FileRelease.objects.filter(client_reference=client_reference).first()
            if earlier is not None:
                return earlier
        raise
    return release


def documents_zip(file: WholeFile, release: FileRelease) -> SpooledTemporaryFile:
    """The documents going with the copy (`in_zip`, withhold), numbered in the order of the
    copy's list, and `contents.txt` saying what each is and what was left out."""
    archive = SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - handed to the caller
    lines = [
        f"The documents on the file of {file.young_person.given_name} "
        f"{file.young_person.family_name}, released to {release.released_to} on "
        f"{show_datetime(release.released_at)}.",
        "",
    ]
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for number, document in enumerate(file.documents, 1):
            about = f"dated {show_date(document.dated)}"
            if document.withheld_as:
                lines.append(f"{number:02d}. {document.withheld_as}, {about}: not included.")
                continue
            title = f"{number:02d}. {document.title} ({document.get_kind_display()}, {about})"
            if not document.in_zip:
                why = "added in error" if document.in_error_at else "no file was uploaded"
                lines.append(f"{title}: not included, {why}.")
                continue
            version = document.latest_version
            name = f"{number:02d}-{_file_name(version.original_name)}"
            try:
                with version.file.open("rb") as stored, bundle.open(name, "w") as copy:
                    shutil.copyfileobj(stored, copy)
            except OSError:
                logger.exception("Document %s's file is missing from storage", document.pk)
                document.in_zip = False
                lines.append(f"{title}: not included, its file could not be read.")
                continue
            lines.append(f"{title}: {name}")
        bundle.writestr("contents.txt", "\n".join(lines) + "\n")
    archive.seek(0)
    return archive


def _file_name(original: str) -> str:
    """The uploaded file's name, made safe to unpack anywhere (no folders, no odd characters)."""
    try:
        return get_valid_filename(PurePosixPath(original.replace("\\", "/")).name)
    except SuspiciousFileOperation:  # nothing left of it
        return "document"
