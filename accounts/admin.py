from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Division, Team, User


@admin.register(User)
class ICMSUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        ("ICMS", {"fields": ("discipline", "team", "division")}),
    )
    list_display = ("username", "first_name", "last_name", "team", "division", "is_active")
    list_filter = ("groups", "team", "division", "is_active")
    list_select_related = ("team", "division")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "division", "supervisor", "weighted_caseload_limit")
    list_select_related = ("division", "supervisor")


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ("name", "register_review_days")


# An administrator resets a lost authenticator by deleting it (the user sets up a new one at
# their next login). The secrets themselves are never shown.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "confirmed", "last_used_at")
    list_select_related = ("user",)
    fields = ("user", "name", "confirmed", "last_used_at")
    readonly_fields = fields
    search_fields = ("user__username",)


@admin.register(StaticDevice)
class RecoveryCodesAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "last_used_at")
    list_select_related = ("user",)
    fields = ("user", "name", "last_used_at")
    readonly_fields = fields
    search_fields = ("user__username",)
