from django.contrib import admin

from .models import GeocodeCache, Hub, Vehicle, Zone


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "commune"]
    list_filter = ["kind", "commune"]
    search_fields = ["name", "code"]


@admin.register(Hub)
class HubAdmin(admin.ModelAdmin):
    list_display = ["name", "address", "latitude", "longitude"]
    search_fields = ["name", "address"]


@admin.register(Vehicle)
class VehicleAdmin(admin.ModelAdmin):
    list_display = ["name", "capacity_kg", "cost_per_km", "is_refrigerated", "is_active"]
    list_filter = ["is_refrigerated", "is_active"]
    search_fields = ["name"]


@admin.register(GeocodeCache)
class GeocodeCacheAdmin(admin.ModelAdmin):
    list_display = ["query", "found", "latitude", "longitude", "score", "created_at"]
    list_filter = ["found"]
    search_fields = ["query", "label"]
