from django.db import models
from django.utils.translation import gettext_lazy as _


class FunderKind(models.TextChoices):
    CCAS = "ccas", _("CCAS")  # a communal social-action centre's own budget
    CITY = "city", _("City")  # the city of Lille
    METROPOLE = "metropole", _("Metropole")  # Métropole européenne de Lille
    REGION = "region", _("Region")  # Hauts-de-France
    STATE = "state", _("State")  # national programmes (e.g. food aid credits)
    PRIVATE = "private", _("Private")  # foundations, sponsors


class AccountKind(models.TextChoices):
    ASSET = "asset", _("Asset")  # owed to the platform: groceries, funders, contributions held
    LIABILITY = "liability", _("Liability")  # owed by the platform: producers, round costs
    EXPENSE = "expense", _("Expense")  # goods bought, rounds driven
    INCOME = "income", _("Income")  # goods sold, subsidies, logistics recharged


class EntryKind(models.TextChoices):
    PURCHASE = "purchase", _("Purchase from a producer")  # one per producer and cycle
    GROCERY_ORDER = "grocery_order", _("Grocery grouped order")  # one per grouped order
    HOUSEHOLD_ORDER = "household_order", _("Household order")  # share + subsidy, per order
    LOGISTICS = "logistics", _("Logistics")  # the cycle's rounds and their recharge
    REVERSAL = "reversal", _("Reversal")  # cancels an earlier entry line for line
    PAYMENT = "payment", _("Payment")  # money in or out of the bank account (512)
    CREDIT_NOTE = "credit_note", _("Credit note")  # what a credit note takes off an invoice
    SSA = "ssa", _("Caisse alimentaire")  # a caisse's allocations, contributions and grants


class PartyKind(models.TextChoices):
    """Who an invoice, a payment or a balance is with."""

    PRODUCER = "producer", _("Producer")
    GROCERY = "grocery", _("Grocery")
    FUNDER = "funder", _("Funder")


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")  # the platform bills a grocery or a funder
    CREDIT_NOTE = "credit_note", _("Credit note")  # cancels all or part of an invoice
    SELF_BILLING = "self_billing", _("Self-billing invoice")  # issued for a producer, by mandate


class InvoiceStatus(models.TextChoices):
    """Derived, never stored: an invoice is never edited (accounting.invoicing)."""

    ISSUED = "issued", _("Issued")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class PaymentDirection(models.TextChoices):
    IN = "in", _("Received")
    OUT = "out", _("Paid out")


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer")
    CHEQUE = "cheque", _("Cheque")
    CASH = "cash", _("Cash")
    CARD = "card", _("Card")


class BankLineStatus(models.TextChoices):
    MATCHED = "matched", _("Matched")  # a payment was recorded from it
    UNMATCHED = "unmatched", _("To match")  # waits for a person
    IGNORED = "ignored", _("Ignored")  # bank fees, interest: nothing a party paid


class StatementFormat(models.TextChoices):
    CAMT053 = "camt053", _("CAMT.053 (ISO 20022)")
    CSV = "csv", _("CSV")
