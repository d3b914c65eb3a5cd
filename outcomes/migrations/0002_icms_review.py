from decimal import Decimal

from django.db import migrations

# ICMS's own instrument: the register's six risk areas, each rated 0 (none) to 4 (severe) and
# summed (0 to 24); the twelve life domains, each rated 1 (very poor) to 5 (very good) and
# averaged. Written out here, not read from the models' choices, so that this migration makes
# the same instrument whatever the choices become.
NAME, VERSION = "ICMS risk and domain review", "1"
RISK_POINTS = [
    (0, "None", "No sign of this risk now."),
    (1, "Low", "Present, but rare and without harm."),
    (2, "Moderate", "Happens now and then, or some harm."),
    (3, "High", "Often, or serious harm."),
    (4, "Severe", "Constant, or harm to life or safety."),
]
RISK_ITEMS = [
    ("self_harm", "Self-harm or suicide"),
    ("substance_use", "Substance use"),
    ("offending", "Offending"),
    ("sexual_exploitation", "Sexual exploitation"),
    ("absconding", "Absconding"),
    ("homelessness", "Homelessness"),
]
RISK_BANDS = [(0, 5, "Low"), (6, 11, "Moderate"), (12, 17, "High"), (18, 24, "Very high")]
DOMAIN_POINTS = [
    (1, "Very poor", "A serious problem, getting in the way of everything."),
    (2, "Poor", "A problem most of the time."),
    (3, "Fair", "Some problems; some things going well."),
    (4, "Good", "Mostly going well."),
    (5, "Very good", "Going well; a strength."),
]
DOMAIN_ITEMS = [
    ("housing", "Housing"),
    ("education", "Education and employment"),
    ("physical_health", "Physical health"),
    ("mental_health", "Mental health"),
    ("aod", "Alcohol and drugs"),
    ("family", "Family and relationships"),
    ("living_skills", "Living skills"),
    ("safety", "Safety"),
    ("culture", "Culture and identity"),
    ("legal", "Legal"),
    ("finances", "Finances"),
    ("social", "Social and recreational"),
]
DOMAIN_BANDS = [
    ("1.00", "2.49", "Struggling"),
    ("2.50", "3.49", "Getting by"),
    ("3.50", "5.00", "Doing well"),
]
# Weeks between reviews, per default intensity level (clients 0002); the administrator changes them.
INTERVALS = {"High": 4, "Medium": 8, "Low": 12}


def add_icms_review(apps, schema_editor):
    Instrument = apps.get_model("outcomes", "Instrument")
    Scale = apps.get_model("outcomes", "Scale")
    if Instrument.objects.filter(name=NAME, version=VERSION).exists():
        return
    instrument = Instrument.objects.create(
        name=NAME,
        version=VERSION,
        licence_note="ICMS's own review, free to use and to change.",
    )
    for order, (name, kind, higher_is_better, total, points, items, bands) in enumerate(
        [
            ("Risk", "risk", False, "sum", RISK_POINTS, RISK_ITEMS, RISK_BANDS),
            ("Life domains", "domain", True, "mean", DOMAIN_POINTS, DOMAIN_ITEMS, DOMAIN_BANDS),
        ]
    ):
        scale = Scale.objects.create(
            instrument=instrument,
            name=name,
            kind=kind,
            higher_is_better=higher_is_better,
            total=total,
            order=order,
        )
        for value, label, meaning in points:
            scale.points.create(value=value, label=label, meaning=meaning)
        for item_order, (code, label) in enumerate(items):
            scale.items.create(code=code, label=label, order=item_order)
        for lowest, highest, label in bands:
            scale.bands.create(lowest=Decimal(lowest), highest=Decimal(highest), label=label)


def add_intervals(apps, schema_editor):
    IntensityLevel = apps.get_model("clients", "IntensityLevel")
    ReviewInterval = apps.get_model("outcomes", "ReviewInterval")
    for intensity in IntensityLevel.objects.filter(name__in=INTERVALS):
        ReviewInterval.objects.get_or_create(
            intensity=intensity, defaults={"weeks": INTERVALS[intensity.name]}
        )


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_reviews"), ("clients", "0002_default_intensity_levels")]

    operations = [
        migrations.RunPython(add_icms_review, migrations.RunPython.noop),
        migrations.RunPython(add_intervals, migrations.RunPython.noop),
    ]
