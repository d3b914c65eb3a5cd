"""The REST API's authentication: a named token of an external system (accounts.ApiToken), made
and hashed by django-rest-knox, noted as used. knox's own lookup is replaced: it reads the
token and then its account's other tokens (two queries a request) and deletes expired ones,
where an expired token here stays in its system's list, marked so."""

from datetime import timedelta
from hmac import compare_digest

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework.exceptions import AuthenticationFailed

from accounts.models import ApiToken, User

# How often a token's "last used" is written: once a minute is exact enough for the
# administrator, and spares a write on every request.
LAST_USED_EVERY = timedelta(minutes=1)


class NamedTokenAuthentication(TokenAuthentication):
    """A token the administrator issued to a system, not revoked, not expired: looked up with
    its account in one query by knox's key, and checked against knox's hash of it."""

    def authenticate_credentials(self, token: bytes) -> tuple[User, AuthToken]:
        refused = AuthenticationFailed("This token is not valid, or was revoked, or has expired.")
        try:
            text = token.decode()
        except UnicodeDecodeError:
            raise refused from None
        now = timezone.now()
        candidates = ApiToken.objects.select_related("knox_token__user").filter(
            knox_token__token_key=text[: CONSTANTS.TOKEN_KEY_LENGTH],
            expires_at__gt=now,
            revoked_at__isnull=True,
        )
        for named in candidates:
            if compare_digest(hash_token(text), named.knox_token.digest):
                break
        else:
            raise refused
        if not named.knox_token.user.is_active:
            raise refused
        if named.last_used_at is None or now - named.last_used_at >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=named.pk).update(last_used_at=now)
        return named.knox_token.user, named.knox_token


class NamedTokenScheme(OpenApiAuthenticationExtension):
    """How the schema tells a client to authenticate."""

    target_class = NamedTokenAuthentication
    name = "token"

    def get_security_definition(self, auto_schema: object) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <the token>`: issued to the system by ICMS's administrator.",
        }
