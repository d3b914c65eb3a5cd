"""The documents on a young person's file: the list, adding one (from a phone's camera too), a
document's page with its versions, a new version, marking one added in error, and downloading
a version (always as a file)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clients.queries import with_page_header
from clients.rules import young_people_visible_to
from clients.views import read_log, restriction_actions, save_restriction
from documents import services
from documents.forms import DocumentForm, InErrorForm, VersionForm
from documents.models import Document
from documents.queries import care_team_of, document_page, documents_listed
from documents.rules import documents_visible_to
from toolkit.access import find_or_404, require_permission, shows_restricted_content
from toolkit.forms import add_service_error, submitted
from toolkit.uploads import as_download

LIST_PAGE = 25


def _document_or_404(request: HttpRequest, pk: int) -> Document:
    return find_or_404(request, document_page(documents_visible_to(request.user)), pk=pk)


@require_GET
def document_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The young person's documents, newest first, by kind; those added in error stay, struck.
    A restricted one that the user may not read shows only that it exists: when, by whom."""
    young_person = find_or_404(
        request, with_page_header(young_people_visible_to(request.user)), pk=pk
    )
    documents = documents_listed(
        documents_visible_to(request.user).filter(young_person=young_person), request.user
    )
    kind = request.GET.get("kind", "")
    if kind in Document.Kind.values:
        documents = documents.filter(kind=kind)
    else:
        kind = ""
    page = Paginator(documents, LIST_PAGE).get_page(request.GET.get("page"))
    shows_restricted_content(request, [document for document in page if document.content_readable])
    return render(
        request,
        "documents/document_list.html",
        {
            "young_person": young_person,
            "page": page,
            "kinds": Document.Kind.choices,
            "kind": kind,
            "query": f"kind={kind}" if kind else "",
            "can_add": request.user.has_perm("documents.add_document", young_person),
        },
    )


@require_http_methods(["GET", "POST"])
def document_create(request: HttpRequest, pk: int) -> HttpResponse:
    young_person = find_or_404(
        request, with_page_header(young_people_visible_to(request.user)), pk=pk
    )
    require_permission(request, "documents.add_document", young_person)
    form = DocumentForm(
        submitted(request),
        request.FILES or None,
        readers=care_team_of(young_person).exclude(pk=request.user.pk),
    )
    if request.method == "POST" and form.is_valid():
        try:
            document = services.add_document(young_person, by=request.user, **form.fields_to_save())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"“{document.title}” is on the file.")
            return redirect("documents:detail", pk=document.pk)
    return render(
        request,
        "documents/document_form.html",
        {"form": form, "young_person": young_person, "chosen_again": bool(request.FILES)},
    )


@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A document's details and its versions: for those who may read it (a restricted one's
    readers); the others who see the young person only see that it exists, in the list."""
    document = _document_or_404(request, pk)
    require_permission(request, "documents.read_document", document)
    shows_restricted_content(request, [document])
    user = request.user
    can_change = user.has_perm("documents.change_document", document)
    return render(
        request,
        "documents/document_detail.html",
        {
            "document": document,
            "young_person": document.young_person,
            "can_change": can_change and document.in_error_at is None,
            "version_form": VersionForm(document=document),
            "error_form": InErrorForm(),
            **restriction_actions(user, document),
        },
    )


@require_POST
def document_restriction(request: HttpRequest, pk: int) -> HttpResponse:
    """Restrict a document, change why or who else reads it (its author), or lift the
    restriction (they, the primary case manager or the supervisor)."""
    document = _document_or_404(request, pk)
    save_restriction(request, document, what="document")
    return redirect("documents:detail", pk=document.pk)


@require_GET
def document_read_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has read a restricted document, and who opened its page: for the supervisor."""
    document = _document_or_404(request, pk)
    return read_log(request, document, reverse("documents:detail", args=[document.pk]))


@require_http_methods(["GET", "POST"])
def version_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a new version; the earlier ones stay, downloadable."""
    document = _document_or_404(request, pk)
    require_permission(request, "documents.change_document", document)
    form = VersionForm(submitted(request), request.FILES or None, document=document)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.add_version(
                document,
                by=request.user,
                upload=form.upload,
                expires_on=form.cleaned_data.get("expires_on"),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Version {version.number} added; the earlier ones stay.")
            return redirect("documents:detail", pk=document.pk)
    shows_restricted_content(request, [document])
    return render(
        request,
        "documents/version_form.html",
        {"form": form, "document": document, "young_person": document.young_person},
    )


@require_POST
def document_mark_in_error(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document_or_404(request, pk)
    require_permission(request, "documents.change_document", document)
    form = InErrorForm(request.POST)
    if form.is_valid():
        services.mark_document_in_error(
            document, by=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, "The document is marked as added in error. It is kept.")
    else:
        messages.error(request, "Say why this document is in error.")
    return redirect("documents:detail", pk=document.pk)


@require_GET
def version_download(request: HttpRequest, pk: int, version_pk: int) -> FileResponse:
    """One version's file, for those who may read the document; always as a download, never
    shown in the browser (a file's content is not trusted to be what it says)."""
    document = _document_or_404(request, pk)
    require_permission(request, "documents.read_document", document)
    version = find_or_404(request, document.versions.all(), pk=version_pk)
    shows_restricted_content(request, [document])
    return as_download(
        version.file, filename=version.original_name, content_type=version.content_type
    )
