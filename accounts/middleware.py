from collections.abc import Callable

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse


class TwoFactorRequiredMiddleware:
    """A session that is logged in without having passed the second factor is ended.

    ICMS's own login only logs a user in after their code; this catches any other way in
    (such as a login form of a third-party app). Runs after django-otp's OTPMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and not request.user.is_verified():
            logout(request)
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)
