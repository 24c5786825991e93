"""A purchase order reads as it was sent: what was ordered and confirmed, each line's total
its quantity × price, the product's name at close; what was received sits beside it,
labelled, never in its place (#19, items 2 and 4)."""

import io
from decimal import Decimal

from django.test import Client
from pypdf import PdfReader

from orders.models import OrderLine
from supply.models import PurchaseList
from tests.helpers import client_for


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_reception_and_a_rename_leave_the_purchase_order_as_it_was(
    confirmed, world, volunteer_client
):
    carrots = confirmed.offers[0]
    own = PurchaseList.objects.get(cycle=confirmed.cycle, producer=world.producer)
    producer = client_for(world.producer_user)
    before = producer.get(f"/api/v1/cycles/{confirmed.cycle.id}/purchase-lists/").json()
    pdf_before = _text(producer.get(f"/api/v1/purchase-lists/{own.id}/pdf/").content)
    grouped_line = OrderLine.objects.get(offer=carrots, order__grocery=world.grocery)
    name_at_close = carrots.product.name

    received = volunteer_client.post(
        f"/api/v1/groceries/{world.grocery.id}/receptions/",
        {
            "cycle": confirmed.cycle.id,
            "lines": [{"order_line": grouped_line.id, "received_quantity": "90"}],
        },
        format="json",
    )
    carrots.product.name = "Carottes des sables (nouveau nom)"
    carrots.product.save()
    after = producer.get(f"/api/v1/cycles/{confirmed.cycle.id}/purchase-lists/").json()
    pdf_after = _text(producer.get(f"/api/v1/purchase-lists/{own.id}/pdf/").content)

    assert received.status_code == 201
    (line_before,) = before[0]["lines"]
    (line_after,) = after[0]["lines"]
    # 100 kg allocated (3 for the household, 97 for the grocery) × 2.00 € HT.
    assert (line_after["total_ht"], line_after["total_ttc"]) == ("200.00", "211.00")
    assert {key: value for key, value in line_after.items() if key != "received_quantity"} == {
        key: value for key, value in line_before.items() if key != "received_quantity"
    }
    assert line_after["product_name"] == name_at_close
    # 90 recorded for the grocery, the household's 3 not recorded yet (counted as confirmed).
    assert (line_before["received_quantity"], line_after["received_quantity"]) == (None, "93.000")
    assert "Réceptions enregistrées" not in pdf_before
    assert "200,00 €" in pdf_after and "211,00 €" in pdf_after
    assert "Réceptions enregistrées par les épiceries" in pdf_after
    assert "nouveau nom" not in pdf_after and name_at_close in pdf_after
    browser = Client()
    browser.force_login(world.producer_user)
    screen = browser.get(f"/producteur/bons/{own.id}/").content.decode()
    assert "Reçu" in screen and "(-7)" in screen
    assert "nouveau nom" not in screen


def test_each_line_is_its_quantity_times_its_price(confirmed, world):
    own = PurchaseList.objects.get(cycle=confirmed.cycle, producer=world.producer)

    listed = client_for(world.producer_user).get(
        f"/api/v1/cycles/{confirmed.cycle.id}/purchase-lists/"
    )

    for line in listed.json()[0]["lines"]:
        quantity = Decimal(line["confirmed_quantity"] or line["allocated_quantity"])
        assert Decimal(line["total_ht"]) == (quantity * Decimal(line["unit_price_ht"])).quantize(
            Decimal("0.01")
        )
    assert own.lines.count() == 1
