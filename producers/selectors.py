from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from core.access import Actor
from core.choices import Role
from orders.models import offer_demand_subquery
from supply.choices import TAKES_OFFERS, TAKES_ORDERS
from supply.models import OrderCycle, PurchaseList

from .models import Offer, Producer, Product


def producer_list(*, actor: Actor) -> QuerySet[Producer]:
    producers = Producer.objects.select_related("zone").order_by("organisation__name", "id")
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


def offer_list(*, actor: Actor) -> QuerySet[Offer]:
    """Offers with what was ordered and what remains, computed in the database."""
    # A subquery, not a join and GROUP BY: the pages' COUNT(*) then leaves it out (Django
    # drops unused annotations that do not group) instead of summing every line of the cycle.
    ordered = Coalesce(
        offer_demand_subquery(),
        Value(Decimal("0")),
        output_field=DecimalField(max_digits=12, decimal_places=3),
    )
    offers = (
        Offer.objects.select_related("product", "product__producer__organisation")
        .annotate(quantity_ordered=ordered)
        .order_by("cycle_id", "product__producer__organisation__name", "product__name", "id")
    )
    if actor.role == Role.COORDINATOR:
        return offers
    if actor.role == Role.PRODUCER:
        return offers.filter(product__producer__organisation_id=actor.organisation_id)
    if actor.role == Role.GROCERY_VOLUNTEER:
        # Volunteers see what they can order: offers of cycles open for orders.
        return offers.filter(cycle__status__in=TAKES_ORDERS)
    return offers.none()


def home_for_producer(*, actor: Actor, now) -> dict:
    """Cycles taking offers (with how many of its products are offered) and purchase lists
    waiting for its confirmation."""
    producer = producer_list(actor=actor).first()
    cycles = (
        OrderCycle.objects.filter(status__in=TAKES_OFFERS)
        .annotate(
            offer_count=Count("offers", filter=Q(offers__product__producer=producer)),
        )
        .order_by("delivery_date", "id")
    )
    purchase_lists = (
        PurchaseList.objects.filter(producer=producer)
        .select_related("cycle")
        .order_by("-cycle__delivery_date", "-id")[:8]
    )
    return {"producer": producer, "cycles": cycles, "purchase_lists": purchase_lists}
