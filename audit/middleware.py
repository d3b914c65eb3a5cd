from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from audit.services import current_request, record_answer


class AuditContextMiddleware:
    """Serves each request with `current_request` set, and records in the audit trail what its
    answer showed or refused (audit.services.record_answer, from toolkit.access's note)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            response = self.get_response(request)
            record_answer(request, response)
            return response
        finally:
            current_request.reset(token)
