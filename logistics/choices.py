from django.db import models
from django.utils.translation import gettext_lazy as _


class ZoneKind(models.TextChoices):
    COMMUNE = "commune", _("Commune")  # one of Lille, Lomme, Hellemmes
    QPV = "qpv", _("Priority neighbourhood (QPV)")  # quartier prioritaire, inside a commune


class RoundKind(models.TextChoices):
    COLLECTION = "collection", _("Collection")  # hub → producers → hub
    DELIVERY = "delivery", _("Delivery")  # hub → groceries → hub


class StopKind(models.TextChoices):
    HUB = "hub", _("Hub")  # where a round starts, reloads and ends
    PRODUCER = "producer", _("Producer")  # goods are loaded
    GROCERY = "grocery", _("Grocery")  # goods are unloaded
