from django.db import models
from django.utils.translation import gettext_lazy as _


class ZoneKind(models.TextChoices):
    COMMUNE = "commune", _("Commune")  # one of Lille, Lomme, Hellemmes
    QPV = "qpv", _("Priority neighbourhood (QPV)")  # quartier prioritaire, inside a commune
