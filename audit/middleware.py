from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

# The request being served, so that audit entries written deep in a service still know the
# address and page they came from.
current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
