from django.contrib import admin

from clients.models import IntensityLevel

# Young people are deliberately not registered: administrators configure the system and read
# client records only through an audited role, never through the admin site.


@admin.register(IntensityLevel)
class IntensityLevelAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "caseload_weight",
        "contact_threshold_days",
        "expected_contacts_per_fortnight",
    )
