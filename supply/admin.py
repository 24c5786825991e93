from django.contrib import admin

from .models import CycleEvent, OrderCycle


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
