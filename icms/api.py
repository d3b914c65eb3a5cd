"""The REST API's schema (settings.REST_FRAMEWORK): every answer an operation may give, its
refusals included."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny

_DETAIL = inline_serializer("ErrorDetail", fields={"detail": serializers.CharField()})
_FIELD_ERRORS = {
    "type": "object",
    "description": "By field name (`detail` or `non_field_errors` for the request as a whole): "
    "what is wrong with it, as a message, a list of messages, or by key or position for a "
    "field that holds several values.",
    "additionalProperties": {
        "oneOf": [
            {"type": "string"},
            {"type": "array", "items": {"type": "string"}},
            {"type": "object"},
        ]
    },
}


class ICMSAutoSchema(AutoSchema):
    """drf-spectacular's schema of each operation, with the refusals DRF answers for it: 400
    when it takes input (a body, or a list's `filters`), 401 and 403 when it needs an account
    and a permission, 404 when it names an object (or a page of a list), 429 when it is
    throttled."""

    def _get_response_bodies(self, direction: str = "response") -> dict:
        # drf-spectacular's own (private, pinned) step, so that the refusals join the answers
        # an @extend_schema names as well as the ones it finds itself.
        responses = super()._get_response_bodies(direction)
        for code, refusal in self._refusals(listing=self._is_list_view()).items():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(refusal, str(code))
        return responses

    def _refusals(self, *, listing: bool) -> dict:
        refusals = {}
        if self.method in {"POST", "PUT", "PATCH"}:
            refusals[400] = OpenApiResponse(_FIELD_ERRORS, "The request is refused as it is.")
        elif listing and getattr(self.view, "filters", ()):
            refusals[400] = OpenApiResponse(_FIELD_ERRORS, "A filter is refused as it is.")
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            refusals[401] = OpenApiResponse(_DETAIL, "No token, or a token that is not valid.")
            refusals[403] = OpenApiResponse(_DETAIL, "Not allowed for this account.")
        if "{" in self.path or listing:
            refusals[404] = OpenApiResponse(_DETAIL, "No such object, or no such page.")
        if self.view.get_throttles():
            refusals[429] = OpenApiResponse(_DETAIL, "Too many requests: wait and try again.")
        refusals[503] = OpenApiResponse(
            _DETAIL,
            "ICMS is briefly unavailable (its database or Redis is not answering): "
            "try again after the Retry-After header's seconds.",
        )
        return refusals
