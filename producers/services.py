from decimal import Decimal

from django.db import transaction

from core.choices import OrganisationKind
from core.models import Organisation
from logistics import geography
from logistics.services import place_locate

from .models import Producer, Product


@transaction.atomic
def producer_create(
    *,
    name: str,
    commune: str,
    address: str = "",
    siret: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    is_organic: bool = False,
) -> Producer:
    location = place_locate(address=address, latitude=latitude, longitude=longitude)
    organisation = Organisation.objects.create(
        kind=OrganisationKind.PRODUCER, name=name, commune=commune
    )
    return Producer.objects.create(
        organisation=organisation,
        name=name,
        siret=siret,
        address=address,
        commune=commune,
        latitude=location.latitude,
        longitude=location.longitude,
        zone=location.zone,
        distance_to_hub_km=location.distance_to_hub_km,
        is_organic=is_organic,
    )


@transaction.atomic
def producer_update(*, producer: Producer, **fields) -> Producer:
    moved = {"address", "latitude", "longitude"} & fields.keys()
    for name, value in fields.items():
        setattr(producer, name, value)
    if moved:
        # A new address without coordinates is geocoded again.
        if "address" in fields and not {"latitude", "longitude"} & fields.keys():
            latitude = longitude = None
        else:
            latitude, longitude = producer.latitude, producer.longitude
        location = place_locate(address=producer.address, latitude=latitude, longitude=longitude)
        producer.latitude, producer.longitude = location.latitude, location.longitude
        producer.zone = location.zone
        producer.distance_to_hub_km = location.distance_to_hub_km
    producer.save()
    if {"name", "commune"} & fields.keys():
        Organisation.objects.filter(id=producer.organisation_id).update(
            name=producer.name, commune=producer.commune
        )
    return producer


def producers_refresh_distances() -> int:
    """Recompute every producer's distance to the main hub in one vectorised pass."""
    hub = geography.main_hub()
    producers = list(Producer.objects.only("id", "latitude", "longitude"))
    if not producers:
        return 0
    if hub is None:
        distances = [None] * len(producers)
    else:
        matrix = geography.great_circle_km_matrix(
            [producer.latitude for producer in producers],
            [producer.longitude for producer in producers],
            [hub.latitude],
            [hub.longitude],
        )
        distances = [Decimal(str(round(float(value), 2))) for value in matrix[:, 0]]
    for producer, distance in zip(producers, distances, strict=True):
        producer.distance_to_hub_km = distance
    Producer.objects.bulk_update(producers, ["distance_to_hub_km"], batch_size=500)
    return len(producers)


def product_create(*, producer: Producer, **fields) -> Product:
    return Product.objects.create(producer=producer, **fields)


def product_update(*, product: Product, **fields) -> Product:
    for name, value in fields.items():
        setattr(product, name, value)
    product.save()
    return product
