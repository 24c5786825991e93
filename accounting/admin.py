from django.contrib import admin

from .models import Envelope, Funder


class EnvelopeInline(admin.TabularInline):
    model = Envelope
    extra = 0
    readonly_fields = ["committed", "spent"]


@admin.register(Funder)
class FunderAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "social_service"]
    list_filter = ["kind"]
    search_fields = ["name"]
    inlines = [EnvelopeInline]


@admin.register(Envelope)
class EnvelopeAdmin(admin.ModelAdmin):
    list_display = ["funder", "period_start", "period_end", "amount", "committed", "spent"]
    list_filter = ["funder", "period_start"]
    search_fields = ["funder__name"]
    readonly_fields = ["committed", "spent"]
    date_hierarchy = "period_start"
