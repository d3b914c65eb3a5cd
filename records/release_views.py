"""The young person's own file, released: the team's supervisor produces the whole file, with a
recorded reason, withholding what is not the young person's to have (records.release); the
release's page, its copy (a PDF and a zip of the documents) and the file's releases."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from clients.queries import with_page_header
from clients.rules import young_people_visible_to
from records import release as service
from records.models import FileRelease
from records.release_forms import ReleaseForm
from records.rules import releases_visible_to
from toolkit.access import (
    audit_detail,
    changes_closed_files,
    find_or_404,
    require_permission,
)
from toolkit.forms import add_service_error, submitted
from toolkit.uploads import as_download


@require_http_methods(["GET", "POST"])
@changes_closed_files
def release_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The request (why, at whose request, to whom), the redaction list, and the release. The
    file may be open or closed: a care leaver asks for theirs years after."""
    young_person = find_or_404(
        request, service.file_to_release(young_people_visible_to(request.user)), pk=pk
    )
    require_permission(request, "records.release_file", young_person)
    file = service.whole_file(young_person, request.user)
    form = ReleaseForm(submitted(request), items=service.redaction_list(file))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            release = service.release_file(
                file,
                by=request.user,
                purpose=data["purpose"],
                requested_by=data["requested_by"],
                released_to=data["released_to"],
                reason=data["reason"],
                withheld=data["withheld"],
                client_reference=data["client_reference"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, f"The file is released to {release.released_to}: download the copy."
            )
            return redirect("records:release-detail", pk=release.pk)
    return render(
        request,
        "records/release_form.html",
        {"young_person": young_person, "form": form, "contents": file.contents},
    )


def _releases(request: HttpRequest) -> QuerySet[FileRelease]:
    """The user's releases, each with its young person as every page's header shows them."""
    young_people = with_page_header(young_people_visible_to(request.user))
    return releases_visible_to(request.user).prefetch_related(
        Prefetch("young_person", queryset=young_people), "released_by"
    )


@require_GET
def release_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """What was released, to whom, why, by whom and when, and what was withheld."""
    release = find_or_404(request, _releases(request), pk=pk)
    return render(request, "records/release_detail.html", {"release": release})


@require_GET
def young_person_releases(request: HttpRequest, pk: int) -> HttpResponse:
    """The releases of a young person's file, newest first."""
    young_person = find_or_404(
        request, with_page_header(young_people_visible_to(request.user)), pk=pk
    )
    require_permission(request, "records.list_releases", young_person)
    releases = releases_visible_to(request.user).filter(young_person=young_person)
    return render(
        request,
        "records/release_list.html",
        {
            "young_person": young_person,
            "releases": releases.select_related("released_by"),
            "can_release": request.user.has_perm("records.release_file", young_person),
        },
    )


def _copy(request: HttpRequest, copy: FieldFile, *, filename: str, kind: str) -> FileResponse:
    """The copy as released, always as a download."""
    if not copy:
        raise Http404
    audit_detail(request, **{kind: True})
    content_type = "application/pdf" if kind == "release_pdf" else "application/zip"
    return as_download(copy, filename=filename, content_type=content_type)


def _copies(request: HttpRequest) -> QuerySet[FileRelease]:
    """The user's releases, named in the audit trail by whose file they are."""
    return releases_visible_to(request.user).select_related("young_person")


@require_GET
def release_pdf(request: HttpRequest, pk: int) -> FileResponse:
    release = find_or_404(request, _copies(request), pk=pk)
    return _copy(request, release.pdf, filename=f"{release.download_name}.pdf", kind="release_pdf")


@require_GET
def release_documents(request: HttpRequest, pk: int) -> FileResponse:
    release = find_or_404(request, _copies(request), pk=pk)
    return _copy(
        request,
        release.documents_zip,
        filename=f"{release.download_name}-documents.zip",
        kind="release_zip",
    )
