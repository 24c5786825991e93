from django.db import models
from django.utils.translation import gettext_lazy as _


class FunderKind(models.TextChoices):
    CCAS = "ccas", _("CCAS")  # a communal social-action centre's own budget
    CITY = "city", _("City")  # the city of Lille
    METROPOLE = "metropole", _("Metropole")  # Métropole européenne de Lille
    REGION = "region", _("Region")  # Hauts-de-France
    STATE = "state", _("State")  # national programmes (e.g. food aid credits)
    PRIVATE = "private", _("Private")  # foundations, sponsors
