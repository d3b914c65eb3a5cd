"""The records app's pages. Retention: the archive search, the files due for review, legal
holds, disposal and the register of disposed files."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from clients.models import YoungPerson
from clients.queries import with_page_header
from clients.rules import young_people_visible_to
from records.forms import ArchiveSearchForm, DisposalForm, LegalHoldForm
from records.queries import (
    archived_files_matching,
    disposal_refusals,
    files_due_for_review,
    holdings_of,
    retention_of,
    retention_rule,
)
from records.rules import (
    archived_files_visible_to,
    closed_files_supervised_by,
    disposals_visible_to,
)
from records.services import dispose_of_file, lift_legal_hold, place_legal_hold
from toolkit.access import (
    audit_detail,
    changes_closed_files,
    find_or_404,
    lists_client_records,
    require_permission,
    shows_list,
)
from toolkit.forms import add_service_error, submitted

# --- Retention: the archive, the review, legal holds and disposal ----------------------------

# A search names the young person it is for: more than a page of them is a search to narrow.
ARCHIVE_RESULTS = 50
LIST_PAGE = 50


@require_GET
def archive_search(request: HttpRequest) -> HttpResponse:
    """The team's archived files, found by name, child protection number or date of birth, for
    a purpose the supervisor gives: the search, its purpose and the files found are audited."""
    require_permission(request, "records.search_archive")
    form = ArchiveSearchForm(request.GET or None)
    found = None
    if form.is_valid():
        data = form.cleaned_data
        found = list(
            archived_files_matching(
                archived_files_visible_to(request.user), text=data["q"], born=data["born"]
            )[: ARCHIVE_RESULTS + 1]
        )
        shows_list(request, "archive_search")
        audit_detail(request, purpose=data["purpose"], found=[each.pk for each in found])
    return render(
        request,
        "records/archive.html",
        {
            "form": form,
            "found": None if found is None else found[:ARCHIVE_RESULTS],
            "more": found is not None and len(found) > ARCHIVE_RESULTS,
            "limit": ARCHIVE_RESULTS,
        },
    )


@require_GET
@lists_client_records
def retention_review(request: HttpRequest) -> HttpResponse:
    """The team's closed files past their retention date and under no legal hold, soonest due
    first: each is reviewed, and disposed of only on the supervisor's approval."""
    require_permission(request, "records.review_retention")
    rule = retention_rule()
    files = files_due_for_review(
        closed_files_supervised_by(request.user), rule=rule, on=timezone.localdate()
    )
    page = Paginator(files, LIST_PAGE).get_page(request.GET.get("page"))
    return render(request, "records/retention.html", {"page": page, "rule": rule})


def _file_or_404(request: HttpRequest, pk: int, permission: str) -> YoungPerson:
    young_person = find_or_404(
        request, with_page_header(young_people_visible_to(request.user)), pk=pk
    )
    require_permission(request, permission, young_person)
    return young_person


@require_http_methods(["GET", "POST"])
@changes_closed_files
def legal_hold(request: HttpRequest, pk: int) -> HttpResponse:
    """Place a legal hold on the file, or lift the one standing, with a reason; the holds it
    has had."""
    young_person = _file_or_404(request, pk, "records.hold_file")
    holds = list(young_person.legal_holds.select_related("placed_by", "lifted_by"))
    standing = next((hold for hold in holds if hold.lifted_at is None), None)
    form = LegalHoldForm(submitted(request), initial={"hold": standing.pk if standing else None})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["hold"] is None:
                place_legal_hold(young_person, by=request.user, reason=data["reason"])
                said = "The file is under legal hold: it is kept until the hold is lifted."
            else:
                hold = find_or_404(request, young_person.legal_holds.all(), pk=data["hold"])
                lift_legal_hold(hold, by=request.user, reason=data["reason"])
                said = "The legal hold is lifted."
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, said)
            return redirect(young_person)
    return render(
        request,
        "records/legal_hold.html",
        {"young_person": young_person, "holds": holds, "standing": standing, "form": form},
    )


@require_http_methods(["GET", "POST"])
@changes_closed_files
def dispose(request: HttpRequest, pk: int) -> HttpResponse:
    """What disposing of the file would remove, its retention date and the rule; the
    supervisor's approval, after checking, disposes of it."""
    young_person = _file_or_404(request, pk, "records.dispose_file")
    form = DisposalForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        try:
            stub = dispose_of_file(young_person, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, f"The file of {stub.name} is disposed of. Its stub is on the register."
            )
            return redirect("records:disposals")
    retention = retention_of(young_person)
    return render(
        request,
        "records/dispose.html",
        {
            "young_person": young_person,
            "retention": retention,
            "refusals": disposal_refusals(young_person, retention, on=timezone.localdate()),
            "rule": retention_rule(),
            "contents": holdings_of(young_person).contents,
            "form": form,
        },
    )


@require_GET
@lists_client_records
def disposal_register(request: HttpRequest) -> HttpResponse:
    """The stubs of the files disposed of: whose, what they held, when, on whose approval."""
    require_permission(request, "records.view_disposals")
    disposals = disposals_visible_to(request.user).select_related("approved_by")
    page = Paginator(disposals, LIST_PAGE).get_page(request.GET.get("page"))
    return render(request, "records/disposals.html", {"page": page})
