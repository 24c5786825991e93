from django.contrib import admin

from .models import Offer, Producer, Product


class ProductInline(admin.TabularInline):
    model = Product
    extra = 0
    fields = ["name", "category", "unit", "unit_price_ht", "vat_rate", "pack_size", "is_active"]


@admin.register(Producer)
class ProducerAdmin(admin.ModelAdmin):
    list_display = ["name", "commune", "distance_to_hub_km", "is_organic", "zone"]
    list_filter = ["is_organic", "organisation__commune"]
    search_fields = ["organisation__name", "siret", "organisation__commune", "address"]
    readonly_fields = ["distance_to_hub_km", "zone"]
    inlines = [ProductInline]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "producer",
        "category",
        "unit",
        "unit_price_ht",
        "vat_rate",
        "pack_size",
        "is_organic",
        "is_active",
    ]
    list_filter = ["category", "unit", "is_organic", "is_active", "producer"]
    search_fields = ["name", "producer__organisation__name"]
    list_select_related = ["producer"]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["product", "cycle", "quantity_available", "unit_price_ht"]
    list_filter = ["cycle", "product__producer", "product__category"]
    search_fields = ["product__name", "product__producer__organisation__name"]
    list_select_related = ["product", "cycle"]
    autocomplete_fields = ["product"]
