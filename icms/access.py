"""The one way a view refuses an action: the permission comes from the app's rules.py."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


def require_permission(request: HttpRequest, permission: str, obj: object = None) -> None:
    """403 unless the user has `permission` (on `obj`). Records outside a user's sight are
    refused earlier, with a 404, by the app's visibility querysets."""
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied
