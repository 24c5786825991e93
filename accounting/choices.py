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
