from decimal import Decimal

from producers.models import Offer
from tests import factories
from tests.helpers import client_for


def test_producer_offers_its_product_at_its_price(producer_client, world):
    cycle = factories.OrderCycleFactory(hub=world.hub)

    response = producer_client.post(
        "/api/v1/offers/",
        {"cycle": cycle.id, "product": world.product.id, "quantity_available": "40"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["unit_price_ht"] == "2.00"
    assert response.json()["quantity_ordered"] == "0.000"
    assert response.json()["quantity_remaining"] == "40.000"


def test_producer_cannot_offer_another_producers_product(producer_client, world):
    cycle = factories.OrderCycleFactory(hub=world.hub)
    count = Offer.objects.count()

    response = producer_client.post(
        "/api/v1/offers/",
        {"cycle": cycle.id, "product": world.other_product.id, "quantity_available": "40"},
        format="json",
    )

    assert response.status_code == 400
    assert "product" in response.json()["fields"]
    assert Offer.objects.count() == count


def test_offers_are_refused_once_the_cycle_closed(producer_client, world):
    cycle = factories.OrderCycleFactory(hub=world.hub, status="closed")

    response = producer_client.post(
        "/api/v1/offers/",
        {"cycle": cycle.id, "product": world.product.id, "quantity_available": "40"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "cycle_not_open"


def test_price_is_frozen_once_open_but_stock_may_grow(producer_client, world):
    offer = factories.OfferFactory(
        cycle=factories.OrderCycleFactory(hub=world.hub, status="open"), product=world.product
    )

    price = producer_client.patch(
        f"/api/v1/offers/{offer.id}/", {"unit_price_ht": "3.00"}, format="json"
    )
    stock = producer_client.patch(
        f"/api/v1/offers/{offer.id}/", {"quantity_available": "150"}, format="json"
    )

    assert price.status_code == 409 and price.json()["code"] == "offer_price_frozen"
    assert stock.status_code == 200
    offer.refresh_from_db()
    assert (offer.unit_price_ht, offer.quantity_available) == (Decimal("2.00"), Decimal("150"))


def test_producers_never_see_other_producers_offers(world, market):
    own = client_for(world.producer_user).get("/api/v1/offers/").json()

    assert {row["producer"] for row in own["results"]} == {world.producer.id}
    assert (
        client_for(world.producer_user).get(f"/api/v1/offers/{market.offers[2].id}/").status_code
        == 404
    )


def test_volunteers_see_offers_of_open_cycles_only(world, market, volunteer_client):
    factories.OfferFactory(product=world.product)  # a draft cycle's offer

    rows = volunteer_client.get("/api/v1/offers/").json()["results"]

    open_cycles = {market.cycle.id, world.open_offer.cycle_id}
    assert {row["cycle"] for row in rows} == open_cycles


def test_a_producer_need_not_name_itself_on_its_products(producer_client, world):
    response = producer_client.post(
        "/api/v1/products/",
        {
            "name": "Navets",
            "category": "legumes",
            "unit": "kg",
            "unit_weight_kg": "1",
            "unit_price_ht": "1.50",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["producer"] == world.producer.id
