"""Logging in: the password, then a code from the authenticator (set up at the first login).
Nobody is logged in until both steps pass. And cover when a worker or a supervisor is away."""

from datetime import datetime, timedelta

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from accounts.forms import (
    ApiTokenForm,
    CodeForm,
    CoverForm,
    ExternalSystemForm,
    LoginForm,
    SetupCodeForm,
)
from accounts.models import ApiToken, ExternalSystem, User
from accounts.queries import case_managers_of, colleagues_who_may_cover, current_and_coming
from accounts.rules import covers_visible_to, teams_supervised_by
from accounts.services import (
    CONTACT_DRAFT_KEY,
    arrange_cover,
    confirm_totp_device,
    end_cover,
    has_two_factor,
    issue_recovery_codes,
    issue_token,
    new_contact_draft_key,
    register_external_system,
    revoke_token,
    totp_device_to_set_up,
    totp_secret_for_typing,
    verify_second_factor,
)
from audit.models import AuditAction
from audit.services import record
from toolkit.access import find_or_404, require_permission
from toolkit.forms import add_service_error, submitted

PENDING_USER = "pending_user_id"
PENDING_SINCE = "pending_since"
PENDING_NEXT = "pending_next"
PENDING_BACKEND = "pending_backend"
FRESH_RECOVERY_CODES = "fresh_recovery_codes"


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _pending_user(request: HttpRequest) -> User | None:
    """The user who gave the right password in this session, if that was recent enough."""
    user_id, since = request.session.get(PENDING_USER), request.session.get(PENDING_SINCE)
    if user_id is None or since is None:
        return None
    age = timezone.now() - datetime.fromisoformat(since)
    if age > timedelta(minutes=settings.TWO_FACTOR_PENDING_MINUTES):
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def _complete_login(request: HttpRequest, user: User, device: object) -> str:
    next_url = request.session.get(PENDING_NEXT)
    login(request, user, backend=request.session[PENDING_BACKEND])
    otp_login(request, device)
    request.session[CONTACT_DRAFT_KEY] = new_contact_draft_key()
    for key in (PENDING_USER, PENDING_SINCE, PENDING_NEXT, PENDING_BACKEND):
        request.session.pop(key, None)
    return _safe_next(request, next_url)


@login_not_required
@sensitive_post_parameters("password")
@csrf_protect
@require_http_methods(["GET", "POST"])
def login_password(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_safe_next(request, request.GET.get("next")))
    form = LoginForm(request, data=submitted(request))
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        request.session.cycle_key()
        request.session[PENDING_USER] = user.pk
        request.session[PENDING_SINCE] = timezone.now().isoformat()
        request.session[PENDING_NEXT] = request.POST.get("next", "")
        request.session[PENDING_BACKEND] = user.backend
        if has_two_factor(user):
            return redirect("accounts:login-code")
        return redirect("accounts:two-factor-setup")
    return render(
        request, "registration/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


@login_not_required
@csrf_protect
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        messages.info(request, "Enter your username and password again.")
        return redirect("accounts:login")
    form = CodeForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        try:
            device = verify_second_factor(user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
            record(
                AuditAction.LOGIN_FAILED,
                actor_username=user.username,
                detail={"step": "second factor"},
            )
        else:
            next_url = _complete_login(request, user, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    f"You used a recovery code; {left} left. Make new ones under "
                    "Recovery codes if you are running out.",
                )
            return redirect(next_url)
    return render(request, "registration/login_code.html", {"form": form})


@login_not_required
@csrf_protect
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """First login: connect an authenticator app by scanning a QR code, then confirm a code."""
    user = _pending_user(request)
    if user is None:
        messages.info(request, "Enter your username and password again.")
        return redirect("accounts:login")
    if has_two_factor(user):
        return redirect("accounts:login-code")
    device = totp_device_to_set_up(user)
    form = SetupCodeForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        try:
            codes = confirm_totp_device(device, code=form.cleaned_data["code"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            _complete_login(request, user, device)
            request.session[FRESH_RECOVERY_CODES] = codes
            messages.success(request, "Two-factor authentication is set up.")
            return redirect("accounts:recovery-codes")
    qr_svg = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8
    ).to_string(encoding="unicode")
    return render(
        request,
        "registration/two_factor_setup.html",
        {"form": form, "qr_svg": qr_svg, "secret": totp_secret_for_typing(device)},
    )


@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Show fresh recovery codes once, or how many are left; make new ones on request."""
    codes = request.session.pop(FRESH_RECOVERY_CODES, None)
    if request.method == "POST":
        codes = issue_recovery_codes(request.user)
        record(AuditAction.CHANGE, actor=request.user, detail={"recovery_codes": "reissued"})
        messages.success(request, "New recovery codes are ready; the old ones no longer work.")
    left = StaticToken.objects.filter(device__user=request.user).count()
    return render(request, "registration/recovery_codes.html", {"codes": codes, "left": left})


@require_http_methods(["GET", "POST"])
def cover(request: HttpRequest) -> HttpResponse:
    """Cover when away: the current and coming covers of the supervisor's teams, and arranging
    one."""
    require_permission(request, "accounts.arrange_cover")
    user = request.user
    teams = teams_supervised_by(user)
    form = CoverForm(
        submitted(request),
        teams_led=user.teams_led.all(),
        workers=case_managers_of(teams).exclude(pk=user.pk),
        colleagues=colleagues_who_may_cover(teams),
    )
    if request.method == "POST" and form.is_valid():
        try:
            arranged = arrange_cover(by=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Arranged: {arranged}.")
            return redirect("accounts:cover")
    return render(
        request,
        "accounts/cover.html",
        {"form": form, "covers": current_and_coming(covers_visible_to(user))},
    )


@require_POST
def cover_end(request: HttpRequest, pk: int) -> HttpResponse:
    cover = find_or_404(request, covers_visible_to(request.user), pk=pk)
    require_permission(request, "accounts.end_cover", cover)
    end_cover(cover, by=request.user)
    messages.success(request, f"The cover by {cover.covered_by} has ended.")
    return redirect("accounts:cover")


def _systems() -> QuerySet[ExternalSystem]:
    return ExternalSystem.objects.select_related(
        "account__team", "account__division"
    ).prefetch_related("account__groups")


@require_GET
def system_list(request: HttpRequest) -> HttpResponse:
    """The external systems that use the API and the event feeds, with their scope and tokens."""
    require_permission(request, "accounts.manage_external_systems")
    systems = _systems().prefetch_related("tokens")
    return render(request, "accounts/systems.html", {"systems": systems})


@require_http_methods(["GET", "POST"])
def system_create(request: HttpRequest) -> HttpResponse:
    require_permission(request, "accounts.manage_external_systems")
    form = ExternalSystemForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        try:
            system = register_external_system(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{system} is registered: issue it a token.")
            return redirect("accounts:system", system.pk)
    return render(request, "accounts/system_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def system_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A system's scope and tokens; a new token's secret is shown on this answer only."""
    require_permission(request, "accounts.manage_external_systems")
    system = find_or_404(request, _systems(), pk=pk)
    form = ApiTokenForm(submitted(request))
    secret = ""
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = issue_token(system, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            form = ApiTokenForm()
            messages.success(request, f"Token “{token.name}” issued.")
    return render(
        request,
        "accounts/system.html",
        {
            "system": system,
            "tokens": system.tokens.select_related("created_by", "revoked_by"),
            "form": form,
            "secret": secret,
        },
    )


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    require_permission(request, "accounts.manage_external_systems")
    token = find_or_404(request, ApiToken.objects.all(), pk=pk)
    revoke_token(token, by=request.user)
    messages.success(request, f"Token “{token.name}” is revoked: it no longer works.")
    return redirect("accounts:system", token.system_id)
