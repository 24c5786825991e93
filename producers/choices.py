from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    KG = "kg", _("kilogram")  # sold by weight
    PIECE = "piece", _("piece")  # sold by the item (a lettuce, a dozen eggs as one box)
    LITRE = "litre", _("litre")  # milk, juice


class Category(models.TextChoices):
    FRUITS = "fruits", _("Fruit")
    LEGUMES = "legumes", _("Vegetables")
    LAITIER = "laitier", _("Dairy")
    VIANDE = "viande", _("Meat")
    POISSON = "poisson", _("Fish")
    OEUFS = "oeufs", _("Eggs")
    BOULANGERIE = "boulangerie", _("Bakery")
    EPICERIE = "epicerie", _("Dry goods")
    BOISSONS = "boissons", _("Drinks")
    AUTRE = "autre", _("Other")
