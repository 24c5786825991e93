from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.choices import Commune
from core.models import Organisation
from logistics.models import Zone, coordinates_constraints


class SocialService(models.Model):
    """A CCAS: enrols the households of its commune."""

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="social_service",
    )
    name = models.CharField(_("name"), max_length=200)
    commune = models.CharField(_("commune"), max_length=16, choices=Commune.choices)

    class Meta:
        verbose_name = _("social service (CCAS)")
        verbose_name_plural = _("social services (CCAS)")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="social_service_commune_valid", condition=Q(commune__in=Commune.values)
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Grocery(models.Model):
    """A solidarity grocery: places grouped orders, receives deliveries, hands out orders."""

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="grocery",
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    commune = models.CharField(_("commune"), max_length=16, choices=Commune.choices)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    # Deliveries arrive within these hours on the delivery date.
    opens_at_time = models.TimeField(_("opens at"))
    closes_at_time = models.TimeField(_("closes at"))
    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("grocery")
        verbose_name_plural = _("groceries")
        ordering = ["name"]
        constraints = [
            *coordinates_constraints("grocery"),
            models.CheckConstraint(
                name="grocery_commune_valid", condition=Q(commune__in=Commune.values)
            ),
            models.CheckConstraint(
                name="grocery_opens_before_closes",
                condition=Q(opens_at_time__lt=F("closes_at_time")),
            ),
        ]

    def __str__(self) -> str:
        return self.name
