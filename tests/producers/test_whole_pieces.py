"""Pieces are counted whole everywhere: packs, offers, orders and receptions (#19, item 6)."""

from producers.models import Offer, Product
from tests import factories
from tests.helpers import client_for

PIECES = {
    "name": "Salades",
    "category": "legumes",
    "unit": "piece",
    "unit_weight_kg": "0.4",
    "unit_price_ht": "0.90",
}


def test_a_pack_of_pieces_is_a_whole_number(world):
    producer = client_for(world.producer_user)
    products = Product.objects.count()

    half = producer.post("/api/v1/products/", {**PIECES, "pack_size": "1.5"}, format="json")
    kilos = producer.post(
        "/api/v1/products/", {**PIECES, "unit": "kg", "pack_size": "1.5"}, format="json"
    )

    assert half.status_code == 400
    assert half.json()["fields"] == {
        "pack_size": ["Les pièces se comptent entières : 1,5 n'est pas un nombre entier."]
    }
    assert kilos.status_code == 201
    assert Product.objects.count() == products + 1


def test_an_offer_of_pieces_is_a_whole_number(world):
    product = factories.ProductFactory(producer=world.producer, unit="piece")
    cycle = factories.OrderCycleFactory(hub=world.hub)

    response = client_for(world.producer_user).post(
        "/api/v1/offers/",
        {"cycle": cycle.id, "product": product.id, "quantity_available": "10.4"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["quantity_available"]
    assert not Offer.objects.filter(product=product).exists()


def test_an_order_of_pieces_is_a_whole_number(volunteer_client, market, world):
    eggs = market.offers[1]  # a box of 6 eggs is one piece

    response = volunteer_client.post(
        "/api/v1/orders/",
        {
            "cycle": market.cycle.id,
            "grocery": world.grocery.id,
            "lines": [{"offer": eggs.id, "quantity": "2.5"}],
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["fields"]["lines.0.quantity"] == [
        "Les pièces se comptent entières : 2,5 n'est pas un nombre entier."
    ]


def test_a_reception_of_pieces_is_a_whole_number(confirmed, world, volunteer_client):
    lettuces = confirmed.offers[0].product  # sold by the piece from now on
    lettuces.unit = "piece"
    lettuces.save()
    line = confirmed.cycle.orders.get(grocery=world.grocery).lines.get(offer=confirmed.offers[0])

    response = volunteer_client.post(
        f"/api/v1/groceries/{world.grocery.id}/receptions/",
        {
            "cycle": confirmed.cycle.id,
            "lines": [{"order_line": line.id, "received_quantity": "90.5"}],
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["lines.0.received_quantity"]
    line.refresh_from_db()
    assert line.received_quantity is None
