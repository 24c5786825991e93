from django.contrib import admin

from .models import Caisse, CommitteeMember, Proposal


class CommitteeInline(admin.TabularInline):
    model = CommitteeMember
    extra = 0


@admin.register(Caisse)
class CaisseAdmin(admin.ModelAdmin):
    list_display = ["name", "allocation_per_member", "allocation_basis", "carry_over", "quorum"]
    inlines = [CommitteeInline]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["__str__", "caisse", "subject_kind", "status", "opened_on", "decided_on"]
    list_filter = ["caisse", "status"]
