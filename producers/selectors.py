from django.db.models import QuerySet

from core.access import Actor
from core.choices import Role

from .models import Producer, Product


def producer_list(*, actor: Actor) -> QuerySet[Producer]:
    producers = Producer.objects.select_related("zone").order_by("name", "id")
    if actor.role == Role.COORDINATOR:
        return producers
    if actor.role == Role.PRODUCER:
        return producers.filter(organisation_id=actor.organisation_id)
    return producers.none()


def product_list(*, actor: Actor) -> QuerySet[Product]:
    products = Product.objects.order_by("producer_id", "name", "id")
    if actor.role == Role.COORDINATOR:
        return products
    if actor.role == Role.PRODUCER:
        return products.filter(producer__organisation_id=actor.organisation_id)
    return products.none()
