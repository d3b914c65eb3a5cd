from django.contrib import admin

from outcomes.models import Band, Instrument, Item, ReviewInterval, Scale, ScalePoint

# Reviews are deliberately not registered: they are client records (DOMAIN.md). The instruments
# and the intervals are configuration: an agency adds an instrument it licenses here.


@admin.register(ReviewInterval)
class ReviewIntervalAdmin(admin.ModelAdmin):
    list_display = ("intensity", "weeks")


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "active")


class ScalePointInline(admin.TabularInline):
    model = ScalePoint
    extra = 0


class BandInline(admin.TabularInline):
    model = Band
    extra = 0


class ItemInline(admin.TabularInline):
    model = Item
    extra = 0


@admin.register(Scale)
class ScaleAdmin(admin.ModelAdmin):
    list_display = ("name", "instrument", "kind", "total", "higher_is_better")
    list_filter = ("instrument",)
    inlines = [ScalePointInline, BandInline, ItemInline]
