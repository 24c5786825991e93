from datetime import time
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.formats import format_quantity
from core.models import PHONE_VALIDATORS, Organisation, OrganisationProfile
from logistics.models import Zone, coordinates_constraints

from .choices import Category, Unit


class Producer(OrganisationProfile):
    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="producer",
    )
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    # The day the producer signed the self-billing mandate: from then on the platform issues
    # its invoices for it (DESIGN.md §12); without it, its own invoice number is recorded
    # with each payment.
    self_billing_since = models.DateField(
        _("self-billing mandate signed on"), null=True, blank=True
    )
    # The producer consents to its catalogue being served to other platforms in the Data
    # Food Consortium standard (DESIGN.md §13, producers.dfc).
    dfc_shared = models.BooleanField(_("catalogue shared through DFC"), default=False)
    # Printed on route sheets: whom the driver calls on the way.
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=PHONE_VALIDATORS)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    is_organic = models.BooleanField(_("organic"), default=False)
    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.SET_NULL, null=True, blank=True
    )
    # When the collection van may come by on collection day.
    available_from_time = models.TimeField(_("available from"), default=time(6, 0))
    available_until_time = models.TimeField(_("available until"), default=time(18, 0))
    # Great-circle distance to the main hub, kept up to date when either moves; stored so
    # that dashboards can filter local producers in the database.
    distance_to_hub_km = models.DecimalField(
        _("distance to the hub (km)"), max_digits=7, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("producer")
        verbose_name_plural = _("producers")
        ordering = ["organisation__name"]
        constraints = [
            *coordinates_constraints("producer"),
            models.CheckConstraint(
                name="producer_availability_ordered",
                condition=Q(available_from_time__lt=F("available_until_time")),
            ),
            models.CheckConstraint(
                name="producer_siret_digits",
                condition=Q(siret="") | Q(siret__regex=r"^[0-9]{14}$"),
            ),
        ]

    @property
    def is_local(self) -> bool | None:
        if self.distance_to_hub_km is None:
            return None
        return self.distance_to_hub_km <= settings.LOCAL_RADIUS_KM


class Product(models.Model):
    producer = models.ForeignKey(
        Producer, verbose_name=_("producer"), on_delete=models.PROTECT, related_name="products"
    )
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    # Weight of one unit in kg (1 for a product sold by the kg): loads and kg distributed.
    unit_weight_kg = models.DecimalField(_("unit weight (kg)"), max_digits=8, decimal_places=3)
    # Quantities ordered must be a multiple of this (e.g. 0.5 kg, 6 pieces).
    pack_size = models.DecimalField(
        _("pack size"), max_digits=8, decimal_places=3, default=Decimal("1")
    )
    unit_price_ht = models.DecimalField(
        _("unit price excl. VAT (€)"), max_digits=9, decimal_places=2
    )
    vat_rate = models.DecimalField(
        _("VAT rate"), max_digits=5, decimal_places=4, default=Decimal("0.055")
    )
    is_organic = models.BooleanField(_("organic"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    # The product's identifier in the DFC catalogue it was imported from (its SuppliedProduct's
    # @id): a re-import finds it again by this, and never adds it twice.
    dfc_id = models.CharField(_("DFC identifier"), max_length=500, blank=True, default="")

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["producer_id", "name"]
        constraints = [
            models.CheckConstraint(
                name="product_category_valid", condition=Q(category__in=Category.values)
            ),
            models.CheckConstraint(name="product_unit_valid", condition=Q(unit__in=Unit.values)),
            models.CheckConstraint(
                name="product_unit_weight_positive", condition=Q(unit_weight_kg__gt=0)
            ),
            models.CheckConstraint(name="product_pack_size_positive", condition=Q(pack_size__gt=0)),
            models.CheckConstraint(
                name="product_price_not_negative", condition=Q(unit_price_ht__gte=0)
            ),
            models.CheckConstraint(
                name="product_vat_rate_range", condition=Q(vat_rate__gte=0, vat_rate__lte=1)
            ),
            models.UniqueConstraint(
                fields=["producer", "dfc_id"],
                condition=~Q(dfc_id=""),
                name="product_dfc_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


def whole_pieces_refusal(unit: str, quantity: Decimal) -> str | None:
    """The message refusing a quantity of pieces that is not a whole number, else None: a
    lettuce or a box of eggs is never cut (orders, offers, confirmations, receptions)."""
    if unit != Unit.PIECE or quantity == quantity.to_integral_value():
        return None
    return _("Pieces are counted whole: %(quantity)s is not a whole number.") % {
        "quantity": format_quantity(quantity)
    }


def ordered_quantity_refusal(product: Product, quantity: Decimal) -> str | None:
    """The message refusing a quantity to order of `product` (positive, whole pieces, a
    multiple of its pack size), else None: standing orders and season contracts."""
    if quantity <= 0:
        return str(_("The quantity must be positive."))
    refusal = whole_pieces_refusal(product.unit, quantity)
    if refusal:
        return refusal
    if quantity % product.pack_size != 0:
        return _("« %(product)s » is sold by multiples of %(pack)s.") % {
            "product": product.name,
            "pack": format_quantity(product.pack_size),
        }
    return None


class Offer(models.Model):
    """Stock a producer offers for one cycle, at a price for that cycle."""

    cycle = models.ForeignKey(
        "supply.OrderCycle",
        verbose_name=_("cycle"),
        on_delete=models.PROTECT,
        related_name="offers",
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="offers"
    )
    quantity_available = models.DecimalField(
        _("quantity available"), max_digits=12, decimal_places=3
    )
    unit_price_ht = models.DecimalField(
        _("unit price excl. VAT (€)"), max_digits=9, decimal_places=2
    )
    # Standing: each new cycle of a schedule gets it again at the product's price (§10).
    is_standing = models.BooleanField(_("standing offer"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["cycle_id", "product_id"]
        constraints = [
            models.UniqueConstraint(
                name="offer_one_per_product_and_cycle", fields=["cycle", "product"]
            ),
            models.CheckConstraint(
                name="offer_quantity_not_negative", condition=Q(quantity_available__gte=0)
            ),
            models.CheckConstraint(
                name="offer_price_not_negative", condition=Q(unit_price_ht__gte=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} ({self.cycle})"
