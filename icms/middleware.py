from collections.abc import Callable

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


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


class NeverCacheMiddleware:
    """Nothing ICMS answers may be kept by a browser or a proxy: its pages, downloads and API
    answers show children's records (the back button of a shared computer, a proxy's disk).
    Static files never reach here: WhiteNoise, before it, serves them with their own headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
