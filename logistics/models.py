from datetime import time
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import PHONE_VALIDATORS, Organisation

from .choices import RoundKind, StopKind, ZoneKind

LATITUDE_VALIDATORS = [MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))]
LONGITUDE_VALIDATORS = [MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))]


def coordinates_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            name=f"{prefix}_latitude_range",
            condition=Q(latitude__gte=-90, latitude__lte=90),
        ),
        models.CheckConstraint(
            name=f"{prefix}_longitude_range",
            condition=Q(longitude__gte=-180, longitude__lte=180),
        ),
    ]


class Zone(models.Model):
    """A commune or a priority neighbourhood, as a GeoJSON polygon."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=ZoneKind.choices)
    commune = models.CharField(_("commune"), max_length=100)
    # A GeoJSON geometry (Polygon or MultiPolygon), longitude first.
    geometry = models.JSONField(_("geometry"))

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Hub(models.Model):
    """Where collection rounds unload and delivery rounds load (a cold room)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="hubs"
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    # Printed on route sheets: whom the driver calls on the way.
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=PHONE_VALIDATORS)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, validators=LATITUDE_VALIDATORS
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, validators=LONGITUDE_VALIDATORS
    )
    # When vans may leave and must be back (the cold room's staffed hours).
    opens_at = models.TimeField(_("opens at"), default=time(5))
    closes_at = models.TimeField(_("closes at"), default=time(21))

    class Meta:
        verbose_name = _("hub")
        verbose_name_plural = _("hubs")
        ordering = ["id"]
        constraints = [
            *coordinates_constraints("hub"),
            models.CheckConstraint(
                name="hub_opens_before_closing", condition=Q(opens_at__lt=F("closes_at"))
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Vehicle(models.Model):
    """A van of the platform."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="vehicles",
    )
    name = models.CharField(_("name"), max_length=200)
    capacity_kg = models.DecimalField(_("capacity (kg)"), max_digits=8, decimal_places=1)
    cost_per_km = models.DecimalField(_("cost per km (€)"), max_digits=6, decimal_places=2)
    is_refrigerated = models.BooleanField(_("refrigerated"), default=False)
    # How much of the capacity is cold; empty: all of it when refrigerated, none otherwise.
    cold_capacity_kg = models.DecimalField(
        _("cold capacity (kg)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    # What using the van costs on a day, whatever it drives (insurance, hire, a driver's call).
    fixed_cost_eur = models.DecimalField(
        _("fixed cost per day used (€)"), max_digits=8, decimal_places=2, default=0
    )
    # When the van (and its driver) can be out; empty: the hub's hours.
    available_from = models.TimeField(_("available from"), null=True, blank=True)
    available_until = models.TimeField(_("available until"), null=True, blank=True)
    # The longest day its driver may do, hub to hub; empty: no limit but the hours.
    max_shift_min = models.PositiveSmallIntegerField(
        _("longest shift (min)"), null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="vehicle_capacity_positive", condition=Q(capacity_kg__gt=0)
            ),
            models.CheckConstraint(
                name="vehicle_cost_not_negative", condition=Q(cost_per_km__gte=0)
            ),
            models.CheckConstraint(
                name="vehicle_cold_capacity_within_capacity",
                condition=Q(cold_capacity_kg__isnull=True)
                | Q(cold_capacity_kg__gte=0, cold_capacity_kg__lte=F("capacity_kg")),
            ),
            models.CheckConstraint(
                name="vehicle_cold_capacity_needs_refrigeration",
                condition=Q(is_refrigerated=True)
                | Q(cold_capacity_kg__isnull=True)
                | Q(cold_capacity_kg=0),
            ),
            models.CheckConstraint(
                name="vehicle_fixed_cost_not_negative", condition=Q(fixed_cost_eur__gte=0)
            ),
            models.CheckConstraint(
                name="vehicle_available_in_order",
                condition=Q(available_from__isnull=True)
                | Q(available_until__isnull=True)
                | Q(available_from__lt=F("available_until")),
            ),
            models.CheckConstraint(
                name="vehicle_shift_sensible",
                condition=Q(max_shift_min__isnull=True)
                | Q(max_shift_min__gte=30, max_shift_min__lte=1440),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def cold_capacity(self) -> Decimal:
        if self.cold_capacity_kg is not None:
            return self.cold_capacity_kg
        return self.capacity_kg if self.is_refrigerated else Decimal("0")


class GeocodeCache(models.Model):
    """What the address geocoder answered, kept so an address is asked once."""

    query = models.CharField(_("normalised address"), max_length=400, unique=True)
    found = models.BooleanField(_("found"))
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    label = models.CharField(_("label"), max_length=400, blank=True)
    score = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("geocoding cache entry")
        verbose_name_plural = _("geocoding cache")

    def __str__(self) -> str:
        return self.query


class Round(models.Model):
    """One van's round for a cycle, as planned by the solver."""

    cycle = models.ForeignKey("supply.OrderCycle", on_delete=models.CASCADE, related_name="rounds")
    kind = models.CharField(_("kind"), max_length=16, choices=RoundKind.choices)
    vehicle = models.ForeignKey(Vehicle, verbose_name=_("vehicle"), on_delete=models.PROTECT)
    distance_km = models.DecimalField(_("distance (km)"), max_digits=8, decimal_places=2)
    duration_min = models.PositiveIntegerField(_("duration (min)"))
    load_kg = models.DecimalField(_("load (kg)"), max_digits=10, decimal_places=3)
    cost_eur = models.DecimalField(_("cost (€)"), max_digits=10, decimal_places=2)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    planned_at = models.DateTimeField(_("planned at"))

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["cycle_id", "kind", "starts_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.vehicle} ({self.cycle})"


class RoundStop(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="stops")
    sequence = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=StopKind.choices)
    # The producer's, grocery's or hub's id (`place_id` in the API).
    place_id = models.PositiveBigIntegerField()
    name = models.CharField(max_length=200)
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    arrival_at = models.DateTimeField()
    departs_at = models.DateTimeField()  # minus arrival_at: the time spent at the place
    # Loaded (collection) or unloaded (delivery) here, and the cold part of it; zero at the hub.
    load_kg = models.DecimalField(max_digits=10, decimal_places=3)
    cold_kg = models.DecimalField(max_digits=10, decimal_places=3, default=Decimal("0"))
    # The van's trip (from 1); a hub stop between two trips, the reload, opens the next one.
    trip = models.PositiveSmallIntegerField(default=1)

    class Meta:
        verbose_name = _("round stop")
        verbose_name_plural = _("round stops")
        ordering = ["round_id", "sequence"]
        constraints = [
            models.UniqueConstraint(
                name="round_stop_sequence_unique", fields=["round", "sequence"]
            ),
            models.CheckConstraint(
                name="round_stop_departs_after_arrival",
                condition=Q(departs_at__gte=F("arrival_at")),
            ),
            models.CheckConstraint(
                name="round_stop_cold_within_load",
                condition=Q(cold_kg__gte=0, cold_kg__lte=F("load_kg")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sequence}. {self.name}"


class RoundTrip(models.Model):
    """One trip of a round: the van leaves the hub loaded, and comes back to it."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="trips")
    trip = models.PositiveSmallIntegerField()
    departs_at = models.DateTimeField()
    returns_at = models.DateTimeField()
    load_kg = models.DecimalField(max_digits=10, decimal_places=3)
    cold_kg = models.DecimalField(max_digits=10, decimal_places=3)

    class Meta:
        verbose_name = _("trip")
        verbose_name_plural = _("trips")
        ordering = ["round_id", "trip"]
        constraints = [
            models.UniqueConstraint(name="round_trip_unique", fields=["round", "trip"]),
            models.CheckConstraint(
                name="round_trip_returns_after_departure",
                condition=Q(returns_at__gte=F("departs_at")),
            ),
            models.CheckConstraint(
                name="round_trip_cold_within_load",
                condition=Q(cold_kg__gte=0, cold_kg__lte=F("load_kg")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} — {self.trip}"


class UnservedStop(models.Model):
    """A place the last plan of a cycle could not serve, and why, in words."""

    cycle = models.ForeignKey(
        "supply.OrderCycle", on_delete=models.CASCADE, related_name="unserved_stops"
    )
    kind = models.CharField(max_length=16, choices=StopKind.choices)
    place_id = models.PositiveBigIntegerField()
    name = models.CharField(max_length=200)
    reason = models.TextField()

    class Meta:
        verbose_name = _("unserved stop")
        verbose_name_plural = _("unserved stops")
        ordering = ["cycle_id", "kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                name="unserved_stop_unique", fields=["cycle", "kind", "place_id"]
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}"
