from django.contrib import admin

from .models import ContractLine, CycleEvent, CycleSchedule, OrderCycle, SeasonContract


class CycleEventInline(admin.TabularInline):
    model = CycleEvent
    extra = 0
    readonly_fields = ["from_status", "to_status", "user", "occurred_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OrderCycle)
class OrderCycleAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "opens_at", "closes_at", "confirm_by", "delivery_date", "hub"]
    list_filter = ["status", "hub", "allocation_rule"]
    search_fields = ["name"]
    date_hierarchy = "delivery_date"
    # The status moves only through its transitions (API or scheduler), never by hand.
    readonly_fields = ["status"]
    inlines = [CycleEventInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Made and changed through their screens and services only, where the rules hold
    (overlapping schedules, signatures, the producer's own products): read here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CycleSchedule)
class CycleScheduleAdmin(ReadOnlyAdmin):
    list_display = ["name", "hub", "delivery_weekday", "weeks_ahead", "is_active"]
    list_filter = ["is_active", "hub"]
    search_fields = ["name"]


class ContractLineInline(admin.TabularInline):
    model = ContractLine
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SeasonContract)
class SeasonContractAdmin(ReadOnlyAdmin):
    list_display = ["name", "producer", "first_delivery", "last_delivery", "status"]
    list_filter = ["status"]
    search_fields = ["name", "producer__organisation__name"]
    inlines = [ContractLineInline]
