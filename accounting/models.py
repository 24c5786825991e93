from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.formats import format_date
from core.models import AppendOnly
from orders.models import SocialService

from .choices import AccountKind, EntryKind, FunderKind


class Funder(models.Model):
    """A public or private body that pays the subsidised part of household orders."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=FunderKind.choices)
    # The CCAS whose staff may read this funder's envelopes and statements, if any.
    social_service = models.ForeignKey(
        SocialService,
        verbose_name=_("social service (CCAS)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funders",
    )

    class Meta:
        verbose_name = _("funder")
        verbose_name_plural = _("funders")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="funder_kind_valid", condition=Q(kind__in=FunderKind.values)
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Envelope(models.Model):
    """A funder's budget for a period. committed and spent only move through services."""

    funder = models.ForeignKey(
        Funder, verbose_name=_("funder"), on_delete=models.PROTECT, related_name="envelopes"
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2)
    committed = models.DecimalField(_("committed (€)"), max_digits=12, decimal_places=2, default=0)
    spent = models.DecimalField(_("spent (€)"), max_digits=12, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("budget envelope")
        verbose_name_plural = _("budget envelopes")
        ordering = ["funder_id", "period_start"]
        constraints = [
            models.CheckConstraint(
                name="envelope_period_ordered", condition=Q(period_start__lte=F("period_end"))
            ),
            models.CheckConstraint(name="envelope_amount_not_negative", condition=Q(amount__gte=0)),
            models.CheckConstraint(
                name="envelope_usage_not_negative", condition=Q(committed__gte=0, spent__gte=0)
            ),
            models.CheckConstraint(
                name="envelope_remaining_not_negative",
                condition=Q(amount__gte=F("committed") + F("spent")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.funder} {format_date(self.period_start)}–{format_date(self.period_end)}"

    @property
    def remaining(self):
        return self.amount - self.committed - self.spent


class Account(models.Model):
    """One account of the platform's books; party accounts name their producer, grocery or
    funder. Codes follow the French chart of accounts (401 suppliers, 411 customers...)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=250)
    kind = models.CharField(_("kind"), max_length=16, choices=AccountKind.choices)
    producer = models.ForeignKey(
        "producers.Producer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    grocery = models.ForeignKey(
        "orders.Grocery", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    funder = models.ForeignKey(
        Funder, on_delete=models.PROTECT, null=True, blank=True, related_name="accounts"
    )

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="account_kind_valid", condition=Q(kind__in=AccountKind.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class JournalEntry(AppendOnly):
    """A balanced posting. Written once by accounting.ledger.entries_post, never changed."""

    # What the entry settles, unique: posting the same source twice is impossible, which
    # makes a re-run of the settlement (after a crash, or twice) post nothing new.
    source_key = models.CharField(_("source"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    cycle = models.ForeignKey(
        "supply.OrderCycle",
        verbose_name=_("cycle"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="journal_entries",
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    purchase_list = models.ForeignKey(
        "supply.PurchaseList", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    memo = models.CharField(_("memo"), max_length=300)
    posted_at = models.DateTimeField(_("posted at"))
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["posted_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="journal_entry_kind_valid", condition=Q(kind__in=EntryKind.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.id} {self.memo}"


class JournalLine(AppendOnly):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    debit = models.DecimalField(_("debit (€)"), max_digits=14, decimal_places=2, default=0)
    credit = models.DecimalField(_("credit (€)"), max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("journal line")
        verbose_name_plural = _("journal lines")
        ordering = ["entry_id", "id"]
        constraints = [
            models.CheckConstraint(
                name="journal_line_one_side",
                condition=Q(debit__gt=0, credit=0) | Q(debit=0, credit__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} D {self.debit} C {self.credit}"
