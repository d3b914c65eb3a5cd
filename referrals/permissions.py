from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView


class IsChildProtectionAccount(BasePermission):
    """The API is for child protection systems: accounts that may make referrals."""

    message = "The referrals API is for child protection accounts."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.has_perm("referrals.add_referral"))
