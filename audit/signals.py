"""Logins, logouts and failed logins enter the audit trail (Django's auth signals)."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from audit.models import AuditAction
from audit.services import record


@receiver(user_logged_in, dispatch_uid="audit.login")
def _logged_in(
    sender: type, request: HttpRequest, user: AbstractBaseUser, **kwargs: object
) -> None:
    record(AuditAction.LOGIN, actor=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit.logout")
def _logged_out(
    sender: type, request: HttpRequest, user: AbstractBaseUser | None, **kwargs: object
) -> None:
    record(AuditAction.LOGOUT, actor=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def _login_failed(
    sender: object, credentials: dict, request: HttpRequest | None = None, **kwargs: object
) -> None:
    record(
        AuditAction.LOGIN_FAILED,
        actor_username=str(credentials.get("username", "")),
        request=request,
        detail={"step": "password"},
    )
