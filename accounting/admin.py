from django.contrib import admin

from .models import (
    Account,
    BankLine,
    BankStatement,
    Envelope,
    Funder,
    FunderProgramme,
    JournalEntry,
    JournalLine,
)


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


class ReadOnlyAdmin(admin.ModelAdmin):
    """The ledger is append-only: the admin reads it, nothing more."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


class JournalLineInline(admin.TabularInline):
    model = JournalLine
    fields = ["account", "debit", "credit"]
    readonly_fields = fields  # type: ignore[assignment]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "posted_at", "kind", "cycle", "memo"]
    list_filter = ["kind", "cycle"]
    search_fields = ["memo", "source_key"]
    date_hierarchy = "posted_at"
    inlines = [JournalLineInline]


@admin.register(FunderProgramme)
class FunderProgrammeAdmin(ReadOnlyAdmin):
    """Read here; written through the API, whose service keeps one programme active."""

    list_display = ["name", "funder", "rate", "local_only", "is_active"]


@admin.register(BankStatement)
class BankStatementAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "format", "iban", "imported_at", "already_imported"]


@admin.register(BankLine)
class BankLineAdmin(ReadOnlyAdmin):
    list_display = ["booked_on", "amount", "direction", "counterparty", "status"]
    list_filter = ["status", "direction"]
