from django.contrib import admin

from .models import Grocery, Household, Order, OrderLine, SocialService, TariffTier


@admin.register(Grocery)
class GroceryAdmin(admin.ModelAdmin):
    list_display = ["name", "commune", "zone", "opens_at_time", "closes_at_time"]
    list_filter = ["organisation__commune", "zone"]
    search_fields = ["organisation__name", "address"]
    readonly_fields = ["zone"]


@admin.register(SocialService)
class SocialServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "commune", "cap_one_person", "cap_maximum", "renewal_waiting_days"]
    list_filter = ["organisation__commune"]
    search_fields = ["organisation__name"]


@admin.register(TariffTier)
class TariffTierAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "beneficiary_rate", "max_reste_a_vivre"]
    search_fields = ["code", "label"]


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    """The coordinator sees the decision, never the CCAS-only contact fields."""

    list_display = [
        "reference",
        "social_service",
        "tier",
        "valid_from",
        "valid_until",
        "pickup_grocery",
        "funder",
    ]
    list_filter = ["social_service", "tier", "pickup_grocery"]
    search_fields = ["reference"]
    fields = [
        "reference",
        "social_service",
        "adults",
        "children",
        "valid_from",
        "valid_until",
        "tier",
        "monthly_cap",
        "pickup_grocery",
        "funder",
        "consent_at",
        "suspended_at",
    ]
    readonly_fields = fields  # type: ignore[assignment]

    def has_add_permission(self, request):
        return False  # households are enrolled by their CCAS, through the API

    def has_delete_permission(self, request, obj=None):
        return False


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    fields = [
        "offer",
        "quantity",
        "allocated_quantity",
        "confirmed_quantity",
        "received_quantity",
        "unit_price_ht",
        "line_ttc",
        "beneficiary_share",
        "subsidy",
    ]
    readonly_fields = fields  # type: ignore[assignment]
    can_delete = False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "cycle",
        "grocery",
        "household",
        "status",
        "submitted_at",
        "total_ttc",
        "subsidy_total",
    ]
    list_filter = ["status", "cycle", "grocery"]
    search_fields = ["household__reference", "grocery__organisation__name"]
    list_select_related = ["cycle", "grocery__organisation", "household"]
    readonly_fields = [
        "cycle",
        "grocery",
        "household",
        "envelope",
        "placed_by",
        "status",
        "submitted_at",
        "updated_at",
        "total_ht",
        "total_ttc",
        "beneficiary_total",
        "subsidy_total",
    ]
    inlines = [OrderLineInline]

    def has_add_permission(self, request):
        return False
