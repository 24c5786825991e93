from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import IdempotencyRecord, Membership, Organisation, TaskRun, User


class MembershipInline(admin.StackedInline):
    model = Membership
    can_delete = False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]
    list_display = [
        "username",
        "email",
        "membership__role",
        "membership__organisation",
        "is_active",
    ]
    list_filter = [
        "membership__role",
        "membership__organisation__kind",
        "is_active",
        "is_superuser",
    ]
    list_select_related = ["membership__organisation"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "commune", "created_at"]
    list_filter = ["kind", "commune"]
    search_fields = ["name", "commune"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organisation"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["user__username", "organisation__name"]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["organisation"]


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ["key", "user", "method", "path", "status_code", "created_at"]
    list_filter = ["method", "status_code"]
    search_fields = ["key", "path", "user__username"]
    readonly_fields = [field.name for field in IdempotencyRecord._meta.fields]


@admin.register(TaskRun)
class TaskRunAdmin(admin.ModelAdmin):
    list_display = ["name", "state", "progress", "created_by", "created_at", "updated_at"]
    list_filter = ["name", "state"]
    search_fields = ["id", "name"]
    readonly_fields = [field.name for field in TaskRun._meta.fields]
