from decimal import Decimal

from django.db import migrations

# The starting reference list; the administrator adjusts it in the admin site.
DEFAULT_LEVELS = [
    ("High", Decimal("1.5"), 2, 6),
    ("Medium", Decimal("1.0"), 4, 3),
    ("Low", Decimal("0.5"), 7, 2),
]


def add_default_levels(apps, schema_editor):
    IntensityLevel = apps.get_model("clients", "IntensityLevel")
    for name, weight, threshold, expected in DEFAULT_LEVELS:
        IntensityLevel.objects.get_or_create(
            name=name,
            defaults={
                "caseload_weight": weight,
                "contact_threshold_days": threshold,
                "expected_contacts_per_fortnight": expected,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("clients", "0001_initial")]

    operations = [migrations.RunPython(add_default_levels, migrations.RunPython.noop)]
