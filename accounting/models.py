from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.formats import format_date
from core.models import AppendOnly
from orders.models import SocialService, cents_equal

from .choices import (
    AccountKind,
    BankLineStatus,
    EntryKind,
    FunderKind,
    InvoiceKind,
    PartyKind,
    PaymentDirection,
    PaymentMethod,
    StatementFormat,
)


class Funder(models.Model):
    """A public or private body that pays the subsidised part of household orders."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=FunderKind.choices)
    # Printed on its invoices (the buyer's identity, French invoicing rules).
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
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
            models.CheckConstraint(
                name="funder_siret_digits", condition=Q(siret="") | Q(siret__regex=r"^[0-9]{14}$")
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


class FunderProgramme(models.Model):
    """A funder subsidising groceries' grouped orders (DESIGN.md §12): a rate of the price
    incl. VAT of the eligible lines (of these categories, all when none is named; of local
    producers only if said), charged to its envelope; the grocery pays the rest. One
    programme is active at a time: a grouped order carries one envelope."""

    funder = models.ForeignKey(
        Funder, verbose_name=_("funder"), on_delete=models.PROTECT, related_name="programmes"
    )
    envelope = models.ForeignKey(
        Envelope, verbose_name=_("envelope"), on_delete=models.PROTECT, related_name="programmes"
    )
    name = models.CharField(_("name"), max_length=200)
    rate = models.DecimalField(_("rate"), max_digits=4, decimal_places=3)
    categories = models.JSONField(_("categories"), default=list, blank=True)
    local_only = models.BooleanField(_("local products only"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("funder programme")
        verbose_name_plural = _("funder programmes")
        ordering = ["-is_active", "name"]
        constraints = [
            models.CheckConstraint(
                name="programme_rate_within_0_1", condition=Q(rate__gt=0, rate__lte=1)
            ),
            models.UniqueConstraint(
                name="programme_one_active",
                fields=["is_active"],
                condition=Q(is_active=True),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    """One account of the platform's books; party accounts name their producer, grocery,
    funder or caisse. Codes follow the French chart of accounts (401 suppliers, 411
    customers...)."""

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
    # A caisse alimentaire's accounts (ssa.books): its members' credit, allocations...
    caisse = models.ForeignKey(
        "ssa.Caisse", on_delete=models.PROTECT, null=True, blank=True, related_name="accounts"
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


def _one_party(prefix: str) -> list[models.CheckConstraint]:
    """The party named by `party_kind` is set, and no other."""
    return [
        models.CheckConstraint(
            name=f"{prefix}_party_kind_valid", condition=Q(party_kind__in=PartyKind.values)
        ),
        models.CheckConstraint(
            name=f"{prefix}_one_party",
            condition=Q(
                party_kind=PartyKind.PRODUCER,
                producer__isnull=False,
                grocery__isnull=True,
                funder__isnull=True,
            )
            | Q(
                party_kind=PartyKind.GROCERY,
                producer__isnull=True,
                grocery__isnull=False,
                funder__isnull=True,
            )
            | Q(
                party_kind=PartyKind.FUNDER,
                producer__isnull=True,
                grocery__isnull=True,
                funder__isnull=False,
            ),
        ),
    ]


class Party(models.Model):
    """A producer, a grocery or a funder: whom an invoice or a payment is with."""

    party_kind = models.CharField(_("party kind"), max_length=16, choices=PartyKind.choices)
    producer = models.ForeignKey(
        "producers.Producer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    grocery = models.ForeignKey(
        "orders.Grocery", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    funder = models.ForeignKey(
        Funder, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def party(self):
        return self.producer or self.grocery or self.funder

    @property
    def party_id(self) -> int:
        return self.producer_id or self.grocery_id or self.funder_id  # type: ignore[return-value]


class InvoiceCounter(models.Model):
    """The last number given in a series; its row is locked while a number is taken, in the
    transaction that writes the invoice, so numbers follow each other without a gap."""

    series = models.CharField(_("series"), max_length=20, primary_key=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("invoice counter")
        verbose_name_plural = _("invoice counters")

    def __str__(self) -> str:
        return f"{self.series} {self.last_number}"


class Invoice(AppendOnly, Party):
    """An invoice, a credit note or a self-billing invoice: written once, never edited
    (DESIGN.md §12). A correction is a credit note; payments say what is paid."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    series = models.CharField(_("series"), max_length=20)
    sequence = models.PositiveIntegerField(_("sequence"))
    kind = models.CharField(_("kind"), max_length=16, choices=InvoiceKind.choices)
    # What it bills, unique: settling again issues nothing twice.
    source_key = models.CharField(_("source"), max_length=80, unique=True)
    cycle = models.ForeignKey(
        "supply.OrderCycle",
        verbose_name=_("cycle"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
    )
    credit_of = models.ForeignKey(
        "self",
        verbose_name=_("credit note of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"))
    total_ht = models.DecimalField(_("total excl. VAT (€)"), max_digits=12, decimal_places=2)
    total_vat = models.DecimalField(_("VAT (€)"), max_digits=12, decimal_places=2)
    total_ttc = models.DecimalField(_("total incl. VAT (€)"), max_digits=12, decimal_places=2)
    # Who sells and who buys, as they were on the day of issue (name, address, SIRET).
    seller = models.JSONField(_("seller"))
    buyer = models.JSONField(_("buyer"))
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["series", "sequence"]
        constraints = [
            *_one_party("invoice"),
            models.UniqueConstraint(name="invoice_series_sequence", fields=["series", "sequence"]),
            models.CheckConstraint(
                name="invoice_kind_valid", condition=Q(kind__in=InvoiceKind.values)
            ),
            models.CheckConstraint(
                name="invoice_totals_add_up",
                condition=Q(
                    cents_equal(F("total_ttc"), F("total_ht") + F("total_vat")), total_ttc__gte=0
                ),
            ),
            models.CheckConstraint(
                name="invoice_credit_note_of_an_invoice",
                condition=Q(kind=InvoiceKind.CREDIT_NOTE, credit_of__isnull=False)
                | Q(~Q(kind=InvoiceKind.CREDIT_NOTE), credit_of__isnull=True),
            ),
            models.CheckConstraint(
                name="invoice_due_after_issue", condition=Q(due_on__gte=F("issued_on"))
            ),
        ]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(AppendOnly):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    label = models.CharField(_("label"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    unit_price_ht = models.DecimalField(_("unit price excl. VAT"), max_digits=12, decimal_places=4)
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=4)
    total_ht = models.DecimalField(_("total excl. VAT (€)"), max_digits=12, decimal_places=2)
    total_vat = models.DecimalField(_("VAT (€)"), max_digits=12, decimal_places=2)
    total_ttc = models.DecimalField(_("total incl. VAT (€)"), max_digits=12, decimal_places=2)
    # The income or expense account the line was posted to; a credit note posts it back.
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    # On a credit note: the invoice line it takes off.
    credits = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credited_by"
    )

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice_id", "id"]
        constraints = [
            # A line below zero is a deduction outside VAT: a funder programme's part of a
            # grocery's goods, invoiced to the funder (accounting.invoicing).
            models.CheckConstraint(
                name="invoice_line_adds_up",
                condition=Q(cents_equal(F("total_ttc"), F("total_ht") + F("total_vat")))
                & (Q(total_ttc__gte=0) | Q(vat_rate=0, total_vat=0)),
            ),
            models.CheckConstraint(
                name="invoice_line_vat_rate_range", condition=Q(vat_rate__gte=0, vat_rate__lt=1)
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Payment(AppendOnly, Party):
    """Money that moved: received from a grocery or a funder, paid to a producer. Posted as
    one balanced entry against the bank account (512); what it settles is in its
    allocations. A mistake is reversed, never edited."""

    direction = models.CharField(_("direction"), max_length=8, choices=PaymentDirection.choices)
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("date"))
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    # The bank's or the cheque's reference, or the producer's own invoice number.
    reference = models.CharField(_("reference"), max_length=140, blank=True)
    # A grocery remitting the beneficiaries' contributions it collected (4671), not paying
    # its invoices (411).
    contributions = models.BooleanField(_("beneficiaries' contributions"), default=False)
    is_advance = models.BooleanField(_("advance"), default=False)
    entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, related_name="payment", verbose_name=_("entry")
    )
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_on", "-id"]
        constraints = [
            *_one_party("payment"),
            models.CheckConstraint(name="payment_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="payment_direction_of_party",
                condition=Q(direction=PaymentDirection.OUT, party_kind=PartyKind.PRODUCER)
                | Q(
                    direction=PaymentDirection.IN,
                    party_kind__in=[PartyKind.GROCERY, PartyKind.FUNDER],
                ),
            ),
            models.CheckConstraint(
                name="payment_method_valid", condition=Q(method__in=PaymentMethod.values)
            ),
            models.CheckConstraint(
                name="payment_contributions_from_a_grocery",
                condition=Q(contributions=False) | Q(party_kind=PartyKind.GROCERY),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.paid_on} {self.amount} €"


class PaymentAllocation(AppendOnly):
    """The part of a payment that settles one invoice."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("payment allocation")
        verbose_name_plural = _("payment allocations")
        constraints = [
            models.CheckConstraint(name="allocation_amount_positive", condition=Q(amount__gt=0)),
            models.UniqueConstraint(name="allocation_once", fields=["payment", "invoice"]),
        ]


class Lettering(AppendOnly):
    """Lines of one party account that settle each other (invoices and the payments that
    paid them): their debits equal their credits. The FEC prints its code beside each."""

    code = models.CharField(_("code"), max_length=12)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="letterings")
    lettered_on = models.DateField(_("lettered on"))

    class Meta:
        verbose_name = _("lettering")
        verbose_name_plural = _("letterings")
        constraints = [
            models.UniqueConstraint(name="lettering_code_per_account", fields=["account", "code"])
        ]

    def __str__(self) -> str:
        return self.code


class LetteredLine(AppendOnly):
    lettering = models.ForeignKey(Lettering, on_delete=models.PROTECT, related_name="lines")
    line = models.OneToOneField(JournalLine, on_delete=models.PROTECT, related_name="lettered")

    class Meta:
        verbose_name = _("lettered line")
        verbose_name_plural = _("lettered lines")


class BankStatement(models.Model):
    """One file of the bank's account statement as imported (DESIGN.md §12)."""

    file_name = models.CharField(_("file"), max_length=200)
    format = models.CharField(_("format"), max_length=8, choices=StatementFormat.choices)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    imported_at = models.DateTimeField(_("imported at"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Lines of the file already there from an earlier import, posted nothing this time.
    already_imported = models.PositiveIntegerField(_("lines already imported"), default=0)

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="bank_statement_format_valid", condition=Q(format__in=StatementFormat.values)
            ),
        ]

    def __str__(self) -> str:
        return self.file_name


class BankLine(models.Model):
    """One booked line of a statement. The bank's entry reference is unique: importing the
    same statement again finds its lines here and posts nothing twice."""

    statement = models.ForeignKey(BankStatement, on_delete=models.PROTECT, related_name="lines")
    reference = models.CharField(_("bank reference"), max_length=80, unique=True)
    booked_on = models.DateField(_("booked on"))
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2)
    direction = models.CharField(_("direction"), max_length=8, choices=PaymentDirection.choices)
    counterparty = models.CharField(_("counterparty"), max_length=140, blank=True)
    remittance = models.CharField(_("remittance information"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=BankLineStatus.choices)
    # Why it waits for a person, when it does.
    note = models.CharField(_("note"), max_length=300, blank=True)
    payment = models.OneToOneField(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bank_line",
        verbose_name=_("payment"),
    )

    class Meta:
        verbose_name = _("bank line")
        verbose_name_plural = _("bank lines")
        ordering = ["booked_on", "id"]
        constraints = [
            models.CheckConstraint(name="bank_line_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="bank_line_status_valid", condition=Q(status__in=BankLineStatus.values)
            ),
            models.CheckConstraint(
                name="bank_line_matched_has_payment",
                condition=Q(status=BankLineStatus.MATCHED, payment__isnull=False)
                | (~Q(status=BankLineStatus.MATCHED) & Q(payment__isnull=True)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.booked_on} {self.amount} {self.remittance[:40]}"
