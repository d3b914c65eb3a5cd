"""PDFs made by WeasyPrint from a page's template, fetching nothing but the project's own
static files."""

import logging
import mimetypes
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def static_file(url: str) -> tuple[bytes, str]:
    """The project's static file at `url`, and its type; ValueError for anything else. As
    deployed, `{% static %}` names the collected copy (its name with its hash, which only
    STATIC_ROOT holds); in development, the app's own file."""
    path = urlsplit(url).path
    found = path.startswith(settings.STATIC_URL) and _static_path(
        path.removeprefix(settings.STATIC_URL)
    )
    if not found:
        raise ValueError(f"Not fetched for a PDF: {url}")
    return Path(found).read_bytes(), mimetypes.guess_type(found)[0] or "text/plain"


def _static_path(name: str) -> str | None:
    try:
        if staticfiles_storage.exists(name):
            return staticfiles_storage.path(name)
    except SuspiciousFileOperation:  # outside STATIC_ROOT
        return None
    return finders.find(name)


class PdfUnavailable(Exception):
    """The server cannot make PDFs: WeasyPrint cannot load its system libraries (Pango)."""


def pdf_of(template: str, context: dict, *, request: HttpRequest | None = None) -> bytes:
    """`template` rendered with `context` as a PDF; PdfUnavailable where the server cannot make
    PDFs. Without a request, for a PDF kept rather than sent (a file's release)."""
    # Imported here: WeasyPrint loads Pango (a system library) when imported.
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher, URLFetcherResponse
    except OSError as error:
        logger.exception("WeasyPrint cannot load its system libraries (Pango)")
        raise PdfUnavailable(
            "PDFs cannot be made on this server (Pango is not installed)."
        ) from error

    class StaticFilesOnly(URLFetcher):
        """Static files from disk; nothing fetched over the network, this server included
        (a worker would wait on itself)."""

        def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
            body, content_type = static_file(url)
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    html = render_to_string(template, context, request=request)
    return HTML(string=html, base_url="file:///", url_fetcher=StaticFilesOnly()).write_pdf()


def render_pdf(
    request: HttpRequest, template: str, context: dict, *, filename: str, instead: str = ""
) -> HttpResponse:
    """`template` rendered with `context` as a PDF download named `filename`; where the server
    cannot make PDFs, a 503 saying so, and what to do `instead`."""
    try:
        pdf = pdf_of(template, context, request=request)
    except PdfUnavailable as error:
        return HttpResponse(
            f"{error} {instead}".strip(), status=503, content_type="text/plain; charset=utf-8"
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
