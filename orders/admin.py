from django.contrib import admin

from .models import Grocery, SocialService


@admin.register(Grocery)
class GroceryAdmin(admin.ModelAdmin):
    list_display = ["name", "commune", "zone", "opens_at_time", "closes_at_time"]
    list_filter = ["commune", "zone"]
    search_fields = ["name", "address"]
    readonly_fields = ["zone"]


@admin.register(SocialService)
class SocialServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "commune"]
    list_filter = ["commune"]
    search_fields = ["name"]
