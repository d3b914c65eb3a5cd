from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from accounts.models import Division, Team, User
from accounts.services import (
    check_access_change,
    check_team_supervisor,
    record_password_set,
    remove_second_factor,
    save_account,
    save_team,
)


class AccessCheckedForm(forms.ModelForm):
    """Refuses, with the service's message, access that `by` (the requesting user, set by the
    ModelAdmin's get_form) may not give: each subclass's check_access asks accounts.services."""

    by: User

    def _post_clean(self) -> None:
        # After the instance has taken the form's values, as Django's own password check does.
        super()._post_clean()
        try:
            self.check_access()
        except ValidationError as error:
            self.add_error(None, error)


def _roles_in(form: forms.ModelForm) -> list[str] | None:
    """The roles chosen on the form; None (the account's own) where it has none to give: the
    add form has no such field, so a new account has no role yet."""
    if "groups" not in form.cleaned_data:
        return None
    return [group.name for group in form.cleaned_data["groups"]]


class AccountForm(AccessCheckedForm):
    def check_access(self) -> None:
        check_access_change(self.instance, by=self.by, roles=_roles_in(self))


class AccountChangeForm(AccountForm, UserChangeForm):
    pass


class AccountCreationForm(AccountForm, AdminUserCreationForm):
    pass


class WithRequestUser:
    """Hands the requesting user to the form (a class made for this request by get_form)."""

    def get_form(
        self, request: HttpRequest, obj: Model | None = None, **kwargs: object
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, **kwargs)
        form.by = request.user
        return form


@admin.register(User)
class ICMSUserAdmin(WithRequestUser, UserAdmin):
    form = AccountChangeForm
    add_form = AccountCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        # Access is given by role only: Django's per-user permissions are not offered.
        ("Roles and status", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("ICMS", {"fields": ("discipline", "team", "division")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    filter_horizontal = ("groups",)
    list_display = ("username", "first_name", "last_name", "team", "division", "is_active")
    list_filter = ("groups", "team", "division", "is_active")
    list_select_related = ("team", "division")

    def save_model(self, request: HttpRequest, obj: User, form: forms.Form, change: bool) -> None:
        # Roles, team, division and flags are checked and recorded in the ICMS audit trail.
        save_account(obj, by=request.user, roles=_roles_in(form))

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # Django's view saves the new password itself; a change it made is recorded here.
        before = self.get_object(request, unquote(id))
        response = super().user_change_password(request, id, form_url)
        after = self.get_object(request, unquote(id))
        if before is not None and after is not None and after.password != before.password:
            record_password_set(after, by=request.user, had_one=before.has_usable_password())
        return response

    def save_related(
        self, request: HttpRequest, form: forms.Form, formsets: list, change: bool
    ) -> None:
        # The roles were set by save_account; the form has no other many-to-many field.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


class TeamForm(AccessCheckedForm):
    def check_access(self) -> None:
        check_team_supervisor(self.instance, by=self.by)


@admin.register(Team)
class TeamAdmin(WithRequestUser, admin.ModelAdmin):
    form = TeamForm
    list_display = ("name", "division", "supervisor", "weighted_caseload_limit")
    list_select_related = ("division", "supervisor")

    def save_model(self, request: HttpRequest, obj: Team, form: forms.Form, change: bool) -> None:
        # A team's supervisor sees its young people: checked and recorded as access.
        save_team(obj, by=request.user)


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ("name", "register_review_days")


class ReadOnlyForEveryone:
    """Not even a superuser adds or changes these in the admin site (deleting follows the
    model permission)."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


# The roles are fixed by the code (accounts.models.Role): a group renamed "Supervisor" would
# make each of its members one.
admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(ReadOnlyForEveryone, GroupAdmin):
    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


# An API token acts as its account: whoever made one in the admin site could read through it.
# Tokens are issued and revoked on the External systems pages (accounts.views), which keep each
# token's history; knox's own rows are not shown here.
admin.site.unregister(AuthToken)


# An administrator resets a lost authenticator by deleting it (the user sets up a new one at
# their next login). The secrets themselves are never shown.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


class SecondFactorAdmin(admin.ModelAdmin):
    """Removing one is recorded in the ICMS audit trail (accounts.services)."""

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        remove_second_factor(obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for device in queryset.select_related("user"):
            remove_second_factor(device, by=request.user)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(SecondFactorAdmin):
    list_display = ("user", "name", "confirmed", "last_used_at")
    list_select_related = ("user",)
    fields = ("user", "name", "confirmed", "last_used_at")
    readonly_fields = fields
    search_fields = ("user__username",)


@admin.register(StaticDevice)
class RecoveryCodesAdmin(SecondFactorAdmin):
    list_display = ("user", "name", "last_used_at")
    list_select_related = ("user",)
    fields = ("user", "name", "last_used_at")
    readonly_fields = fields
    search_fields = ("user__username",)
