from django.contrib import admin

from exits.models import AfterCarePoint, ExitLeadTime

# Closings and follow-ups are deliberately not registered: they are client records (DOMAIN.md).
# The lead times and after-care points are configuration: the administrator sets them here.


@admin.register(ExitLeadTime)
class ExitLeadTimeAdmin(admin.ModelAdmin):
    list_display = ("months", "__str__")


@admin.register(AfterCarePoint)
class AfterCarePointAdmin(admin.ModelAdmin):
    list_display = ("months", "__str__")
