from collections.abc import Callable

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpRequest, HttpResponse


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Django's, with two differences. The API (/api/) authenticates each request by token
    (REST framework does it), so it is left alone here. And a background request (htmx, or a
    page script's fetch, which browsers mark `Sec-Fetch-Mode: cors`) whose session has ended
    gets 401: a redirect would put the login page inside the page being worked on, or pass for
    the contact form's "recorded" redirect; static/js/icms.js and offline-contact.js then tell
    the user, and the draft saved so far is waiting after they log in again."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple,
        view_kwargs: dict,
    ) -> HttpResponse | None:
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)

    def handle_no_permission(
        self, request: HttpRequest, view_func: Callable[..., HttpResponse]
    ) -> HttpResponse:
        if request.headers.get("HX-Request") or request.headers.get("Sec-Fetch-Mode") == "cors":
            return HttpResponse("Your session has ended.", status=401)
        return super().handle_no_permission(request, view_func)
