"""The places every benchmark's data set is made of, created the same way in each.

Call after bench._setup.setup_django(), inside the generating transaction.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal


def platform_hub():
    from core.choices import OrganisationKind
    from core.models import Organisation
    from logistics.models import Hub

    platform, _ = Organisation.objects.get_or_create(
        kind=OrganisationKind.PLATFORM, defaults={"name": "Appro Solidaire", "commune": "Lille"}
    )
    hub = Hub.objects.create(
        organisation=platform, name="Hub", latitude=Decimal("50.6456"), longitude=Decimal("2.9823")
    )
    return platform, hub


def tier(code: str, rate: str, threshold: str):
    from orders.models import TariffTier

    tier, _ = TariffTier.objects.get_or_create(
        code=code,
        defaults={
            "label": code,
            "beneficiary_rate": Decimal(rate),
            "max_reste_a_vivre": Decimal(threshold),
        },
    )
    return tier


def ccas_funder(commune: str, *, period_start: date, period_end: date, amount: str):
    """A CCAS, its funder and the funder's envelope for the period: (service, funder, envelope)."""
    from accounting.models import Envelope, Funder
    from core.models import Organisation
    from orders.models import SocialService

    organisation = Organisation.objects.create(
        kind="ccas", name=f"CCAS de {commune}", commune=commune
    )
    service = SocialService.objects.create(organisation=organisation)
    funder = Funder.objects.create(name=f"CCAS de {commune}", kind="ccas", social_service=service)
    envelope = Envelope.objects.create(
        funder=funder, period_start=period_start, period_end=period_end, amount=Decimal(amount)
    )
    return service, funder, envelope


def grocery(index: int, *, commune: str = "Lille", zone=None):
    from core.models import Organisation
    from orders.models import Grocery

    organisation = Organisation.objects.create(
        kind="grocery", name=f"Épicerie {index}", commune=commune
    )
    return Grocery.objects.create(
        organisation=organisation,
        zone=zone,
        latitude=Decimal("50.63"),
        longitude=Decimal("3.06"),
        opens_at_time="09:00",
        closes_at_time="17:00",
    )


def producer(index: int, *, distance_to_hub_km: Decimal = Decimal("8.7"), is_organic=False):
    from core.models import Organisation
    from producers.models import Producer

    organisation = Organisation.objects.create(
        kind="producer", name=f"Ferme {index}", commune="Wavrin"
    )
    return Producer.objects.create(
        organisation=organisation,
        latitude=Decimal("50.57"),
        longitude=Decimal("2.93"),
        is_organic=is_organic,
        distance_to_hub_km=distance_to_hub_km,
    )


def open_cycle(hub, *, now: datetime, today: date, name: str):
    """A cycle taking orders now, delivered in a few days."""
    from supply.models import OrderCycle

    return OrderCycle.objects.create(
        name=name,
        opens_at=now - timedelta(days=2),
        closes_at=now + timedelta(days=1),
        confirm_by=now + timedelta(days=2),
        delivery_date=today + timedelta(days=4),
        hub=hub,
        status="open",
    )


def product(producer, name: str, *, pack_size: Decimal, unit_price_ht: Decimal, is_organic=False):
    """Vegetables sold by the kilogram."""
    from producers.models import Product

    return Product.objects.create(
        producer=producer,
        name=name,
        category="legumes",
        unit="kg",
        unit_weight_kg=Decimal("1"),
        pack_size=pack_size,
        unit_price_ht=unit_price_ht,
        is_organic=is_organic,
    )


def household(reference: str, *, service, tier, grocery, funder, today: date, now: datetime):
    """One adult, a decision in force around today and a 50 € cap; unsaved, for bulk_create."""
    from orders.models import Household

    return Household(
        social_service=service,
        reference=reference,
        adults=1,
        valid_from=today - timedelta(days=10),
        valid_until=today + timedelta(days=100),
        tier=tier,
        monthly_cap=Decimal("50"),
        pickup_grocery=grocery,
        funder=funder,
        consent_at=now,
    )
