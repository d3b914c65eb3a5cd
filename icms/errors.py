"""The answer when PostgreSQL or Redis does not (issue 19, items 6 and 7).

Every exception a request raises, in a view or in a middleware (the session and the user are
read by middleware), reaches Django's handler500, so this is the one place that tells an
outage from a fault: an outage answers 503 with Retry-After, quickly (icms.database and the
Redis timeouts bound the wait), and leaves the session cookie alone (Django saves no session
on a 5xx answer). Pages get templates/503.html and the API a JSON body. With DEBUG on, Django
shows its debug page instead, as for any error.

A form sent during an outage comes back in the 503 page, ready to be sent again, so that
nothing typed is lost without JavaScript either (static/js/offline-contact.js keeps a contact
in the browser where it can). Each field goes back as it came, CSRF token included, and no
new token is made: sending again passes the CSRF check only if the first sending would have,
so the page cannot turn a forged post into a valid one. Nothing is read from the session or
the database to make it, and a form holding a password or sign-in code is not sent back.
"""

import re
import sys

import kombu.exceptions
from django.core.exceptions import SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template import loader
from django.views import defaults

from icms.sessions import REDIS_UNREACHABLE, SessionStoreUnavailable

RETRY_AFTER_SECONDS = 10
OUTAGES = {
    "its database": (OperationalError, InterfaceError),
    "its session store": (SessionStoreUnavailable, *REDIS_UNREACHABLE),
    "its job queue": (kombu.exceptions.OperationalError,),
}
SECRET_FIELD = re.compile(r"password|secret|^code$", re.IGNORECASE)
# Not worth showing in "What you sent"; still sent again.
NOT_SHOWN = {"csrfmiddlewaretoken", "client_reference", "version"}


def unavailable_part(error: BaseException | None) -> str | None:
    """What did not answer, if `error` (or what it was raised from) is an outage."""
    while error is not None:
        for part, errors in OUTAGES.items():
            if isinstance(error, errors):
                return part
        error = error.__cause__
    return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: 503 for an outage, the usual 500 page for anything else."""
    part = unavailable_part(sys.exception())
    if part is None:
        return defaults.server_error(request)
    if request.path_info.startswith("/api/"):
        response = JsonResponse(
            {"detail": f"ICMS is briefly unavailable ({part} is not answering). Try again."},
            status=503,
        )
    else:
        sent, files_left_out = _sent_again(request)
        page = loader.render_to_string(
            "503.html",
            {
                "part": part,
                "sent": sent,
                "shown": [
                    (name.replace("_", " ").capitalize(), value)
                    for name, value in sent
                    if value and name not in NOT_SHOWN
                ],
                "files_left_out": files_left_out,
            },
        )
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response  # never cached, as any answer (icms.middleware.NeverCacheMiddleware)


def _sent_again(request: HttpRequest) -> tuple[list[tuple[str, str]], bool]:
    """The fields of a form post, to send again; none for other requests or a secret."""
    if request.method != "POST":
        return [], False
    try:
        fields = [(name, value) for name, values in request.POST.lists() for value in values]
        files_left_out = bool(request.FILES)
    except (MultiPartParserError, SuspiciousOperation, OSError):
        return [], False
    if any(SECRET_FIELD.search(name) for name, _ in fields):
        return [], False
    return fields, files_left_out
