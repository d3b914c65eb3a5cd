"""PDFs made by WeasyPrint from a page's template, fetching nothing but the project's own
static files."""

import logging
import mimetypes
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def static_file(url: str) -> tuple[bytes, str]:
    """The project's static file at `url`, and its type; ValueError for anything else."""
    path = urlsplit(url).path
    found = path.startswith(settings.STATIC_URL) and finders.find(
        path.removeprefix(settings.STATIC_URL)
    )
    if not found:
        raise ValueError(f"Not fetched for a PDF: {url}")
    return Path(found).read_bytes(), mimetypes.guess_type(found)[0] or "text/plain"


def render_pdf(
    request: HttpRequest, template: str, context: dict, *, filename: str, instead: str = ""
) -> HttpResponse:
    """`template` rendered with `context` as a PDF download named `filename`; where the server
    cannot make PDFs, a 503 saying so, and what to do `instead`."""
    # Imported here: WeasyPrint loads Pango (a system library) when imported.
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher, URLFetcherResponse
    except OSError:
        logger.exception("WeasyPrint cannot load its system libraries (Pango)")
        return HttpResponse(
            f"PDFs cannot be made on this server (Pango is not installed). {instead}".strip(),
            status=503,
            content_type="text/plain; charset=utf-8",
        )

    class StaticFilesOnly(URLFetcher):
        """Static files from disk; nothing fetched over the network, this server included
        (a worker would wait on itself)."""

        def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
            body, content_type = static_file(url)
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    html = render_to_string(template, context, request=request)
    pdf = HTML(string=html, base_url="file:///", url_fetcher=StaticFilesOnly()).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
