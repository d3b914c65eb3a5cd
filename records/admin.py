from django import forms
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from records.models import RetentionRule
from records.services import save_retention_rule

# The files themselves, their holds, stubs and releases are deliberately not registered: they
# are client records, or about them (DOMAIN.md). The retention rule is configuration.


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    """The one rule: changed, never added to or deleted."""

    list_display = ("__str__", "years_after_closure", "until_age", "updated_at")
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: RetentionRule, form: forms.Form, change: bool
    ) -> None:
        save_retention_rule(obj, by=request.user)
