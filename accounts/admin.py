from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

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
    list_display = ("name", "division", "supervisor")
    list_select_related = ("division", "supervisor")


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ("name",)
